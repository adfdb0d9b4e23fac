"""Text-integrity lint: signs that a text was damaged (by a naive word filter, a bad copy, a wrong encoding).

`lint_text(text)` returns `Finding`s, each with a kind, character offsets into the text, the excerpt,
a Chinese message and, where one is certain, a repair (the replacement for text[start:end]):

- missing_chars: a fixed 公文 collocation (data/collocations.txt, plus the segmentation dictionary
  data/gongwen_dict.txt) with a character, a repeated character or an inner word missing
  (`学贯彻` → `学习贯彻`, `读书学提升` → `读书学习提升`, `中华民族复兴` → `中华民族伟大复兴`);
- placeholder: `_`, `*`, `□`, `×`, `**` … inside CJK text where a word should be;
- missing_subject: a sentence or paragraph that starts with a reporting verb and no subject
  (`指出，` `强调，`, `在……会议上强调，`);
- ascii_punct: ASCII `, : ; ! ?` between CJK characters (repair: the full-width mark);
- mojibake: text decoded with the wrong encoding (GBK read as Latin-1, UTF-8 read as GBK,
  replacement characters, 锟斤拷).

Guarantees: the text is never changed (`apply_repairs` returns a new string, and only when asked);
every finding's excerpt equals text[start:end]. The collocation list is the genre's fixed
expressions; a missing-character finding needs the damaged form to stand on word boundaries of the
segmented text and not inside a real occurrence of any collocation, so ordinary text stays quiet.
"""
from __future__ import annotations

import re
import threading
from bisect import bisect_left
from dataclasses import asdict, dataclass, field
from pathlib import Path

import daachorse

DATA = Path(__file__).parent / "data"
COLLOCATIONS = DATA / "collocations.txt"
SEGMENTATION_DICTIONARY = Path(__file__).resolve().parent.parent / "data" / "gongwen_dict.txt"

KIND_LABELS = {
    "missing_chars": "疑似缺字",
    "placeholder": "占位符",
    "missing_subject": "缺少主语",
    "ascii_punct": "半角标点",
    "mojibake": "乱码",
}
FULL_WIDTH = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？"}

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_RE = re.compile(f"[{_HAN}]")
# CJK context for punctuation: Han characters and CJK/full-width punctuation and quotes.
_CJK_CONTEXT = f"{_HAN}\u3001-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65“”‘’…—"
_ASCII_PUNCT = re.compile(f"(?<=[{_CJK_CONTEXT}])[,:;!?](?=[ \\t]*(?:[{_CJK_CONTEXT}]|$))", re.M)
_CJK_PUNCT = "，。、；：！？”’）》"
_PLACEHOLDER = re.compile(
    f"(?:(?<=[{_HAN}])(?:[_＿]+|\\*{{1,3}}|＊+|[□■]+|[×╳]+)(?=[{_HAN}{_CJK_PUNCT}])"
    f"|(?<=[{_HAN}“‘（《])(?:[_＿]+|\\*{{1,3}}|＊+|[□■]+|[×╳]+)(?=[{_HAN}])"
    f"|(?<=[{_HAN}])(?:[_＿]{{2,}}|\\*{{2,3}}|＊{{2,}}|[□■]{{2,}}|[×╳]{{2,}})"
    f"|(?:[_＿]{{2,}}|\\*{{2,3}}|＊{{2,}}|[□■]{{2,}}|[×╳]{{2,}})(?=[{_HAN}]))"
)
_SENTENCE_START = re.compile(r"(?:^|(?<=[。！？；!?;\n]))[ \t\u3000“‘\"']*", re.M)
_REPORTING_VERB = "指出|强调|表示|要求|提出|认为"
_BARE_VERB = re.compile(f"(?:反复|始终|一再|多次|再次|曾经|深刻|郑重)?(?:{_REPORTING_VERB})(?=[，,：:])")
_AT_MEETING_VERB = re.compile(
    f"在[^，,。；;！!？?\\n]{{2,40}}?(?:上|时|中|期间)(?:的讲话中|讲话时|讲话中)?(?:{_REPORTING_VERB})(?=[，,：:])"
)
_REPLACEMENT_CHARS = re.compile("\ufffd+|锟斤拷(?:锟斤拷)*|烫烫烫+|屯屯屯+")
_LATIN_RUN = re.compile(
    "[\u0080-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014"
    "\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]{2,}"
)
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f\s，。、；：！？“”‘’（）《》]{3,}")


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    excerpt: str
    message: str
    repair: str | None = None  # replacement for text[start:end], only where it is certain
    candidates: tuple[str, ...] = field(default=())

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    def to_dict(self) -> dict:
        data = asdict(self)
        data["candidates"] = list(self.candidates)
        data["label"] = self.label
        return data


# --- the collocation index ---------------------------------------------------------------------

@dataclass
class _Variant:
    text: str
    phrases: list[str]
    gaps: list[int]  # positions in the variant where characters went missing (for the orphan test)
    single: bool  # single characters deleted (vs. a whole inner word)
    edge: bool  # the last character of the phrase deleted (the gap is at the variant's end)


# Particles and conjunctions that fixed phrases often drop or add without damage (的获得感 / 获得感).
_OPTIONAL_CHARS = set("的之和与及并而了地得等或于")
# One-character words that stand alone in ordinary text: an orphan that is one of these proves nothing.
_FREE_CHARS = _OPTIONAL_CHARS | set("到为在对把被将以是有也都就还又再要让使给从向中上下里")


class CollocationIndex:
    """Fixed phrases and their damaged forms (one character, a repeated character or an inner word missing).

    `strict` phrases produce damaged forms; `loose` ones (lines starting with "~": collocations with
    common legitimate short forms, such as 抓好落实 / 抓落实) only mark real occurrences as whole.
    Rules that keep ordinary text quiet: a damaged form keeps at least 3 Han characters (5 when a
    whole word went missing), is neither a collocation nor a dictionary word, drops no particle;
    a missing first character is only considered for long forms; a one-character deletion must leave
    an orphan (a one-character word next to the gap) unless the form is long.
    """

    MIN_VARIANT = 3  # Han characters a damaged form must keep
    LONG_VARIANT = 7  # damaged forms this long need no orphan character at the gap
    MIN_WORD_VARIANT = 5  # an inner word deleted: the remaining form must be this long

    def __init__(self, strict: list[str], loose: list[str] = ()):
        import rjieba

        from miaobi.segmentation import segment

        segment("")  # load the 公文 dictionary into the segmenter
        strict = [p for p in dict.fromkeys(strict) if len(_HAN_RE.findall(p)) >= 2]
        self.phrases = list(dict.fromkeys([*strict, *(p for p in loose if len(_HAN_RE.findall(p)) >= 2)]))
        phrase_set = set(self.phrases)
        variants: dict[str, _Variant] = {}

        def add(text: str, phrase: str, gaps: list[int], single: bool, edge: bool = False) -> None:
            stripped = text.strip("、，,；;：:“”\"' ")
            offset = text.index(stripped) if stripped else 0
            gaps = [g - offset for g in gaps if 0 <= g - offset <= len(stripped)]
            han = len(_HAN_RE.findall(stripped))
            if han < self.MIN_VARIANT or (not single and han < self.MIN_WORD_VARIANT):
                return
            if stripped in phrase_set or rjieba.has_word(stripped):
                return
            v = variants.get(stripped)
            if v is None:
                variants[stripped] = _Variant(stripped, [phrase], gaps, single, edge)
            elif phrase not in v.phrases:
                v.phrases.append(phrase)
                v.gaps = sorted(set(v.gaps + gaps))
                v.edge = v.edge and edge

        for phrase in strict:
            han_positions = [i for i, ch in enumerate(phrase) if _HAN_RE.match(ch)]
            if len(han_positions) < self.MIN_VARIANT + 1:
                continue
            first, last = han_positions[0], han_positions[-1]
            for i in han_positions:  # one character missing
                if phrase[i] in _OPTIONAL_CHARS:
                    continue
                remaining = len(han_positions) - 1
                if i == first and remaining < self.LONG_VARIANT:
                    continue  # 青年工作 → 年工作: too common a tail of ordinary text
                add(phrase[:i] + phrase[i + 1:], phrase, [i], True, edge=i == last)
            for ch in set(phrase[i] for i in han_positions):  # a repeated character missing everywhere
                where = [i for i in han_positions if phrase[i] == ch]
                if len(where) >= 2 and ch not in _OPTIONAL_CHARS:
                    add(phrase.replace(ch, ""), phrase, [w - k for k, w in enumerate(where)], True)
            tokens = rjieba.tokenize(phrase)
            for word, s, e in tokens[1:-1]:  # an inner word missing
                if 2 <= e - s <= 4 and _HAN_RE.match(word):
                    add(phrase[:s] + phrase[e:], phrase, [s], False)
        self.variants = list(variants.values())
        self._variant_ac = daachorse.CharwiseDoubleArrayAhoCorasick([v.text for v in self.variants])
        self._phrase_ac = daachorse.CharwiseDoubleArrayAhoCorasick(self.phrases)

    def phrase_spans(self, text: str) -> list[tuple[int, int]]:
        return [(s, e) for s, e, _ in self._phrase_ac.find_overlapping(text)]

    def variant_hits(self, text: str) -> list[tuple[int, int, _Variant]]:
        return [(s, e, self.variants[p]) for s, e, p in self._variant_ac.find_overlapping(text)]


def read_phrase_file(path: Path) -> tuple[list[str], list[str]]:
    """(strict, loose) phrases of a file: one a line, "#" comments, "~" marks a loose collocation;
    anything after white space on a line (a frequency in the segmentation dictionary) is ignored."""
    strict, loose = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        phrase = line.split()[0]
        if phrase.startswith("~"):
            loose.append(phrase[1:])
        else:
            strict.append(phrase)
    return strict, loose


_index: CollocationIndex | None = None
_index_lock = threading.Lock()


def collocation_index() -> CollocationIndex:
    """The shared index of the shipped collocations and the segmentation dictionary (built once)."""
    global _index
    if _index is None:
        with _index_lock:
            if _index is None:
                strict, loose = read_phrase_file(COLLOCATIONS)
                if SEGMENTATION_DICTIONARY.exists():
                    more_strict, more_loose = read_phrase_file(SEGMENTATION_DICTIONARY)
                    strict += more_strict
                    loose += more_loose
                _index = CollocationIndex(strict, loose)
    return _index


# --- the checks --------------------------------------------------------------------------------

def _tokens(text: str) -> list[tuple[str, int, int]]:
    import rjieba

    from miaobi.segmentation import segment

    segment("")
    return rjieba.tokenize(text)


def _missing_chars(text: str, index: CollocationIndex) -> list[Finding]:
    hits = index.variant_hits(text)
    if not hits:
        return []
    tokens = _tokens(text)
    starts = {s for _, s, _ in tokens}
    ends = {e for _, _, e in tokens}
    singles = {(s, e) for w, s, e in tokens if e - s == 1 and _HAN_RE.match(w)}
    phrase_spans = sorted(index.phrase_spans(text))
    phrase_starts = [s for s, _ in phrase_spans]

    def covered(s: int, e: int) -> bool:
        # Inside a real occurrence of a collocation: the text is whole there.
        i = bisect_left(phrase_starts, s + 1)
        return any(ps <= s and e <= pe for ps, pe in phrase_spans[max(0, i - 64):i])

    found: list[Finding] = []
    for s, e, variant in hits:
        if s not in starts or e not in ends or covered(s, e):
            continue
        han = len(_HAN_RE.findall(variant.text))
        if variant.single and han < index.LONG_VARIANT:
            # A deleted character leaves an orphan: a one-character word next to the gap (inside the
            # damaged form), which is not a particle (落实到 + 位 is not damage, 读书学 + 习 is).
            orphans = [(s + g - 1, s + g) for g in variant.gaps if g > 0]
            orphans += [(s + g, s + g + 1) for g in variant.gaps if s + g < e]
            if not any(o in singles and text[o[0]] not in _FREE_CHARS for o in orphans):
                continue
        phrases = variant.phrases
        repair = phrases[0] if len(phrases) == 1 else None
        shown = "”或“".join(phrases[:3])
        found.append(Finding(
            "missing_chars", s, e, text[s:e], f"疑似缺字：“{text[s:e]}”可能是“{shown}”被删去了字。",
            repair, tuple(phrases),
        ))
    # Keep the longest of overlapping findings.
    found.sort(key=lambda f: (f.start, -(f.end - f.start)))
    kept: list[Finding] = []
    for f in found:
        if kept and f.start < kept[-1].end:
            if f.end - f.start > kept[-1].end - kept[-1].start:
                kept[-1] = f
            continue
        kept.append(f)
    return kept


def _collocation_guess(text: str, start: int, end: int, index: CollocationIndex) -> list[str]:
    """Words a placeholder may stand for: a collocation that fits the text on both sides of it."""
    before = text[max(0, start - 8):start]
    after = text[end:end + 8]
    guesses = []
    for phrase in index.phrases:
        for i in range(1, len(phrase)):
            for j in range(i + 1, min(len(phrase), i + 4) + 1):
                left, word, right = phrase[:i], phrase[i:j], phrase[j:]
                if not _HAN_RE.match(word[0]) or len(left) + len(right) < 3:
                    continue
                if before.endswith(left) and after.startswith(right):
                    guesses.append(word)
    return list(dict.fromkeys(guesses))


def _placeholders(text: str, index: CollocationIndex, *, guess_limit: int = 50) -> list[Finding]:
    out = []
    for number, m in enumerate(_PLACEHOLDER.finditer(text)):
        guesses = _collocation_guess(text, m.start(), m.end(), index) if number < guess_limit else []
        hint = f"可能是“{guesses[0]}”。" if len(guesses) == 1 else ""
        out.append(Finding(
            "placeholder", m.start(), m.end(), m.group(),
            f"占位符“{m.group()}”夹在文字中间，此处可能有词语被删去或替换。{hint}",
            guesses[0] if len(guesses) == 1 else None, tuple(guesses),
        ))
    return out


def _missing_subjects(text: str) -> list[Finding]:
    out = []
    for m in _SENTENCE_START.finditer(text):
        pos = m.end()
        for pattern in (_BARE_VERB, _AT_MEETING_VERB):
            hit = pattern.match(text, pos)
            if hit:
                out.append(Finding(
                    "missing_subject", hit.start(), hit.end(), hit.group(),
                    f"句子以“{hit.group()[-2:]}”开头，缺少主语（讲话人或会议），可能被删去。",
                ))
                break
    return out


def _ascii_punct(text: str) -> list[Finding]:
    return [
        Finding("ascii_punct", m.start(), m.end(), m.group(),
                f"中文之间用了半角“{m.group()}”，应为全角“{FULL_WIDTH[m.group()]}”。", FULL_WIDTH[m.group()])
        for m in _ASCII_PUNCT.finditer(text)
    ]


def _try_decode(run: str, via: str, to: str) -> str | None:
    try:
        decoded = run.encode(via).decode(to)
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None
    return decoded if _HAN_RE.search(decoded) and not re.search(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]", decoded) else None


def _utf8_read_as_gbk(run: str) -> tuple[int, int, str] | None:
    """A stretch of a Han run whose GBK bytes are valid UTF-8 Chinese: (start, end, repaired) in the run."""
    for trim_start in range(3):
        for trim_end in range(3):
            piece = run[trim_start:len(run) - trim_end]
            if len(piece) < 3:
                continue
            decoded = _try_decode(piece, "gbk", "utf-8")
            if decoded and len(_HAN_RE.findall(decoded)) >= 2:
                return trim_start, len(run) - trim_end, decoded
    return None


def _suspect_chars() -> str:
    """Characters whose GBK bytes look like the start of a UTF-8 Chinese character (E4–E9, then 80–BF):
    what UTF-8 Chinese turns into when read as GBK (浣, 鍙, 鐨 …)."""
    out = []
    for lead in range(0xE4, 0xEA):
        for trail in range(0x80, 0xC0):
            try:
                out.append(bytes([lead, trail]).decode("gbk"))
            except UnicodeDecodeError:
                pass
    return "".join(out)


_SUSPECT = re.compile(f"[{re.escape(_suspect_chars())}]")


def _mojibake(text: str) -> list[Finding]:
    out = []
    for m in _REPLACEMENT_CHARS.finditer(text):
        out.append(Finding("mojibake", m.start(), m.end(), m.group(),
                           "乱码：这里的字符在转换编码时已经丢失，需要找原稿补回。"))
    for m in _LATIN_RUN.finditer(text):
        run = m.group()
        if sum("\u0080" <= ch <= "\u00ff" for ch in run) < max(2, len(run) / 2):
            continue  # quotes, dashes and ellipses alone are ordinary punctuation
        repaired = None
        for via in ("latin-1", "cp1252"):
            for to in ("utf-8", "gbk"):
                repaired = repaired or _try_decode(run, via, to)
        if repaired or len(run) >= 4:
            out.append(Finding("mojibake", m.start(), m.end(), run,
                               "乱码：疑似用错编码读入的中文（如 GBK 或 UTF-8 当作西文读入）。"
                               + (f"按正确编码还原为“{repaired}”。" if repaired else ""), repaired))
    if len(_SUSPECT.findall(text)) < 2:  # no UTF-8-read-as-GBK text possible
        return out
    for m in _NON_ASCII_RUN.finditer(text):
        run = m.group()
        if len(_SUSPECT.findall(run)) < max(2, len(run) // 3):
            continue
        got = _utf8_read_as_gbk(run)
        if got:
            s, e, repaired = got
            out.append(Finding("mojibake", m.start() + s, m.start() + e, run[s:e],
                               f"乱码：疑似 UTF-8 文本被当作 GBK 读入，还原为“{repaired}”。", repaired))
    return out


def lint_text(text: str, *, kinds: set[str] | None = None) -> list[Finding]:
    """Every finding in the text, in order of position. Never changes the text."""
    if not text:
        return []
    index = collocation_index()
    checks = {
        "missing_chars": lambda: _missing_chars(text, index),
        "placeholder": lambda: _placeholders(text, index),
        "missing_subject": lambda: _missing_subjects(text),
        "ascii_punct": lambda: _ascii_punct(text),
        "mojibake": lambda: _mojibake(text),
    }
    findings = []
    for kind, check in checks.items():
        if kinds is None or kind in kinds:
            findings.extend(check())
    findings.sort(key=lambda f: (f.start, f.end, f.kind))
    return findings


def apply_repairs(text: str, findings: list[Finding]) -> str:
    """A new text with the given findings' certain repairs applied (overlapping ones: the first wins)."""
    out, position = [], 0
    for f in sorted((f for f in findings if f.repair is not None), key=lambda f: f.start):
        if f.start < position or text[f.start:f.end] != f.excerpt:
            continue
        out.append(text[position:f.start])
        out.append(f.repair)
        position = f.end
    out.append(text[position:])
    return "".join(out)


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset (for the CLI)."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column
