"""规范空白与标点: whitespace and punctuation normalisation of a body, only ever on an editor's request.

Bodies are stored exactly as written or decoded; `tidy_text` returns a new string and `tidy_changes`
the preview an editor confirms before `tidy_articles` saves anything. Rules:
- line endings become \\n; trailing spaces and tabs (and full-width spaces) at line ends go;
- runs of blank lines become one blank line; blank lines before the first and after the last line go;
- indentation (ASCII spaces, tabs, full-width spaces at a paragraph's start) becomes two full-width spaces
  (a paragraph without indentation keeps none);
- ASCII spaces between CJK characters go;
- half-width `, : ; ? !` between CJK become `， ： ； ？ ！`; `.` after a CJK character at a sentence end
  (before CJK or the line end) becomes `。`; `(…)` around CJK text becomes `（…）`.
Guarantees: idempotent (tidying a tidied text changes nothing); only white space and punctuation change,
never a letter, digit or CJK character, nor their order.
"""
from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass

INDENT = "\u3000\u3000"
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# CJK context: Han characters and CJK/full-width punctuation and quotes.
_CJK = f"{_HAN}\u3001-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65“”‘’…—"
FULL_WIDTH = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", ".": "。"}

_LINE_END = re.compile(r"\r\n?")
_TRAILING = re.compile(r"[ \t\u3000]+$", re.M)
_BLANK_RUN = re.compile(r"\n{3,}")
_INDENT = re.compile(r"^[ \t\u3000]+(?=\S)", re.M)
_SPACE_BETWEEN = re.compile(f"(?<=[{_CJK}]) +(?=[{_CJK}])")
_PUNCT = re.compile(f"(?<=[{_CJK}])[,:;?!](?=[ \\t]*(?:[{_CJK}]|$))", re.M)
_FULL_STOP = re.compile(f"(?<=[{_HAN}])\\.(?=[ \\t]*(?:[{_CJK}]|$))", re.M)
_PARENS = re.compile(f"\\(([^()\\n]*[{_HAN}][^()\\n]*)\\)")


def _tidy_once(text: str) -> str:
    text = _LINE_END.sub("\n", text)
    text = _TRAILING.sub("", text)
    text = _BLANK_RUN.sub("\n\n", text).strip("\n")
    text = _PARENS.sub(r"（\1）", text)
    text = _PUNCT.sub(lambda m: FULL_WIDTH[m.group()], text)
    text = _FULL_STOP.sub("。", text)
    text = _SPACE_BETWEEN.sub("", text)
    return _INDENT.sub(INDENT, text)


def tidy_text(text: str) -> str:
    """The normalised form of a text (see the module docstring); the text itself is never changed."""
    # One rule can open a context for another (a full-width mark makes its neighbour "between CJK"):
    # repeat to the fixed point, so tidying twice equals tidying once. Each pass only shrinks or converts.
    for _ in range(10):
        tidied = _tidy_once(text)
        if tidied == text:
            break
        text = tidied
    return text


@dataclass
class Change:
    """One changed stretch of lines: the text before and after, with ±context characters."""
    before: list[tuple[str, bool]]  # (piece, changed) for highlighting
    after: list[tuple[str, bool]]


VISIBLE = str.maketrans({" ": "␣", "\t": "⇥", "\u3000": "□", "\n": "↵\n"})


def _pieces(a: str, b: str) -> tuple[list, list]:
    before, after = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            before.append((a[i1:i2], False))
            after.append((b[j1:j2], False))
        else:  # white space made visible where it changed
            if i2 > i1:
                before.append((a[i1:i2].translate(VISIBLE), True))
            if j2 > j1:
                after.append((b[j1:j2].translate(VISIBLE), True))
    return before, after


def tidy_changes(text: str, tidied: str | None = None) -> list[Change]:
    """The changed lines of `text` under tidy_text (or against `tidied`), for a preview; [] if none."""
    tidied = tidy_text(text) if tidied is None else tidied
    if tidied == text:
        return []
    old, new = text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), tidied.split("\n")
    changes = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op != "equal":
            changes.append(Change(*_pieces("\n".join(old[i1:i2]), "\n".join(new[j1:j2]))))
    if not changes:  # only line endings changed
        changes.append(Change([("（换行符 \\r\\n → \\n）", True)], [("", False)]))
    return changes


def body_digest(text: str) -> str:
    """Identifies the body an editor saw in a preview (a confirmation applies only to that body)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
