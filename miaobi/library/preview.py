"""The preview: what a reader who may not read the whole text is shown.

Built from the outline (structure.parse_structure): the salutation, the opening, every level-1
heading and a short excerpt under each, within a budget of characters. Guarantees, tested with
hypothesis in tests/test_preview.py:

- every window is a verbatim slice of the body (offsets into it, never rewritten text);
- the characters shown (white space not counted) never exceed the budget;
- the end of the text is never shown, so the last section is never complete;
- the same body and budget always give the same preview;
- a body without headings still gets its opening and an excerpt from the middle.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.conf import settings

from .models import count_words
from .structure import SENTENCE_END, Block, Outline, parse_structure

OPENING_SHARE_WITH_HEADINGS = 0.4
OPENING_SHARE_WITHOUT_HEADINGS = 0.6
MIN_EXCERPT = 12  # an excerpt shorter than this says nothing; show the heading alone
MAX_RATIO = 0.9


@dataclass(frozen=True)
class Window:
    start: int
    end: int
    block: Block
    is_title: bool = False  # the words of a heading (standalone or run-in)


@dataclass
class Piece:
    text: str
    is_title: bool


@dataclass
class PreviewPart:
    """One displayed item: a paragraph or heading made of pieces, or an elision (……略……)."""

    kind: str  # "salutation" | "heading" | "paragraph" | "elision"
    level: int = 0
    pieces: list[Piece] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.pieces)


@dataclass
class Preview:
    body: str
    windows: list[Window]
    budget: int
    total_chars: int

    @property
    def shown_chars(self) -> int:
        return sum(count_words(self.body[w.start:w.end]) for w in self.windows)

    @property
    def texts(self) -> list[str]:
        return [self.body[w.start:w.end] for w in self.windows]

    @property
    def plain_text(self) -> str:
        """The preview as plain text, for meta descriptions and snippets."""
        out = []
        for part in self.parts():
            out.append("……略……" if part.kind == "elision" else part.text)
        return "\n".join(out) + ("\n……" if self.windows else "")

    def parts(self) -> list[PreviewPart]:
        parts: list[PreviewPart] = []
        previous_end = None
        for window in self.windows:
            gap = self.body[previous_end:window.start] if previous_end is not None else ""
            same_block = parts and previous_end is not None and parts[-1].kind != "elision" and not gap.strip() \
                and window.block.start < previous_end <= window.block.end
            if previous_end is not None and gap.strip():
                parts.append(PreviewPart("elision"))
            if same_block:
                parts[-1].pieces.append(Piece(self.body[window.start:window.end], window.is_title))
            else:
                block = window.block
                kind = "heading" if block.kind == "heading" and not block.is_run_in else \
                    ("salutation" if block.kind == "salutation" else "paragraph")
                parts.append(PreviewPart(kind, block.level if kind == "heading" else 0,
                                         [Piece(self.body[window.start:window.end], window.is_title)]))
            previous_end = window.end
        return parts


def preview_budget(word_count: int, ratio: float | None = None, max_chars: int | None = None) -> int:
    ratio = settings.MIAOBI_PREVIEW_RATIO if ratio is None else ratio
    max_chars = settings.MIAOBI_PREVIEW_MAX_CHARS if max_chars is None else max_chars
    ratio = min(max(ratio, 0.0), MAX_RATIO)
    return max(0, min(math.floor(word_count * ratio), max_chars))


def _position_after(body: str, start: int, end: int, n: int) -> int:
    """The offset in body[start:end] after n non-space characters (or end)."""
    seen = 0
    for i in range(start, end):
        if not body[i].isspace():
            if seen == n:
                return i
            seen += 1
    return end


def _cut(body: str, start: int, end: int, allowance: int) -> int:
    """Where to stop a window that starts at `start` and may show `allowance` characters.

    Prefer the end of a sentence when that keeps at least half the allowance.
    """
    hard = _position_after(body, start, end, allowance)
    if hard >= end:
        return end
    for i in range(hard - 1, start, -1):
        if body[i] in SENTENCE_END:
            if count_words(body[start:i + 1]) * 2 >= allowance:
                return i + 1
            break
    return hard


class _Builder:
    def __init__(self, outline: Outline, budget: int):
        self.body = outline.body
        self.outline = outline
        self.left = budget
        self.windows: list[Window] = []
        blocks = outline.blocks
        self.text_end = blocks[-1].end if blocks else 0

    def add(self, start: int, end: int, block: Block, is_title: bool = False) -> int:
        # The last character of the text is never shown.
        end = min(end, self.text_end - 1) if end >= self.text_end else end
        shown = count_words(self.body[start:end])
        if end <= start or shown == 0 or shown > self.left:
            return 0
        self.windows.append(Window(start, end, block, is_title))
        self.left -= shown
        return shown

    def _text_fits_under(self, blocks: list[Block], index: int, allowance: int) -> bool:
        """Whether, after the heading blocks[index], the start of its text fits too (MIN_EXCERPT characters or
        more, ending at a sentence or paragraph end)."""
        heading = blocks[index]
        left = allowance - count_words(self.body[heading.start:heading.title_end])
        if heading.is_run_in:
            start, end = heading.title_end, heading.end
        elif index + 1 < len(blocks) and blocks[index + 1].kind == "paragraph":
            start, end = blocks[index + 1].start, blocks[index + 1].end
        else:
            return False
        if left < MIN_EXCERPT:
            return False
        end = min(end, self.text_end - 1) if end >= self.text_end else end
        cut = _cut(self.body, start, end, left)
        return cut > start and (cut >= end or self.body[cut - 1] in SENTENCE_END)

    def excerpt(self, blocks: list[Block], allowance: int, start_at: int | None = None) -> None:
        """Show the beginning of `blocks` (from start_at inside the first one) within `allowance`."""
        allowance = min(allowance, self.left)
        for index, block in enumerate(blocks):
            # Tiny leftovers say nothing; but a tiny text still shows its first words.
            if allowance <= 0 or (allowance < MIN_EXCERPT and self.windows):
                return
            start = start_at if (index == 0 and start_at is not None) else block.start
            if start >= block.end:
                continue
            if block.kind == "heading" and start == block.start:
                title_end = block.title_end
                if block.level >= 2 and not self._text_fits_under(blocks, index, allowance):
                    return  # a sub-heading with none of its text would end the preview on a bare title
                shown = self.add(start, min(title_end, _cut(self.body, start, title_end, allowance)), block, True)
                allowance -= shown
                if shown == 0 or title_end < block.end and allowance <= 0:
                    return
                start = title_end
                if start >= block.end:
                    continue
            end = _cut(self.body, start, block.end, allowance)
            if index > 0 and end < block.end and self.body[end - 1] not in SENTENCE_END:
                return  # a later paragraph is shown whole sentences or not at all
            allowance -= self.add(start, end, block)
            if end < block.end:
                return


def build_preview(body: str, ratio: float | None = None, max_chars: int | None = None) -> Preview:
    """The preview of `body` within the budget set by ratio and max_chars (site defaults when None)."""
    outline = parse_structure(body)
    total = count_words(body)
    budget = preview_budget(total, ratio, max_chars)
    builder = _Builder(outline, budget)
    if budget > 0 and outline.blocks:
        _fill(builder, outline, budget)
    builder.windows.sort(key=lambda w: w.start)
    return Preview(body=body, windows=builder.windows, budget=budget, total_chars=total)


def _fill(builder: _Builder, outline: Outline, budget: int) -> None:
    body = outline.body
    sections = outline.sections()
    opening, chapters = sections[0], sections[1:]
    salutation = outline.salutation

    # Fixed costs first: the salutation and every level-1 heading, which show the text's plan.
    title_cost = sum(count_words(body[c.heading.start:c.heading.title_end]) for c in chapters)
    salutation_cost = count_words(body[salutation.start:salutation.end]) if salutation else 0
    if salutation and salutation_cost + title_cost <= budget:
        builder.add(salutation.start, salutation.end, salutation)
    if chapters:
        per_title = builder.left if title_cost <= builder.left else max(1, builder.left // len(chapters))
        for chapter in chapters:
            heading = chapter.heading
            end = _cut(body, heading.start, heading.title_end, per_title)
            builder.add(heading.start, end, heading, True)
        rest = builder.left
        opening_allowance = math.floor(rest * OPENING_SHARE_WITH_HEADINGS) if opening.blocks else 0
        builder.excerpt(opening.blocks, opening_allowance)
        per_chapter = builder.left // len(chapters)
        for i, chapter in enumerate(chapters):
            heading = chapter.heading
            content = ([heading] if heading.is_run_in else []) + chapter.blocks
            allowance = per_chapter
            if i == len(chapters) - 1:
                # The last section is never shown in full.
                content_chars = count_words(body[heading.title_end:chapter.blocks[-1].end if chapter.blocks else heading.end])
                allowance = min(allowance, content_chars // 2)
            builder.excerpt(content, allowance, start_at=heading.title_end if heading.is_run_in else None)
        return

    blocks = opening.blocks
    if len(blocks) == 1:
        builder.excerpt(blocks, min(builder.left, count_words(body[blocks[0].start:blocks[0].end]) // 2))
        return
    builder.excerpt(blocks, math.floor(builder.left * OPENING_SHARE_WITHOUT_HEADINGS))
    middle = len(blocks) // 2
    covered = builder.windows[-1].end if builder.windows else 0
    candidates = [b for b in blocks[middle:-1] if b.start >= covered]
    if candidates:
        builder.excerpt(candidates, min(builder.left, count_words(body[candidates[0].start:candidates[0].end]) // 2 or 1))
