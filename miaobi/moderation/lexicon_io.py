"""Import and export of the lexicon as text or CSV (admin and `miaobi lexicon import/export`).

Text format, one entry a line (`#` starts a comment line; blank lines are ignored):

    词语 [类别] [处理方式] [建议改为] [备注]

Fields are separated by tabs, or by spaces when the line has no tab (then a term cannot contain a
space). 类别 is a category name or code (政治敏感/political, 低俗/vulgar, 广告引流/ads, 违法违规/illegal,
过时提法/outdated, 自定义/custom) or 白名单/whitelist for a whitelist entry; 处理方式 is 拦截/block,
待审/review or 提示/flag (default: by category). The second field may also be an action alone.

CSV: columns term, category, action, replacement, note (and optionally active, 1/0). The header row is
optional (recognised by its first cell: term/词语/词条); without it the columns are in that order.

Guarantees: a file is parsed completely before anything is written; any bad line (unknown category or
action, empty term, too long, conflicting duplicate), an empty file or an undecodable file raises
LexiconFormatError listing every problem with its line number, and nothing is imported. Import adds
new entries and updates existing ones (matched by their matching form); it never deletes. Terms are
stored exactly as written in the file (surrounding white space is not part of a term).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction

from .models import DEFAULT_ACTIONS, Action, Category, Term, WhitelistEntry
from .normalize import normalise_term

MAX_TERM = 100
MAX_NOTE = 200
WHITELIST = "whitelist"
_CATEGORY_ALIASES = {
    **{c.value: c.value for c in Category}, **{c.label: c.value for c in Category},
    "政治": Category.POLITICAL, "广告": Category.ADS, "引流": Category.ADS, "违法": Category.ILLEGAL,
    "过时": Category.OUTDATED, "自定": Category.CUSTOM, "白名单": WHITELIST, WHITELIST: WHITELIST,
}
_ACTION_ALIASES = {
    **{a.value: a.value for a in Action}, **{a.label: a.value for a in Action},
    "禁止": Action.BLOCK, "审核": Action.REVIEW, "标记": Action.FLAG,
}
_HEADER_FIRST_CELLS = {"term", "词语", "词条"}
_CSV_COLUMNS = ["term", "category", "action", "replacement", "note", "active"]
_CSV_HEADER_ALIASES = {
    "term": "term", "词语": "term", "词条": "term", "category": "category", "类别": "category",
    "action": "action", "处理方式": "action", "replacement": "replacement", "建议改为": "replacement",
    "note": "note", "备注": "note", "active": "active", "启用": "active",
}


class Problem(str):
    """One problem of a lexicon file: the English text (CLI, logs) with its Chinese version in `.zh` (admin)."""

    zh: str

    def __new__(cls, en: str, zh: str, line: int | None = None):
        obj = super().__new__(cls, f"line {line}: {en}" if line else en)
        obj.zh = f"第 {line} 行：{zh}" if line else zh
        return obj


class LexiconFormatError(ValueError):
    """A lexicon file that cannot be imported; `errors` lists every problem (English, with line numbers;
    each has its Chinese version in `.zh`)."""

    def __init__(self, errors: list[Problem]):
        self.errors = errors
        super().__init__("; ".join(errors[:10]) + (f" (and {len(errors) - 10} more)" if len(errors) > 10 else ""))

    @property
    def errors_zh(self) -> list[str]:
        return [getattr(e, "zh", str(e)) for e in self.errors]


@dataclass
class LexiconLine:
    line: int
    text: str
    kind: str = "term"  # "term" | "whitelist"
    category: str = Category.CUSTOM
    action: str = Action.REVIEW
    replacement: str = ""
    note: str = ""
    active: bool = True
    normalized: str = ""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    whitelist_created: int = 0
    whitelist_existing: int = 0
    entries: list[LexiconLine] = field(default_factory=list)

    def summary(self) -> str:
        return (f"terms: {self.created} created, {self.updated} updated, {self.unchanged} unchanged; "
                f"whitelist: {self.whitelist_created} created, {self.whitelist_existing} already present")

    def summary_zh(self) -> str:
        return (f"新增词条 {self.created} 个，更新 {self.updated} 个，未变 {self.unchanged} 个；"
                f"新增白名单 {self.whitelist_created} 个，已有 {self.whitelist_existing} 个。")


# --- reading -----------------------------------------------------------------------------------

def decode_lexicon_bytes(data: bytes, encoding: str = "utf-8") -> str:
    """Decode a lexicon file (a UTF-8 byte-order mark is dropped); LexiconFormatError if it does not decode."""
    if not data.strip():
        raise LexiconFormatError([Problem("the file is empty", "文件是空的")])
    try:
        text = data.decode("utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding)
    except LookupError:
        raise LexiconFormatError([Problem(f"unknown encoding {encoding!r}", f"不认识的编码 {encoding!r}")]) from None
    except UnicodeDecodeError as exc:
        hint = hint_zh = ""
        try:
            data.decode("gb18030")
            hint = " It looks like GBK/GB18030: save it as UTF-8, or pass --encoding gb18030."
            hint_zh = "看起来是 GBK/GB18030 编码：请另存为 UTF-8，或选择 GB18030 编码导入。"
        except UnicodeDecodeError:
            pass
        line = data[:exc.start].count(b"\n") + 1
        raise LexiconFormatError([Problem(
            f"the file is not valid {encoding} (byte 0x{data[exc.start]:02x} on line {line}).{hint}",
            f"文件不是有效的 {encoding} 编码（第 {line} 行有字节 0x{data[exc.start]:02x}）。{hint_zh}",
        )]) from None
    if "\x00" in text:
        raise LexiconFormatError([Problem("the file contains NUL characters (is it UTF-16 or a binary file?)",
                                          "文件含有空字符（是 UTF-16 或二进制文件吗？）")])
    return text


def detect_format(text: str, filename: str = "") -> str:
    """"csv" or "text": by the file name's extension, else CSV if the first entry line has a comma."""
    name = filename.lower()
    if name.endswith(".csv"):
        return "csv"
    if name.endswith((".txt", ".text", ".lst")):
        return "text"
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            return "csv" if "," in line else "text"
    return "text"


def _category(value: str) -> str | None:
    return _CATEGORY_ALIASES.get(value.strip().lower()) if value.strip() else Category.CUSTOM


def _action(value: str) -> str | None:
    return _ACTION_ALIASES.get(value.strip().lower())


def _entry(line: int, text: str, category: str, action: str, replacement: str, note: str,
           active: str, errors: list[Problem]) -> LexiconLine | None:
    problems = []
    cat = _category(category)
    if cat is None:
        names = ", ".join(f"{c.label}/{c.value}" for c in Category) + ", 白名单/whitelist"
        problems.append(Problem(f"unknown category {category!r} (use one of: {names})",
                                f"不认识的类别“{category}”（可用：{names}）", line))
    act = _action(action) if action.strip() else None
    if action.strip() and act is None:
        problems.append(Problem(f"unknown action {action!r} (use 拦截/block, 待审/review or 提示/flag)",
                                f"不认识的处理方式“{action}”（可用：拦截/block、待审/review、提示/flag）", line))
    normalized = normalise_term(text)
    if not text:
        problems.append(Problem("empty term", "词语为空", line))
    elif not normalized:
        problems.append(Problem(f"term {text!r} has no letters or characters left after normalisation",
                                f"词语“{text}”去掉空格和符号后什么也不剩", line))
    if len(text) > MAX_TERM or len(replacement) > MAX_TERM:
        problems.append(Problem(f"term or replacement longer than {MAX_TERM} characters",
                                f"词语或建议改为超过 {MAX_TERM} 个字", line))
    if len(note) > MAX_NOTE:
        problems.append(Problem(f"note longer than {MAX_NOTE} characters", f"备注超过 {MAX_NOTE} 个字", line))
    if any(ch in value for value in (text, replacement, note) for ch in "\t\r\n"):
        problems.append(Problem("tabs and line breaks are not allowed inside a field", "字段内不能有制表符或换行", line))
    flag = active.strip().lower()
    if flag not in ("", "1", "0", "true", "false", "yes", "no", "是", "否"):
        problems.append(Problem(f"active must be 1 or 0, not {active!r}", f"启用一栏应为 1 或 0，而不是“{active}”", line))
    if cat == WHITELIST and (act or replacement):
        problems.append(Problem("a whitelist entry takes no action or replacement", "白名单词语不能带处理方式或建议改为", line))
    if problems:
        errors.extend(problems)
        return None
    if cat == WHITELIST:
        return LexiconLine(line, text, "whitelist", category="", action="", note=note, normalized=normalized)
    return LexiconLine(line, text, "term", category=cat, action=act or DEFAULT_ACTIONS[cat], replacement=replacement,
                       note=note, active=flag not in ("0", "false", "no", "否"), normalized=normalized)


def _parse_text(text: str, errors: list[Problem]) -> list[LexiconLine]:
    out = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        # With tabs, every field counts (a line starting with a tab has an empty term).
        fields = [f.strip() for f in raw.rstrip().split("\t")] if "\t" in raw.rstrip() else line.split()
        term, rest = fields[0], fields[1:]
        if len(rest) > 4:
            errors.append(Problem(f"too many fields ({len(fields)}; at most term, category, action, replacement, note)",
                                  f"字段太多（{len(fields)} 个；最多：词语、类别、处理方式、建议改为、备注）", number))
            continue
        category = rest[0] if rest else ""
        action = rest[1] if len(rest) > 1 else ""
        if rest and _category(category) is None and _action(category) is not None and len(rest) == 1:
            category, action = "", category  # "加微信 block": an action alone
        replacement = rest[2] if len(rest) > 2 else ""
        note = rest[3] if len(rest) > 3 else ""
        entry = _entry(number, term, category, action, replacement, note, "", errors)
        if entry:
            out.append(entry)
    return out


def _parse_csv(text: str, errors: list[Problem]) -> list[LexiconLine]:
    out = []
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        errors.append(Problem(f"CSV error: {exc}", f"CSV 格式错误：{exc}"))
        return out
    columns = _CSV_COLUMNS
    first = next((i for i, row in enumerate(rows) if any(c.strip() for c in row)), None)
    if first is not None and rows[first][0].strip().lstrip("\ufeff").lower() in _HEADER_FIRST_CELLS:
        header = [c.strip().lower() for c in rows[first]]
        unknown = [c for c in header if c and c not in _CSV_HEADER_ALIASES]
        if unknown:
            errors.append(Problem(f"unknown column(s) {', '.join(unknown)} (known: {', '.join(_CSV_COLUMNS)})",
                                  f"不认识的列：{'、'.join(unknown)}（可用：{', '.join(_CSV_COLUMNS)}）", first + 1))
            return out
        columns = [_CSV_HEADER_ALIASES.get(c, "") for c in header]
        rows[first] = []
    for number, row in enumerate(rows, start=1):
        if not any(c.strip() for c in row) or row[0].lstrip().startswith("#"):
            continue
        if len(row) > len(columns) and any(c.strip() for c in row[len(columns):]):
            errors.append(Problem(f"{len(row)} columns, expected at most {len(columns)}",
                                  f"有 {len(row)} 列，最多 {len(columns)} 列", number))
            continue
        values = {name: cell.strip() for name, cell in zip(columns, row) if name}
        entry = _entry(number, values.get("term", ""), values.get("category", ""), values.get("action", ""),
                       values.get("replacement", ""), values.get("note", ""), values.get("active", ""), errors)
        if entry:
            out.append(entry)
    return out


def parse_lexicon(text: str, fmt: str = "auto", filename: str = "") -> list[LexiconLine]:
    """Every entry of a lexicon file, or LexiconFormatError listing every bad line (nothing half-read)."""
    if fmt == "auto":
        fmt = detect_format(text, filename)
    if fmt not in ("text", "csv"):
        raise LexiconFormatError([Problem(f"unknown format {fmt!r} (text or csv)", f"不认识的格式 {fmt!r}（text 或 csv）")])
    errors: list[Problem] = []
    entries = _parse_csv(text, errors) if fmt == "csv" else _parse_text(text, errors)
    seen: dict[tuple[str, str], LexiconLine] = {}
    unique = []
    for entry in entries:
        key = (entry.kind, entry.normalized)
        other = seen.get(key)
        if other is None:
            seen[key] = entry
            unique.append(entry)
        elif (other.category, other.action, other.replacement, other.active) != (
                entry.category, entry.action, entry.replacement, entry.active):
            errors.append(Problem(
                f"{entry.text!r} repeats line {other.line} ({other.text!r}) with a different category, action or replacement",
                f"“{entry.text}”与第 {other.line} 行（“{other.text}”）重复，但类别、处理方式或建议改为不同", entry.line))
    if not errors and not unique:
        errors.append(Problem("no terms found in the file (only blank or comment lines)", "文件里没有词语（只有空行或注释）"))
    if errors:
        raise LexiconFormatError(errors)
    return unique


# --- writing -----------------------------------------------------------------------------------

@transaction.atomic
def import_entries(entries: list[LexiconLine], *, dry_run: bool = False) -> ImportReport:
    """Add or update terms and whitelist entries (matched by matching form); never deletes anything."""
    from .services import lexicon_changed

    report = ImportReport(entries=entries)
    terms = [e for e in entries if e.kind == "term"]
    existing = {t.normalized: t for t in Term.objects.filter(normalized__in=[e.normalized for e in terms])}
    to_create, to_update = [], []
    for e in terms:
        term = existing.get(e.normalized)
        if term is None:
            to_create.append(Term(text=e.text, normalized=e.normalized, category=e.category, action=e.action,
                                  replacement=e.replacement, note=e.note, is_active=e.active))
            continue
        wanted = {"category": e.category, "action": e.action, "replacement": e.replacement, "is_active": e.active}
        if e.note:
            wanted["note"] = e.note
        if any(getattr(term, k) != v for k, v in wanted.items()):
            for k, v in wanted.items():
                setattr(term, k, v)
            to_update.append(term)
        else:
            report.unchanged += 1
    white = [e for e in entries if e.kind == "whitelist"]
    present = set(WhitelistEntry.objects.filter(normalized__in=[e.normalized for e in white]).values_list("normalized", flat=True))
    new_white = [WhitelistEntry(text=e.text, normalized=e.normalized, note=e.note) for e in white if e.normalized not in present]
    report.created, report.updated = len(to_create), len(to_update)
    report.whitelist_created, report.whitelist_existing = len(new_white), len(white) - len(new_white)
    if dry_run:
        return report
    Term.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        Term.objects.bulk_update(to_update, ["category", "action", "replacement", "note", "is_active", "updated_at"], batch_size=500)
    WhitelistEntry.objects.bulk_create(new_white, batch_size=500)
    if to_create or to_update or new_white:
        lexicon_changed()
    return report


def import_lexicon(data: bytes | str, *, fmt: str = "auto", filename: str = "", encoding: str = "utf-8",
                   dry_run: bool = False) -> ImportReport:
    """Parse and import a lexicon file in one transaction (LexiconFormatError: nothing imported)."""
    text = decode_lexicon_bytes(data, encoding) if isinstance(data, bytes) else data
    if not text.strip():
        raise LexiconFormatError([Problem("the file is empty", "文件是空的")])
    return import_entries(parse_lexicon(text, fmt, filename), dry_run=dry_run)


def export_lexicon(fmt: str = "text") -> str:
    """The whole lexicon as text or CSV; importing it into an empty lexicon gives the same lexicon back.

    Text format leaves out inactive terms (it has no column for them; a comment says how many); CSV has all.
    """
    terms = list(Term.objects.order_by("category", "normalized"))
    white = list(WhitelistEntry.objects.order_by("normalized"))
    labels = dict(Category.choices)
    action_labels = dict(Action.choices)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(_CSV_COLUMNS)
        for t in terms:
            writer.writerow([t.text, labels[t.category], action_labels[t.action], t.replacement, t.note, int(t.is_active)])
        for w in white:
            writer.writerow([w.text, "白名单", "", "", w.note, 1])
        return out.getvalue()
    if fmt != "text":
        raise ValueError(f"unknown format {fmt!r} (text or csv)")
    lines = ["# 妙笔智库词库：词语<TAB>类别<TAB>处理方式<TAB>建议改为<TAB>备注（白名单：词语<TAB>白名单）"]
    inactive = sum(not t.is_active for t in terms)
    if inactive:
        lines.append(f"# 另有 {inactive} 个停用词条未导出（CSV 格式包含全部词条）")
    for t in terms:
        if not t.is_active:
            continue
        fields = [t.text, labels[t.category], action_labels[t.action], t.replacement, t.note]
        while fields[-1] == "":
            fields.pop()
        lines.append("\t".join(fields))
    for w in white:
        lines.append("\t".join([w.text, "白名单"] + (["", "", w.note] if w.note else [])))
    return "\n".join(lines) + "\n"
