"""Formats and encodings: titles, bodies byte-exact after decoding, genres, error messages."""
import pytest

from miaobi.importer.readers import DOC_MESSAGE, ReadError, read_file

from .helpers import SPEECH_BODY, SPEECH_TITLE, THOUGHTS_TRAD_BODY, THOUGHTS_TRAD_TITLE, make_docx, make_pdf

SPEECH = f"{SPEECH_TITLE}\n{SPEECH_BODY}\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "gbk", "gb18030"])
def test_plain_text_encodings(encoding):
    parsed = read_file(SPEECH.encode(encoding), "秋季防火.txt")
    assert parsed.title == SPEECH_TITLE
    assert parsed.body == f"{SPEECH_BODY}\n"  # exactly as decoded, after the title line
    assert parsed.genre_slug == "jianghua"
    assert [h["text"] for h in parsed.headings if h["level"] == 1] == [
        "一、认清形势，把防火责任扛在肩上", "二、突出重点，把隐患消除在萌芽状态", "三、强化保障，确保一旦有火能够快速扑灭"]


def test_gb18030_characters_outside_gbk():
    text = "关于㐀字库整理的工作总结\n本年度共整理罕用字𠀀等四百余个，全部完成校对。\n"
    parsed = read_file(text.encode("gb18030"), "x.txt")
    assert parsed.body == "本年度共整理罕用字𠀀等四百余个，全部完成校对。\n"
    assert parsed.genre_slug == "zongjie"


def test_big5_traditional():
    data = f"{THOUGHTS_TRAD_TITLE}\n{THOUGHTS_TRAD_BODY}".encode("big5")
    parsed = read_file(data, "x.txt")
    assert parsed.encoding == "big5"
    assert parsed.title == THOUGHTS_TRAD_TITLE
    assert parsed.body == THOUGHTS_TRAD_BODY
    assert parsed.genre_slug == "xinde"


def test_crlf_and_markdown_heading_kept_verbatim():
    text = "# 2024年工作计划\r\n一、总体思路\r\n坚持稳中求进。\r\n"
    parsed = read_file(text.encode("utf-8"), "plan.md")
    assert parsed.title == "2024年工作计划"
    assert parsed.body == "一、总体思路\r\n坚持稳中求进。\r\n"
    assert parsed.genre_slug == "jihua"


def test_title_falls_back_to_file_name_and_date_from_name():
    text = "一、基本情况\n全年共完成培训十二期。\n"
    parsed = read_file(text.encode("utf-8"), "2023-12-28 述职报告.txt")
    assert parsed.title == "2023-12-28 述职报告"
    assert parsed.body == text
    assert parsed.date.isoformat() == "2023-12-28"
    assert parsed.genre_slug == "shuzhi"


def test_date_in_text():
    text = "关于社区议事会的调研报告\n今年以来，我们走访了九个社区。\n县委政研室\n2024年5月6日\n"
    parsed = read_file(text.encode("utf-8"), "a.txt")
    assert parsed.date.isoformat() == "2024-05-06"
    assert parsed.genre_slug == "diaoyan"


def test_docx_paragraphs_and_heading_styles():
    data = make_docx(SPEECH_TITLE, [("同志们：", None), ("一、认清形势", "Heading 1"), ("今年入秋以来降雨偏少。", None),
                                    ("（一）看到薄弱环节", "Heading 2"), ("个别护林员巡山不到位。", None)])
    parsed = read_file(data, "a.docx")
    assert parsed.title == SPEECH_TITLE
    assert parsed.body == "同志们：\n一、认清形势\n今年入秋以来降雨偏少。\n（一）看到薄弱环节\n个别护林员巡山不到位。"
    assert parsed.headings == [{"level": 1, "text": "一、认清形势"}, {"level": 2, "text": "（一）看到薄弱环节"}]
    assert parsed.genre_slug == "jianghua"


HTML = """<!doctype html><html><head><meta charset="gbk"><title>学习心得_某某网</title>
<style>body{color:red}</style><script>var ad = "广告脚本内容";</script></head><body>
<div class="nav"><a href="/">首页</a> <a href="/x">范文大全</a></div>
<header id="header">网站头部 登录 注册</header>
<div class="ad-banner">限时优惠，全场八折</div>
<div class="content"><h1>参加党纪学习教育的心得体会</h1>
<p>通过这次集中学习，我对纪律规矩的认识更深了一层。</p>
<p>一、把纪律挺在前面</p><p>平时工作中要<b>时时</b>对照条例检查自己。</p>
<script>document.write("正文中的脚本")</script>
<div class="share">分享到微信</div></div>
<div class="comment">网友评论：写得好</div>
<footer>版权所有 联系我们</footer></body></html>"""


def test_html_main_content_only():
    parsed = read_file(HTML.encode("gbk"), "page.html")
    assert parsed.title == "参加党纪学习教育的心得体会"
    assert parsed.body == "通过这次集中学习，我对纪律规矩的认识更深了一层。\n一、把纪律挺在前面\n平时工作中要时时对照条例检查自己。"
    for junk in ("首页", "广告", "优惠", "脚本", "分享", "评论", "版权", "登录", "color"):
        assert junk not in parsed.body
    assert parsed.genre_slug == "xinde"


def test_pdf_text_layer():
    lines = ["关于做好冬季取暖安全工作的实施方案", "一、工作目标", "确保今冬取暖季不发生一氧化碳中毒事故。"]
    parsed = read_file(make_pdf(lines), "a.pdf")
    assert parsed.title == lines[0]
    assert parsed.body == "一、工作目标\n确保今冬取暖季不发生一氧化碳中毒事故。"
    assert parsed.genre_slug == "fangan"


@pytest.mark.parametrize("name, data, message", [
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, DOC_MESSAGE),
    ("empty.txt", b"", "文件为空"),
    ("blank.txt", b" \n\r\n", "文件没有文字内容"),
    ("broken.docx", b"PK\x03\x04 not really a zip", "无法读取 .docx 文件（文件可能已损坏或不是 Word 文档）"),
    ("broken.pdf", b"%PDF-1.4\n garbage", "无法读取 PDF 文件（文件可能已损坏）"),
    ("image.png", b"\x89PNG", "不支持的文件类型：.png"),
    ("bad-bom.txt", b"\xef\xbb\xbf\xff\xfe\xfd", "文件以 UTF-8 标记开头，但第 3 字节处内容不是合法的 UTF-8，请检查文件是否损坏"),
])
def test_bad_files_have_clear_messages(name, data, message, monkeypatch):
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(ReadError) as exc:
        read_file(data, name)
    assert str(exc.value) == message


def test_pdf_without_text_layer():
    with pytest.raises(ReadError, match="PDF 没有文字层"):
        read_file(make_pdf([]), "scan.pdf")
