"""Test files built in the tests themselves. Every text here was written for these tests."""
from __future__ import annotations

import io

SPEECH_TITLE = "在全镇秋季防火工作部署会上的讲话"
SPEECH_BODY = """同志们：
今天我们召开全镇秋季防火工作部署会，主要任务是分析当前林区防火形势，安排好今冬明春的各项防范措施。
一、认清形势，把防火责任扛在肩上
今年入秋以来降雨偏少，山林里落叶堆积，部分村组还有烧荒的旧习惯，火险等级持续偏高。
（一）看到存在的薄弱环节。个别护林员巡山不到位，瞭望台设备老化，扑火物资储备不足。
（二）明确各级的防火职责。镇班子成员包片、村干部包组、护林员包山头，层层签订责任书。
二、突出重点，把隐患消除在萌芽状态
1.严管野外用火。清明、寒衣节等祭扫高峰期间，在主要路口设卡劝导，收缴火种。
2.加强巡山护林。每天早晚各巡查一次，发现烟点第一时间报告镇应急办。
三、强化保障，确保一旦有火能够快速扑灭
镇财政安排专项资金更新扑火机具，半专业扑火队要集中训练，做到拉得出、打得赢。
同志们，森林防火责任重于泰山，希望大家守土尽责，确保全镇山林安全。"""

THOUGHTS_TRAD_TITLE = "參加青年幹部讀書班的心得體會"
THOUGHTS_TRAD_BODY = """這次讀書班為期兩周，我系統學習了基層治理的有關課程，收穫很大。
一、理論水平有了新提高
通過專題輔導和分組研討，我對依法行政、服務群眾的要求理解得更透徹了。
二、工作思路有了新拓展
今後我要把學到的方法用到社區工作中，多走訪、多傾聽，把群眾的小事當成自己的大事。"""


def make_docx(title: str, paragraphs: list[tuple[str, str | None]]) -> bytes:
    """A .docx with a Title paragraph and (text, style) paragraphs, by python-docx."""
    import docx

    document = docx.Document()
    document.add_paragraph(title, style="Title")
    for text, style in paragraphs:
        document.add_paragraph(text, style=style)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_pdf(lines: list[str]) -> bytes:
    """A minimal one-page PDF with a text layer: a Type0 font (Identity-H) whose ToUnicode CMap maps a
    2-byte code per distinct character back to Unicode, so text extraction returns the lines exactly."""
    chars = sorted({ch for line in lines for ch in line})
    code = {ch: i + 1 for i, ch in enumerate(chars)}
    ops = ["BT", "/F1 12 Tf", "14 TL", "50 780 Td"]
    for line in lines:
        ops.append("<" + "".join(f"{code[ch]:04X}" for ch in line) + "> Tj T*")
    ops.append("ET")
    content = "\n".join(ops).encode("ascii")
    bfchars = "\n".join(f"<{code[ch]:04X}> <{ord(ch):04X}>" for ch in chars)
    cmap = (f"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            f"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            f"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            f"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
            f"{len(chars)} beginbfchar\n{bfchars}\nendbfchar\n"
            f"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend").encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H "
        b"/DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 >>",
        b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
