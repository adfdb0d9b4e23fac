"""The .docx builder: GB/T 9704-2012 layout, styles, fonts, footers, mark, verbatim text.

All texts here are written for these tests.
"""
import io
from datetime import datetime, timedelta, timezone

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt

from miaobi.exports.docx_export import build_docx, read_mark
from miaobi.library.structure import parse_structure

MARK = "M000123 2026-11-25 18:30:05"
TITLE = "某某区市场监管局2026年度工作总结"

SUMMARY = """同志们：
今年以来，区市场监管局坚持稳中求进，围绕优化营商环境和守牢安全底线两条主线，各项工作有序推进。现将全年工作总结如下。
一、全年工作完成情况
（一）登记注册便利化取得新进展
全区新增经营主体四千二百余户，企业开办压缩至一个工作日内办结。
1.推行“一窗通办”。在区政务服务中心设立综合窗口，实现营业执照、印章、发票一次领取。
（1）窗口人员实行AB岗，确保午间不断档。
（2）建立帮办代办台账，每周通报一次。
①对首次办理的群众全程指导。
（二）食品安全监管持续加强。全年抽检食品一千八百批次，核查处置不合格产品全部到位。
二、存在的不足
　　部分基层所执法力量偏弱，智慧监管平台应用还不够深入。
三、明年工作打算
围绕“放得开、管得住、服务好”的目标，重点抓好信用监管和特种设备安全两项工作。"""

VERBATIM = "　　全角空格开头的段落 𠀀 生僻字😀与<script>alert(1)</script> & 符号\t制表符  \n" \
           "第二段：A&B < C > D \"引号\" ‘单引号’ …… —— 结束。\n\n\n" \
           "   \u3000\n" \
           "最后一段，没有换行结尾"


def build(body=SUMMARY, **kwargs):
    kwargs.setdefault("title", TITLE)
    kwargs.setdefault("mark", MARK)
    return build_docx(body=body, **kwargs)


def open_doc(data):
    return docx.Document(io.BytesIO(data))


def east_asia(element):
    """w:rFonts/@w:eastAsia of a run, style or rPr-carrying element (None if not set)."""
    fonts = element.find(".//" + qn("w:rFonts"))
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def body_paragraphs(document):
    """The paragraphs after the empty line that follows the title block."""
    paragraphs = document.paragraphs
    first_empty = next(i for i, p in enumerate(paragraphs) if not p.text)
    return paragraphs[first_empty + 1:]


def expected_lines(body):
    return [line.strip() for line in body.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def doc():
    return open_doc(build(source="某某区市场监管局", published_at=datetime(2026, 12, 30, 2, tzinfo=timezone.utc)))


# --- page geometry ---------------------------------------------------------------------------

def test_page_is_a4_with_gb_margins(doc):
    section = doc.sections[0]
    assert abs(section.page_width.mm - 210) < 0.1
    assert abs(section.page_height.mm - 297) < 0.1
    assert abs(section.top_margin.mm - 37) < 0.1
    assert abs(section.bottom_margin.mm - 35) < 0.1
    assert abs(section.left_margin.mm - 28) < 0.1
    assert abs(section.right_margin.mm - 26) < 0.1


def test_page_holds_22_lines_of_28_characters(doc):
    section = doc.sections[0]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines"
    line_pitch = int(grid.get(qn("w:linePitch")))
    assert line_pitch == 579  # 28.95 pt
    type_height_twips = section.page_height.twips - section.top_margin.twips - section.bottom_margin.twips
    assert type_height_twips // line_pitch == 22
    body = doc.styles["公文正文"].element.rPr
    condense_pt = int(body.find(qn("w:spacing")).get(qn("w:val"))) / 20
    char_pitch_pt = 16 + condense_pt
    type_width_pt = (section.page_width.twips - section.left_margin.twips - section.right_margin.twips) / 20
    assert int(type_width_pt // char_pitch_pt) == 28


# --- title -----------------------------------------------------------------------------------

def test_title_is_centred_22pt_xiaobiaosong_followed_by_an_empty_line(doc):
    title = doc.paragraphs[0]
    assert title.text == TITLE
    assert title.style.name == "公文标题"
    assert title.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert title.style.font.size == Pt(22)
    assert title.style.font.name == "方正小标宋简体"
    assert east_asia(title.style.element) == "方正小标宋简体"
    assert all(east_asia(run._r) == "方正小标宋简体" for run in title.runs)
    # optional source line, then the empty line
    assert doc.paragraphs[1].text == "来源：某某区市场监管局　　发布日期：2026年12月30日"
    assert doc.paragraphs[2].text == ""


def test_title_without_source_is_directly_followed_by_the_empty_line():
    document = open_doc(build())
    assert document.paragraphs[0].text == TITLE
    assert document.paragraphs[1].text == ""
    assert document.paragraphs[2].text == "同志们："


# --- body ------------------------------------------------------------------------------------

def test_body_paragraphs_use_the_body_style(doc):
    style = doc.styles["公文正文"]
    assert style.font.size == Pt(16)
    assert east_asia(style.element) == "仿宋_GB2312"
    pf = style.paragraph_format
    assert pf.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert abs(pf.line_spacing.pt - 28.95) < 0.01
    assert pf.first_line_indent == Pt(32)
    assert style.element.pPr.ind.get(qn("w:firstLineChars")) == "200"
    assert pf.space_before == Pt(0) and pf.space_after == Pt(0)

    plain = [p for p in body_paragraphs(doc) if p.text.startswith("全区新增经营主体")]
    assert len(plain) == 1
    paragraph = plain[0]
    assert paragraph.style.name == "公文正文"
    assert [east_asia(run._r) for run in paragraph.runs] == ["仿宋_GB2312"]


def test_salutation_has_no_first_line_indent(doc):
    salutation = body_paragraphs(doc)[0]
    assert salutation.text == "同志们："
    assert salutation.style.name == "公文称谓"
    assert salutation.style.paragraph_format.first_line_indent == Pt(0)
    assert salutation.style.element.pPr.ind.get(qn("w:firstLineChars")) == "0"


@pytest.mark.parametrize(
    "start, style, font",
    [
        ("一、全年工作完成情况", "公文一级标题", "黑体"),
        ("（一）登记注册便利化取得新进展", "公文二级标题", "楷体_GB2312"),
        ("（1）窗口人员实行AB岗", "公文四级标题", "仿宋_GB2312"),
        ("①对首次办理的群众全程指导", "公文五级标题", "仿宋_GB2312"),
        ("二、存在的不足", "公文一级标题", "黑体"),
    ],
)
def test_standalone_headings_get_heading_styles_and_fonts(doc, start, style, font):
    [paragraph] = [p for p in body_paragraphs(doc) if p.text.startswith(start)]
    assert paragraph.style.name == style
    assert east_asia(paragraph.style.element) == font
    assert paragraph.style.font.size is None or paragraph.style.font.size == Pt(16)
    assert paragraph.style.base_style.name == "公文正文"  # 16 pt, exact spacing, indent inherited
    assert all(east_asia(run._r) == font for run in paragraph.runs)


def test_heading_styles_levels_three_to_five_use_fangsong():
    document = open_doc(build(body="1.第三层标题\n（1）第四层标题\n①第五层标题"))
    styles = [p.style.name for p in body_paragraphs(document)]
    assert styles == ["公文三级标题", "公文四级标题", "公文五级标题"]
    for name in styles:
        assert east_asia(document.styles[name].element) == "仿宋_GB2312"


@pytest.mark.parametrize(
    "start, title_part, font",
    [
        ("1.推行", "1.推行“一窗通办”。", "仿宋_GB2312"),
        ("（二）食品安全", "（二）食品安全监管持续加强。", "楷体_GB2312"),
    ],
)
def test_run_in_heading_is_one_body_paragraph_with_a_heading_run(doc, start, title_part, font):
    [paragraph] = [p for p in body_paragraphs(doc) if p.text.startswith(start)]
    assert paragraph.style.name == "公文正文"
    head, rest = paragraph.runs
    assert head.text == title_part
    assert east_asia(head._r) == font
    assert east_asia(rest._r) == "仿宋_GB2312"
    assert head.text + rest.text == paragraph.text


def test_styles_follow_the_outline_parser(doc):
    outline = parse_structure(SUMMARY)
    paragraphs = body_paragraphs(doc)
    assert len(paragraphs) == len(outline.blocks)
    levels = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五"}
    for block, paragraph in zip(outline.blocks, paragraphs):
        assert paragraph.text == SUMMARY[block.start:block.end]
        if block.kind == "salutation":
            assert paragraph.style.name == "公文称谓"
        elif block.kind == "heading" and not block.is_run_in:
            assert paragraph.style.name == f"公文{levels[block.level]}级标题"
        else:
            assert paragraph.style.name == "公文正文"


def test_every_run_names_its_east_asian_font(doc):
    for paragraph in doc.paragraphs:
        for run in paragraph.runs:
            assert east_asia(run._r), paragraph.text


# --- footers ---------------------------------------------------------------------------------

def _footer_parts(footer):
    page_line, mark_line = footer.paragraphs
    return page_line, mark_line


@pytest.mark.parametrize("which, alignment", [("footer", WD_ALIGN_PARAGRAPH.RIGHT),
                                               ("even_page_footer", WD_ALIGN_PARAGRAPH.LEFT)])
def test_footer_has_a_page_field_between_em_dashes(doc, which, alignment):
    footer = getattr(doc.sections[0], which)
    assert not footer.is_linked_to_previous
    page_line, _ = _footer_parts(footer)
    assert page_line.alignment == alignment
    xml = page_line._p
    instr = [e.text.strip() for e in xml.iter(qn("w:instrText"))]
    simple = [e.get(qn("w:instr")).strip() for e in xml.iter(qn("w:fldSimple"))]
    assert "PAGE" in instr + simple
    text = page_line.text  # field result included
    assert text.startswith("—") and text.endswith("—")
    assert page_line.style.name == "公文页码"
    assert page_line.style.font.size == Pt(14)
    assert east_asia(page_line.style.element) == "宋体"
    assert all(east_asia(run._r) == "宋体" for run in page_line.runs)


def test_odd_and_even_footers_are_enabled(doc):
    assert doc.settings.odd_and_even_pages_header_footer is True
    assert doc.settings.element.find(qn("w:evenAndOddHeaders")) is not None


# --- mark and properties ---------------------------------------------------------------------

def test_mark_is_in_the_properties_and_both_footers(doc):
    props = doc.core_properties
    assert props.comments == MARK
    assert props.keywords == MARK
    assert props.identifier == MARK
    for footer in (doc.sections[0].footer, doc.sections[0].even_page_footer):
        _, mark_line = _footer_parts(footer)
        assert mark_line.text == f"下载标识：{MARK}"
        assert mark_line.style.font.size == Pt(9)


def test_read_mark_returns_the_mark():
    assert read_mark(build()) == MARK
    assert read_mark(build(mark="M999999 2027-01-02 08:00:00")) == "M999999 2027-01-02 08:00:00"


def test_read_mark_falls_back_to_the_footer_when_properties_were_cleared():
    document = open_doc(build())
    props = document.core_properties
    props.comments = props.keywords = props.identifier = ""
    out = io.BytesIO()
    document.save(out)
    assert read_mark(out.getvalue()) == MARK


def test_read_mark_of_something_else_is_none():
    assert read_mark(b"not a word file") is None
    assert read_mark(b"") is None
    plain = io.BytesIO()
    docx.Document().save(plain)
    assert docx.Document(io.BytesIO(plain.getvalue())).core_properties.comments  # has a comment...
    assert read_mark(plain.getvalue()) is None  # ...which is not a download mark


def test_core_properties(doc):
    props = doc.core_properties
    assert props.title == TITLE
    assert props.author == "某某区市场监管局"
    assert props.created == datetime(2026, 12, 30, 2, 0, tzinfo=timezone.utc)


def test_core_property_defaults_and_time_zone_conversion():
    beijing = timezone(timedelta(hours=8))
    document = open_doc(build(published_at=datetime(2026, 3, 1, 9, 30, tzinfo=beijing)))
    assert document.core_properties.author == "妙笔智库"
    assert document.core_properties.created == datetime(2026, 3, 1, 1, 30, tzinfo=timezone.utc)


def test_long_title_is_cut_only_in_the_properties():
    title = "关于进一步加强和改进基层治理工作的实施意见" * 20
    document = open_doc(build(title=title))
    assert document.paragraphs[0].text == title
    assert document.core_properties.title == title[:255]


# --- text is kept verbatim -------------------------------------------------------------------

def test_paragraph_texts_equal_the_body_lines_verbatim():
    document = open_doc(build(body=VERBATIM))
    texts = [p.text for p in body_paragraphs(document)]
    assert texts == expected_lines(VERBATIM)
    assert texts[0] == "全角空格开头的段落 𠀀 生僻字😀与<script>alert(1)</script> & 符号\t制表符"
    joined = "".join(texts)
    for fragment in ("𠀀", "😀", "<script>", "&", "‘单引号’", "……", "——"):
        assert fragment in joined


def test_summary_lines_verbatim(doc):
    assert [p.text for p in body_paragraphs(doc)] == expected_lines(SUMMARY)


def test_a_100000_character_body():
    paragraph = "各部门要严格落实安全生产责任制，做到守土有责、守土尽责，坚决防范和遏制重特大事故发生。"
    lines = []
    while sum(len(line) + 1 for line in lines) < 100_000:
        n = len(lines)
        lines.append(f"{'一二三四五六七八九'[n % 9]}、第{n}部分" if n % 50 == 0 else paragraph * 3)
    body = "\n".join(lines)[:100_000]
    assert len(body) == 100_000
    document = open_doc(build(body=body))
    assert [p.text for p in body_paragraphs(document)] == expected_lines(body)


def test_a_single_100000_character_line():
    body = ("持续深化改革" * 20_000)[:100_000]
    document = open_doc(build(body=body))
    assert [p.text for p in body_paragraphs(document)] == [body]


def test_a_body_without_headings():
    body = "本通知自印发之日起施行。\n各单位在执行中遇到的问题，请及时报告。"
    document = open_doc(build(body=body))
    paragraphs = body_paragraphs(document)
    assert [p.text for p in paragraphs] == expected_lines(body)
    assert {p.style.name for p in paragraphs} == {"公文正文"}


def test_empty_body_and_empty_title_do_not_crash():
    assert read_mark(build(body="")) == MARK
    document = open_doc(build(title="", body="只有正文。"))
    assert [p.text for p in document.paragraphs] == ["只有正文。"]


def test_windows_line_endings():
    document = open_doc(build(body="第一段。\r\n\r\n第二段。\r\n"))
    assert [p.text for p in body_paragraphs(document)] == ["第一段。", "第二段。"]


def test_xml_illegal_control_characters_are_replaced_not_fatal():
    body = "第一段\x00含有\x01控制\x08字符\x0b和\x0c分页\x1f。\n第二段\x7f保留，\ud800孤立代理\uffff。"
    data = build(body=body, title="标题\x02", source="来源\x03", mark="M1\x04")
    document = open_doc(data)
    texts = [p.text for p in body_paragraphs(document)]
    assert texts == [
        "第一段\ufffd含有\ufffd控制\ufffd字符\ufffd和\ufffd分页\ufffd。",
        "第二段\x7f保留，\ufffd孤立代理\ufffd。",
    ]
    assert document.paragraphs[0].text == "标题\ufffd"
    assert document.core_properties.author == "来源\ufffd"
    assert read_mark(data) == "M1\ufffd"


def test_control_character_on_its_own_line_stays_a_paragraph():
    document = open_doc(build(body="甲。\n\x05\n乙。"))
    assert [p.text for p in body_paragraphs(document)] == ["甲。", "\ufffd", "乙。"]


def test_no_thumbnail_of_the_template_is_shipped():
    import zipfile

    names = zipfile.ZipFile(io.BytesIO(build())).namelist()
    assert not any("thumbnail" in name for name in names)
