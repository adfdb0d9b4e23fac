"""Word (.docx) export laid out after GB/T 9704-2012 《党政机关公文格式》.

Page: A4 (210 × 297 mm), margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm, which leaves
a type area of 156 × 225 mm holding 22 lines of 28 characters:

* line pitch: fixed ("exact") line spacing of 28.95 pt (579 twips) and a document grid
  (``w:docGrid w:type="linesAndChars" w:linePitch="579"``). 225 mm / 22 is 28.99 pt; 28.95 pt is
  the value 公文 templates use, and 22 × 28.95 pt still fits the type area;
* character pitch: ``w:charSpace`` is computed from the real text width so that 28 characters of
  the 16 pt Normal font fill a line (about -842, i.e. a 15.79 pt pitch).

Fonts (every East-Asian font is written explicitly as ``w:rFonts/@w:eastAsia`` on each style and
each run, because python-docx's ``font.name`` only sets ascii/hAnsi and Word/WPS then show the
theme's East-Asian font instead):

* title: 2号 (22 pt) 方正小标宋简体, centred, followed by an empty line;
* body: 3号 (16 pt) 仿宋_GB2312, first-line indent of two characters, justified;
* headings: level 1 (一、) 黑体, level 2 (（一）) 楷体_GB2312, levels 3–5 (1. （1） ①) 仿宋_GB2312;
* page numbers: 4号 (14 pt) 宋体 ``— N —``, odd pages right, even pages left.

Fallbacks: 方正小标宋简体 / 仿宋_GB2312 / 楷体_GB2312 are not installed everywhere. Word (and WPS)
substitute a missing font on their own; to steer that choice the font table also lists each of them
with ``w:altName`` (方正小标宋简体 → 宋体, 仿宋_GB2312 → 仿宋, 楷体_GB2312 → 楷体), the GB2312
charset (86) and ``w:hint="eastAsia"`` on every ``w:rFonts``.

Every paragraph is a real Word style (公文标题, 公文正文, 公文一级标题 … 公文五级标题, 公文称谓,
公文来源, 公文页码, 下载标识) so an editor can restyle the whole document at once. A run-in heading
(（一）加强组织领导。各单位要……) is one 公文正文 paragraph whose first run carries the heading font
(and the character style 公文二级标题字符 etc.), the rest the body font.

The text is never rewritten: every non-empty line of the body (lines as ``str.splitlines`` and
:func:`miaobi.library.structure.parse_structure` see them) becomes one paragraph whose text is that
line stripped of leading/trailing whitespace (full-width spaces included). The one exception:
characters XML cannot carry (U+0000–U+0008, U+000B, U+000C, U+000E–U+001F, lone surrogates,
U+FFFE, U+FFFF) are replaced by U+FFFD in the output — the stored text is left alone.

The download mark (e.g. ``M000123 2026-11-25 18:30:05``) is written to the core properties
(comments, keywords, identifier) and as a small grey line ``下载标识：…`` in both footers;
:func:`read_mark` reads it back.
"""
from __future__ import annotations

import io
from datetime import datetime, timezone

from docx import Document
from lxml import etree
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from miaobi.exports.common import DEFAULT_AUTHOR, MARK_LABEL, source_line, xml_safe
from miaobi.library.structure import parse_structure

# --- geometry (GB/T 9704-2012 §5.2) -------------------------------------------------------
PAGE_WIDTH = Mm(210)
PAGE_HEIGHT = Mm(297)
MARGIN_TOP = Mm(37)
MARGIN_BOTTOM = Mm(35)
MARGIN_LEFT = Mm(28)
MARGIN_RIGHT = Mm(26)
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
LINE_PITCH = Pt(28.95)  # exact line spacing = 579 twips
LINE_PITCH_TWIPS = 579
# 156 mm = 442.2 pt; 28 characters of 16 pt need 15.79 pt each: condense by 0.25 pt (5 twentieths).
CHAR_CONDENSE_TWENTIETHS = -5
# The page-number line sits about 7 mm below the type area: footer bottom edge = 35 − 7 − the
# height of the footer's two lines (18 pt + 12 pt ≈ 10.6 mm).
FOOTER_DISTANCE = Mm(17.4)

# --- fonts ----------------------------------------------------------------------------------
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEI_FONT = "黑体"
KAI_FONT = "楷体_GB2312"
SONG_FONT = "宋体"
# Font-table entries: name -> (altName Word may substitute, w:family)
FONT_TABLE = {
    TITLE_FONT: ("宋体", "script"),
    BODY_FONT: ("仿宋", "modern"),
    KAI_FONT: ("楷体", "modern"),
    HEI_FONT: ("SimHei", "modern"),
    SONG_FONT: ("SimSun", "auto"),
}

TITLE_SIZE = Pt(22)  # 2号
BODY_SIZE = Pt(16)  # 3号
PAGE_NUMBER_SIZE = Pt(14)  # 4号
MARK_SIZE = Pt(9)
MARK_COLOR = RGBColor(0x80, 0x80, 0x80)
INDENT_2_CHARS = Pt(32)  # two 16 pt characters

# --- style names (what editors see) and ASCII style ids -------------------------------------
STYLE_TITLE = "公文标题"
STYLE_BODY = "公文正文"
STYLE_SALUTATION = "公文称谓"
STYLE_SOURCE = "公文来源"
STYLE_PAGE_NUMBER = "公文页码"
STYLE_MARK = "下载标识"
HEADING_STYLES = {1: "公文一级标题", 2: "公文二级标题", 3: "公文三级标题", 4: "公文四级标题", 5: "公文五级标题"}
HEADING_CHAR_STYLES = {level: f"{name}字符" for level, name in HEADING_STYLES.items()}
HEADING_FONTS = {1: HEI_FONT, 2: KAI_FONT, 3: BODY_FONT, 4: BODY_FONT, 5: BODY_FONT}
_STYLE_IDS = {
    STYLE_TITLE: "GongwenTitle",
    STYLE_BODY: "GongwenBody",
    STYLE_SALUTATION: "GongwenSalutation",
    STYLE_SOURCE: "GongwenSource",
    STYLE_PAGE_NUMBER: "GongwenPageNumber",
    STYLE_MARK: "GongwenMark",
    **{name: f"GongwenHeading{level}" for level, name in HEADING_STYLES.items()},
    **{name: f"GongwenHeading{level}Char" for level, name in HEADING_CHAR_STYLES.items()},
}

# Child order inside w:pPr / w:rPr (ECMA-376), to insert elements python-docx has no API for.
_PPR_SEQ = (
    "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl",
    "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens",
    "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE",
    "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
    "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection",
    "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr",
    "w:sectPr", "w:pPrChange",
)
_RPR_SEQ = (
    "w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike",
    "w:dstrike", "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof", "w:snapToGrid",
    "w:vanish", "w:webHidden", "w:color", "w:spacing", "w:w", "w:kern", "w:position", "w:sz",
    "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign",
    "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath",
)
_THEME_FONT_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
CORE_PROPERTY_LIMIT = 255  # python-docx refuses longer core-property strings


# ---------------------------------------------------------------------------------------------
# low-level XML helpers


def _set_child(parent, tag: str, seq: tuple[str, ...], attrs: dict[str, str]):
    """Replace/insert child `tag` of `parent` (a w:pPr or w:rPr) at its schema position."""
    for old in parent.findall(qn(tag)):
        parent.remove(old)
    element = OxmlElement(tag, attrs={qn(k): v for k, v in attrs.items()})
    parent.insert_element_before(element, *seq[seq.index(tag) + 1:])
    return element


def _set_fonts(rPr, font: str) -> None:
    """Name `font` for every script (ascii, hAnsi, eastAsia, cs) on a w:rPr, dropping theme fonts."""
    rFonts = rPr.get_or_add_rFonts()
    for attr in _THEME_FONT_ATTRS:
        rFonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rFonts.set(qn(attr), font)
    # Ambiguous characters (“ ” — …) use the East-Asian font, as Chinese Word does.
    rFonts.set(qn("w:hint"), "eastAsia")


def _set_lang(rPr) -> None:
    _set_child(rPr, "w:lang", _RPR_SEQ, {"w:val": "en-US", "w:eastAsia": "zh-CN", "w:bidi": "ar-SA"})


def _set_first_line_chars(style_element, chars: int) -> None:
    """w:ind/@w:firstLineChars (hundredths of a character), which Word prefers over w:firstLine."""
    ind = style_element.get_or_add_pPr().get_or_add_ind()
    ind.set(qn("w:firstLineChars"), str(chars))


def _set_exact_spacing(paragraph_format, line) -> None:
    paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    paragraph_format.line_spacing = line
    paragraph_format.space_before = Pt(0)
    paragraph_format.space_after = Pt(0)


# ---------------------------------------------------------------------------------------------
# document set-up


def _set_doc_defaults(document) -> None:
    """16 pt 仿宋_GB2312, zh-CN and no paragraph spacing as the defaults under every style."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rPr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rPr, BODY_FONT)
    _set_child(rPr, "w:sz", _RPR_SEQ, {"w:val": "32"})
    _set_child(rPr, "w:szCs", _RPR_SEQ, {"w:val": "32"})
    _set_lang(rPr)
    pPr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    _set_child(pPr, "w:spacing", _PPR_SEQ, {"w:after": "0", "w:line": "240", "w:lineRule": "auto"})

    # Normal carries the same font and size: the grid's character pitch is relative to it.
    normal = document.styles["Normal"]
    normal.font.size = BODY_SIZE
    _set_fonts(normal.element.get_or_add_rPr(), BODY_FONT)


def _add_style(document, name: str, style_type=WD_STYLE_TYPE.PARAGRAPH, base=None):
    style = document.styles.add_style(name, style_type)
    style.style_id = _STYLE_IDS[name]
    if base is not None:
        style.base_style = base
    style.quick_style = True
    return style


def _style_font(style, font: str, size=None, color=None) -> None:
    if size is not None:
        style.font.size = size
    if color is not None:
        style.font.color.rgb = color
    _set_fonts(style.element.get_or_add_rPr(), font)


def _create_styles(document) -> None:
    normal = document.styles["Normal"]

    body = _add_style(document, STYLE_BODY, base=normal)
    _style_font(body, BODY_FONT, BODY_SIZE)
    _condense(body)
    pf = body.paragraph_format
    _set_exact_spacing(pf, LINE_PITCH)
    pf.first_line_indent = INDENT_2_CHARS
    pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    _set_first_line_chars(body.element, 200)
    body.next_paragraph_style = body

    title = _add_style(document, STYLE_TITLE, base=normal)
    _style_font(title, TITLE_FONT, TITLE_SIZE)
    pf = title.paragraph_format
    _set_exact_spacing(pf, LINE_PITCH)
    pf.alignment = WD_ALIGN_PARAGRAPH.CENTER
    pf.first_line_indent = Pt(0)
    pf.keep_with_next = True
    # 22 pt characters must not be squeezed onto the 16 pt character grid.
    _set_child(title.element.get_or_add_pPr(), "w:snapToGrid", _PPR_SEQ, {"w:val": "0"})
    title.next_paragraph_style = body

    source = _add_style(document, STYLE_SOURCE, base=body)
    _style_font(source, KAI_FONT)
    source.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    source.paragraph_format.first_line_indent = Pt(0)
    _set_first_line_chars(source.element, 0)
    source.next_paragraph_style = body

    salutation = _add_style(document, STYLE_SALUTATION, base=body)
    salutation.paragraph_format.first_line_indent = Pt(0)
    _set_first_line_chars(salutation.element, 0)
    salutation.next_paragraph_style = body

    for level, name in HEADING_STYLES.items():
        heading = _add_style(document, name, base=body)
        _style_font(heading, HEADING_FONTS[level])
        _condense(heading)
        heading.paragraph_format.keep_with_next = True
        _set_child(heading.element.get_or_add_pPr(), "w:outlineLvl", _PPR_SEQ, {"w:val": str(level - 1)})
        heading.next_paragraph_style = body
        char_style = _add_style(
            document, HEADING_CHAR_STYLES[level], WD_STYLE_TYPE.CHARACTER,
            base=document.styles["Default Paragraph Font"],
        )
        _style_font(char_style, HEADING_FONTS[level])

    page_number = _add_style(document, STYLE_PAGE_NUMBER, base=normal)
    _style_font(page_number, SONG_FONT, PAGE_NUMBER_SIZE)
    _set_exact_spacing(page_number.paragraph_format, Pt(18))
    _set_child(page_number.element.get_or_add_pPr(), "w:snapToGrid", _PPR_SEQ, {"w:val": "0"})

    mark = _add_style(document, STYLE_MARK, base=normal)
    _style_font(mark, SONG_FONT, MARK_SIZE, MARK_COLOR)
    _set_exact_spacing(mark.paragraph_format, Pt(12))
    _set_child(mark.element.get_or_add_pPr(), "w:snapToGrid", _PPR_SEQ, {"w:val": "0"})



def _set_up_section(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = PAGE_WIDTH
    section.page_height = PAGE_HEIGHT
    section.top_margin = MARGIN_TOP
    section.bottom_margin = MARGIN_BOTTOM
    section.left_margin = MARGIN_LEFT
    section.right_margin = MARGIN_RIGHT
    section.gutter = Mm(0)
    section.footer_distance = FOOTER_DISTANCE
    section.header_distance = Mm(15)

    # "22 lines of 28 characters". Lines: a line grid of 28.95 pt plus exact line spacing. Characters:
    # body and heading styles are condensed (CHAR_CONDENSE) so that 28 characters of 16 pt fill the
    # 156 mm line. A "linesAndChars" grid would say the same to Word, but LibreOffice and older WPS
    # builds lay it out at about 17 characters a line (seen here), so the grid carries lines only.
    sectPr = section._sectPr
    grid = sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sectPr.insert_element_before(grid, "w:printerSettings", "w:sectPrChange")
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
    grid.attrib.pop(qn("w:charSpace"), None)


def _condense(style) -> None:
    """Tighten letter spacing so that CHARS_PER_LINE body characters fit the text width."""
    _set_child(style.element.get_or_add_rPr(), "w:spacing", _RPR_SEQ, {"w:val": str(CHAR_CONDENSE_TWENTIETHS)})


def _set_up_settings(document) -> None:
    document.settings.odd_and_even_pages_header_footer = True
    settings = document.settings.element
    # The template's preview picture shows a blank Letter page: do not keep or regenerate it.
    for element in settings.findall(qn("w:savePreviewPicture")):
        settings.remove(element)
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:eastAsia"), "zh-CN")
    package = document.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package.rels.pop(rel_id)


def _add_font_table_entries(document) -> None:
    """List the 公文 fonts in word/fontTable.xml with an altName and the GB2312 charset."""
    try:
        part = document.part.part_related_by(RT.FONT_TABLE)
    except KeyError:
        return
    fonts = parse_xml(part.blob)
    known = {f.get(qn("w:name")) for f in fonts.findall(qn("w:font"))}
    for name, (alt_name, family) in FONT_TABLE.items():
        if name in known:
            continue
        font = OxmlElement("w:font", attrs={qn("w:name"): name})
        font.append(OxmlElement("w:altName", attrs={qn("w:val"): alt_name}))
        font.append(OxmlElement("w:charset", attrs={qn("w:val"): "86"}))
        font.append(OxmlElement("w:family", attrs={qn("w:val"): family}))
        font.append(OxmlElement("w:pitch", attrs={qn("w:val"): "variable"}))
        fonts.append(font)
    part._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)


# ---------------------------------------------------------------------------------------------
# content


def _add_paragraph(container, style_name: str):
    """A new paragraph in `style_name`, set by style id (python-docx's lookup by name is slow)."""
    paragraph = container.add_paragraph()
    paragraph._p.get_or_add_pPr().style = _STYLE_IDS[style_name]
    return paragraph


def _add_run(paragraph, text: str, font: str, char_style_name: str | None = None):
    run = paragraph.add_run(text)
    rPr = run._r.get_or_add_rPr()
    if char_style_name is not None:
        rPr.style = _STYLE_IDS[char_style_name]
    _set_fonts(rPr, font)
    return run


def _field_run(paragraph, font: str, *, fld_char: str | None = None, instr: str | None = None,
               text: str | None = None):
    run = paragraph.add_run()
    _set_fonts(run._r.get_or_add_rPr(), font)
    if fld_char is not None:
        run._r.append(OxmlElement("w:fldChar", attrs={qn("w:fldCharType"): fld_char}))
    if instr is not None:
        element = OxmlElement("w:instrText", attrs={qn("xml:space"): "preserve"})
        element.text = instr
        run._r.append(element)
    if text is not None:
        run.text = text
    return run


def _fill_footer(footer, mark: str, *, odd: bool) -> None:
    """— N — (a PAGE field) at the outer edge, one character in; the download mark below it."""
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0]
    paragraph._p.get_or_add_pPr().style = _STYLE_IDS[STYLE_PAGE_NUMBER]
    pf = paragraph.paragraph_format
    if odd:
        pf.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        pf.right_indent = PAGE_NUMBER_SIZE
    else:
        pf.alignment = WD_ALIGN_PARAGRAPH.LEFT
        pf.left_indent = PAGE_NUMBER_SIZE
    _add_run(paragraph, "— ", SONG_FONT)
    _field_run(paragraph, SONG_FONT, fld_char="begin")
    _field_run(paragraph, SONG_FONT, instr=" PAGE ")
    _field_run(paragraph, SONG_FONT, fld_char="separate")
    _field_run(paragraph, SONG_FONT, text="1")
    _field_run(paragraph, SONG_FONT, fld_char="end")
    _add_run(paragraph, " —", SONG_FONT)

    mark_paragraph = _add_paragraph(footer, STYLE_MARK)
    mark_paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    if odd:
        mark_paragraph.paragraph_format.right_indent = PAGE_NUMBER_SIZE
    else:
        mark_paragraph.paragraph_format.left_indent = PAGE_NUMBER_SIZE
    _add_run(mark_paragraph, f"{MARK_LABEL}{mark}", SONG_FONT)


def _add_body(document, body: str) -> None:
    outline = parse_structure(body)
    for block in outline.blocks:
        text = body[block.start:block.end]
        if block.kind == "salutation":
            paragraph = _add_paragraph(document, STYLE_SALUTATION)
            _add_run(paragraph, text, BODY_FONT)
        elif block.kind == "heading" and block.is_run_in:
            level = block.level
            paragraph = _add_paragraph(document, STYLE_BODY)
            _add_run(paragraph, body[block.start:block.title_end], HEADING_FONTS[level],
                     HEADING_CHAR_STYLES[level])
            _add_run(paragraph, body[block.title_end:block.end], BODY_FONT)
        elif block.kind == "heading":
            paragraph = _add_paragraph(document, HEADING_STYLES[block.level])
            _add_run(paragraph, text, HEADING_FONTS[block.level])
        else:
            paragraph = _add_paragraph(document, STYLE_BODY)
            _add_run(paragraph, text, BODY_FONT)


def _core_text(value: str) -> str:
    """One line, at most 255 characters (the limit python-docx enforces)."""
    return " ".join(value.split())[:CORE_PROPERTY_LIMIT]


def _utc(value: datetime) -> datetime:
    """python-docx writes datetimes with a "Z" suffix without converting: hand it UTC (naive = UTC)."""
    if value.tzinfo is None:
        return value
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def _set_core_properties(document, *, title: str, source: str, published_at: datetime | None,
                         mark: str) -> None:
    now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    props = document.core_properties
    props.title = _core_text(title)
    props.author = _core_text(source) or DEFAULT_AUTHOR
    props.last_modified_by = DEFAULT_AUTHOR
    props.subject = ""
    props.category = ""
    props.comments = _core_text(mark)
    props.keywords = _core_text(mark)
    props.identifier = _core_text(mark)
    props.language = "zh-CN"
    props.revision = 1
    props.created = _utc(published_at) if published_at is not None else now
    props.modified = now


# ---------------------------------------------------------------------------------------------
# public API


def build_docx(*, title: str, body: str, source: str = "", published_at: datetime | None = None,
               mark: str) -> bytes:
    """The article as a GB/T 9704-style .docx (bytes).

    Every non-empty line of `body` becomes one paragraph with exactly that line's text, stripped
    of surrounding whitespace. Characters XML 1.0 cannot hold (C0 controls except tab/LF/CR, lone
    surrogates, U+FFFE/U+FFFF) are replaced by U+FFFD in the output only; nothing else is changed.
    `mark` is stored in the core properties (comments, keywords, identifier) and in the footers.
    """
    title = xml_safe(title).strip()
    body = xml_safe(body)
    source = xml_safe(source).strip()
    mark = " ".join(xml_safe(mark).split())

    document = Document()
    _set_doc_defaults(document)
    _create_styles(document)
    _set_up_section(document)
    _set_up_settings(document)
    _add_font_table_entries(document)

    if title:
        paragraph = _add_paragraph(document, STYLE_TITLE)
        _add_run(paragraph, title, TITLE_FONT)  # a line break in the title stays a line break
    meta = source_line(source, published_at)
    if meta:
        paragraph = _add_paragraph(document, STYLE_SOURCE)
        _add_run(paragraph, meta, KAI_FONT)
    if title or meta:
        _add_paragraph(document, STYLE_BODY)  # the empty line under the title
    _add_body(document, body)

    section = document.sections[0]
    _fill_footer(section.footer, mark, odd=True)
    _fill_footer(section.even_page_footer, mark, odd=False)

    _set_core_properties(document, title=title, source=source, published_at=published_at, mark=mark)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def read_mark(data: bytes) -> str | None:
    """The download mark of a file made by :func:`build_docx`, or None when none can be found.

    Only files that carry this builder's signature (the 下载标识 style or a ``下载标识：`` footer
    line) are trusted, so an unrelated Word file's comments are never taken for a mark. Looks at
    the core properties (comments, identifier, keywords) first, then at the footer line, in case
    someone cleared the properties. Not-a-docx input gives None.
    """
    try:
        document = Document(io.BytesIO(data))
    except Exception:  # not a zip, not a Word package, damaged: nothing to read
        return None
    footer_marks = []
    for section in document.sections:
        for footer in (section.footer, section.even_page_footer, section.first_page_footer):
            if footer.is_linked_to_previous:
                continue
            for paragraph in footer.paragraphs:
                text = paragraph.text.strip()
                if text.startswith(MARK_LABEL) and text[len(MARK_LABEL):].strip():
                    footer_marks.append(text[len(MARK_LABEL):].strip())
    has_mark_style = any(style.style_id == _STYLE_IDS[STYLE_MARK] for style in document.styles)
    if not (has_mark_style or footer_marks):
        return None
    props = document.core_properties
    for value in (props.comments, props.identifier, props.keywords):
        if value and value.strip():
            return value.strip()
    return footer_marks[0] if footer_marks else None
