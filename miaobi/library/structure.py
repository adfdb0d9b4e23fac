"""The outline of a 公文 body: salutation, numbered headings, paragraphs, with character offsets.

The body is never changed: every block is a pair of offsets into it, so callers can show a
verbatim slice. Heading patterns, by level (full-width and half-width variants alike):

    1  一、  十二、  一.  一．          also 第一部分 / 第一章 / 第一节 at the start of a line
    2  （一） (一)
    3  1.  1．  1、  １．             (not a decimal such as 1.5亿元)
    4  （1） (1)  （１）
    5  ①  ②  …

A heading either stands alone on its line (一、强化理论武装) or runs into its paragraph
(（一）加强组织领导。各单位要……); `title_end` marks where the heading's own words end.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

CN_NUM = "一二三四五六七八九十百零〇"
_SPACE = "[ \t\u3000]*"
HEADING_PATTERNS: list[tuple[int, re.Pattern[str]]] = [
    (1, re.compile(rf"{_SPACE}(?:第[{CN_NUM}]+(?:部分|章|节|篇)|[{CN_NUM}]+{_SPACE}[、．.](?![{CN_NUM}]))")),
    (2, re.compile(rf"{_SPACE}[（(]{_SPACE}[{CN_NUM}]+{_SPACE}[)）]")),
    (3, re.compile(rf"{_SPACE}[0-9０-９]{{1,3}}{_SPACE}(?:[.．](?![0-9０-９])|、)")),
    (4, re.compile(rf"{_SPACE}[（(]{_SPACE}[0-9０-９]{{1,3}}{_SPACE}[)）]")),
    (5, re.compile(rf"{_SPACE}[①-⑳]")),
]
# A line this short ending in a colon, before any heading, is a salutation (同志们：).
SALUTATION = re.compile(r"^[ \t\u3000]*[^\n。！？；]{1,40}[：:][ \t\u3000]*$")
SENTENCE_END = "。！？；!?;…"
# A standalone heading line is short and rarely ends a sentence with 。
MAX_STANDALONE_HEADING = 60


@dataclass(frozen=True)
class Block:
    kind: str  # "salutation" | "heading" | "paragraph"
    start: int  # offset of the first non-space character
    end: int  # offset just after the last non-space character
    level: int = 0  # heading level 1-5, 0 for others
    title_end: int = 0  # headings: end of the heading's own words (== end when standalone)

    @property
    def is_run_in(self) -> bool:
        return self.kind == "heading" and self.title_end < self.end


@dataclass
class Section:
    """A level-1 heading with the blocks under it (heading is None for the opening)."""

    heading: Block | None
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Outline:
    body: str
    blocks: list[Block]

    @property
    def salutation(self) -> Block | None:
        return next((b for b in self.blocks if b.kind == "salutation"), None)

    def headings(self, level: int | None = None) -> list[Block]:
        return [b for b in self.blocks if b.kind == "heading" and (level is None or b.level == level)]

    def sections(self) -> list[Section]:
        """The opening (blocks before the first level-1 heading) and one section per level-1 heading."""
        sections = [Section(heading=None)]
        for block in self.blocks:
            if block.kind == "heading" and block.level == 1:
                sections.append(Section(heading=block))
            elif block.kind != "salutation":
                sections[-1].blocks.append(block)
        return sections

    def text(self, start: int, end: int) -> str:
        return self.body[start:end]


def _heading_level(line: str) -> tuple[int, int] | None:
    """(level, length of the marker) when the line starts with a heading marker followed by text."""
    for level, pattern in HEADING_PATTERNS:
        match = pattern.match(line)
        if match and line[match.end():].strip():
            return level, match.end()
    return None


def _title_end(line: str, marker_end: int) -> int:
    """Offset within the line where the heading's own words end."""
    if len(line) <= MAX_STANDALONE_HEADING and not any(ch in line[marker_end:-1] for ch in "。！？"):
        return len(line)
    for i in range(marker_end, len(line)):
        if line[i] in "。！？：:；":
            return i + 1
    return len(line)


def parse_structure(body: str) -> Outline:
    """Split a body into blocks with offsets; deterministic and total (any string parses)."""
    blocks: list[Block] = []
    offset = 0
    for raw_line in body.splitlines(keepends=True):
        line = raw_line.rstrip("\r\n")
        stripped_left = len(line) - len(line.lstrip())
        content = line.strip()
        line_start = offset
        offset += len(raw_line)
        if not content:
            continue
        start = line_start + stripped_left
        end = start + len(content)
        heading = _heading_level(content)
        if heading and len(content) > 1:
            level, marker_end = heading
            blocks.append(Block("heading", start, end, level, start + _title_end(content, marker_end)))
        elif not blocks and SALUTATION.match(content):
            blocks.append(Block("salutation", start, end))
        else:
            blocks.append(Block("paragraph", start, end))
    return Outline(body=body, blocks=blocks)
