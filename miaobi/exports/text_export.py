"""Plain-text (.txt) export: UTF-8 with a BOM and CRLF line endings, so Windows Notepad shows it.

Layout::

    title
    [来源：…　　发布日期：…]      (only when a source or a date is given)
    <blank line>
    body lines, exactly as written
    <blank line>
    下载标识：{mark}

The body's lines are kept as written (leading full-width spaces, inner blank lines and all);
only line endings become CRLF and blank lines at the very start/end of the body are dropped.
The one character change: lone surrogates (which UTF-8 cannot encode) become U+FFFD.
"""
from __future__ import annotations

import re
from datetime import datetime

from miaobi.exports.common import LONE_SURROGATE, MARK_LABEL, REPLACEMENT, source_line

BOM = "\ufeff"
CRLF = "\r\n"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _lines(text: str) -> list[str]:
    return _LINE_BREAK.split(LONE_SURROGATE.sub(REPLACEMENT, text or ""))


def build_txt(*, title: str, body: str, source: str = "", published_at: datetime | None = None,
              mark: str) -> bytes:
    """The article as UTF-8 (with BOM) text with CRLF line endings."""
    body_lines = _lines(body)
    while body_lines and not body_lines[0].strip():
        body_lines.pop(0)
    while body_lines and not body_lines[-1].strip():
        body_lines.pop()

    lines: list[str] = []
    title = (title or "").strip()
    if title:
        lines.extend(_lines(title))
    meta = source_line(LONE_SURROGATE.sub(REPLACEMENT, source or ""), published_at)
    if meta:
        lines.append(meta)
    if lines:
        lines.append("")
    if body_lines:
        lines.extend(body_lines)
        lines.append("")
    mark = " ".join(LONE_SURROGATE.sub(REPLACEMENT, mark or "").split())
    lines.append(f"{MARK_LABEL}{mark}")
    return (BOM + CRLF.join(lines) + CRLF).encode("utf-8")
