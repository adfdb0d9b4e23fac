"""Content-Disposition values: ASCII fallback plus RFC 5987 filename*."""
import re
from urllib.parse import unquote

import pytest

from miaobi.exports.filenames import content_disposition, safe_stem

HEADER = re.compile(r"^attachment; filename=\"([\x20-\x7e]*)\"; filename\*=UTF-8''([A-Za-z0-9%._~-]+)$")


def parts(value):
    match = HEADER.match(value)
    assert match, value
    return match.group(1), unquote(match.group(2), encoding="utf-8", errors="strict")


def test_chinese_title():
    fallback, name = parts(content_disposition("关于2026年度工作情况的总结", "docx"))
    assert fallback == "wenzhang.docx"
    assert name == "关于2026年度工作情况的总结.docx"


def test_ascii_title_is_its_own_fallback():
    assert parts(content_disposition("Annual report 2026", "txt")) == ("Annual report 2026.txt",) * 2


@pytest.mark.parametrize("title", ["", "   ", "\u3000", "../..", "///", '""', "\x00\x01"])
def test_empty_or_meaningless_title(title):
    assert parts(content_disposition(title, "docx")) == ("wenzhang.docx", "wenzhang.docx")


def test_path_separators_quotes_and_controls_are_removed():
    fallback, name = parts(content_disposition('../../etc/pa"ss\\wd\r\nSet-Cookie: x=1\x00', "docx"))
    assert "/" not in name and "\\" not in name and '"' not in name
    assert "\r" not in name and "\n" not in name and "\x00" not in name
    assert not name.startswith(".")
    assert name == "etcpasswd Set-Cookie x=1.docx"
    value = content_disposition("甲\r\n乙", "txt")
    assert "\r" not in value and "\n" not in value
    value.encode("latin-1")  # a valid header value


def test_bidi_override_cannot_disguise_the_extension():
    _, name = parts(content_disposition("报告\u202excod.exe", "docx"))
    assert name == "报告xcod.exe.docx"


def test_title_capped_at_80_characters():
    title = "关于进一步加强基层党组织建设" * 10
    _, name = parts(content_disposition(title, "docx"))
    assert name == title[:80] + ".docx"
    assert len(safe_stem(title)) == 80


def test_characters_outside_the_bmp_and_emoji_are_encoded():
    fallback, name = parts(content_disposition("𠀀字😀标题", "docx"))
    assert name == "𠀀字😀标题.docx"
    assert fallback == "wenzhang.docx"


def test_percent_in_fallback():
    fallback, name = parts(content_disposition("100% done", "txt"))
    assert fallback == "100_ done.txt"
    assert name == "100% done.txt"


def test_extension_is_sanitised():
    fallback, name = parts(content_disposition("标题", ".DOCX"))
    assert name == "标题.docx"
    assert parts(content_disposition("标题", "do/cx\""))[1] == "标题.docx"


def test_windows_device_names():
    assert parts(content_disposition("CON", "txt"))[1] == "_CON.txt"
