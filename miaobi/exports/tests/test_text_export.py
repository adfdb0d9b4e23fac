"""The .txt builder: UTF-8 with BOM, CRLF, title / blank / body / blank / mark."""
from datetime import datetime, timezone

from miaobi.exports.text_export import build_txt

MARK = "M000123 2026-11-25 18:30:05"
BODY = "同志们：\n　　一、统一思想认识\n全区上下要把思想统一到决策部署上来 𠀀😀<script>&\n\n（一）压实工作责任。各单位主要负责同志要亲自抓。"


def decode(data: bytes) -> str:
    assert data.startswith(b"\xef\xbb\xbf")
    return data[3:].decode("utf-8")


def test_layout_bom_and_crlf():
    data = build_txt(title="关于做好年终工作的讲话", body=BODY, mark=MARK)
    text = decode(data)
    assert "\n" not in text.replace("\r\n", "")  # every line ending is CRLF
    assert text.endswith("\r\n")
    lines = text.split("\r\n")[:-1]
    assert lines == [
        "关于做好年终工作的讲话",
        "",
        "同志们：",
        "　　一、统一思想认识",  # lines as written, leading full-width spaces kept
        "全区上下要把思想统一到决策部署上来 𠀀😀<script>&",
        "",
        "（一）压实工作责任。各单位主要负责同志要亲自抓。",
        "",
        f"下载标识：{MARK}",
    ]


def test_source_and_date_line_when_given():
    data = build_txt(title="标题", body="正文。", source="某某县人民政府办公室",
                     published_at=datetime(2026, 11, 24, 17, 0, tzinfo=timezone.utc), mark=MARK)
    lines = decode(data).split("\r\n")
    # 17:00 UTC is the next day in the site's time zone (Asia/Shanghai)
    assert lines[:3] == ["标题", "来源：某某县人民政府办公室　　发布日期：2026年11月25日", ""]


def test_windows_and_old_mac_line_endings_are_normalised():
    text = decode(build_txt(title="标题", body="甲\r\n乙\r丙\n", mark=MARK))
    assert text == "标题\r\n\r\n甲\r\n乙\r\n丙\r\n\r\n下载标识：" + MARK + "\r\n"


def test_control_characters_are_kept_and_lone_surrogates_replaced():
    text = decode(build_txt(title="标题", body="甲\x00乙\ud800丙", mark=MARK))
    assert "甲\x00乙\ufffd丙" in text


def test_empty_body():
    text = decode(build_txt(title="标题", body="", mark=MARK))
    assert text == "标题\r\n\r\n下载标识：" + MARK + "\r\n"


def test_large_body():
    body = "\n".join(["坚持问题导向，推动各项任务落地见效。" * 5] * 1200)
    text = decode(build_txt(title="标题", body=body, mark=MARK))
    assert text.split("\r\n")[2:-3] == body.split("\n")
