"""Turn an outline or a preview into display blocks for templates (no rules in templates)."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .preview import Preview
from .structure import Outline

HEADING_TAGS = {1: "h2", 2: "h3", 3: "h4", 4: "h4", 5: "h4"}
TOC_MIN_CHARS = 3000
TOC_MIN_HEADINGS = 3


@dataclass
class DisplayBlock:
    tag: str  # h2 h3 h4 p, or "elision"
    css: str
    pieces: list[tuple[str, bool]] = field(default_factory=list)  # (text, is_title)
    anchor: str = ""


def full_text_blocks(outline: Outline) -> list[DisplayBlock]:
    blocks = []
    body = outline.body
    heading_no = 0
    for block in outline.blocks:
        text = body[block.start:block.end]
        if block.kind == "heading" and not block.is_run_in:
            heading_no += 1
            blocks.append(DisplayBlock(HEADING_TAGS[block.level], f"h-l{block.level}", [(text, True)],
                                       anchor=f"s{heading_no}" if block.level == 1 else ""))
        elif block.kind == "heading":
            blocks.append(DisplayBlock("p", f"runin h-l{block.level}", [
                (body[block.start:block.title_end], True), (body[block.title_end:block.end], False)]))
        else:
            blocks.append(DisplayBlock("p", block.kind, [(text, False)]))
    return blocks


def table_of_contents(outline: Outline, word_count: int) -> list[tuple[str, str]]:
    """(anchor, heading) pairs of level-1 headings, for long texts only."""
    headings = outline.headings(level=1)
    if word_count < TOC_MIN_CHARS or len(headings) < TOC_MIN_HEADINGS:
        return []
    standalone = [h for h in outline.blocks if h.kind == "heading" and not h.is_run_in]
    anchors = []
    for i, h in enumerate(standalone, start=1):
        if h.level == 1:
            anchors.append((f"s{i}", outline.body[h.start:h.end]))
    return anchors


def preview_blocks(preview: Preview) -> list[DisplayBlock]:
    blocks = []
    for part in preview.parts():
        if part.kind == "elision":
            blocks.append(DisplayBlock("elision", "elision"))
        elif part.kind == "heading":
            blocks.append(DisplayBlock(HEADING_TAGS[part.level], f"h-l{part.level}",
                                       [(p.text, True) for p in part.pieces]))
        else:
            blocks.append(DisplayBlock("p", part.kind if part.kind == "salutation" else "paragraph",
                                       [(p.text, p.is_title) for p in part.pieces]))
    return blocks


def render_blocks(blocks: list[DisplayBlock]) -> SafeString:
    """HTML of the display blocks: one element per paragraph or heading, every text escaped.

    Built in Python rather than a template loop: an article has hundreds of blocks and this is
    the hottest path of the site.
    """
    out = []
    for b in blocks:
        if b.tag == "elision":
            out.append('<p class="elision" aria-label="中间部分省略">……略……</p>')
            continue
        inner = "".join(
            f"<strong>{escape(text)}</strong>" if is_title and b.tag == "p" else str(escape(text))
            for text, is_title in b.pieces
        )
        anchor = f' id="{b.anchor}"' if b.anchor else ""
        out.append(f'<{b.tag} class="{b.css}"{anchor}>{inner}</{b.tag}>')
    return mark_safe("\n".join(out))
