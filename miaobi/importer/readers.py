"""Read one file's bytes into a `Parsed` text: title, body, date, genre guess, tags, structure.

Guarantees:
- the body is the decoded text exactly (a verbatim slice of it when its first line became the title);
  no whitespace or punctuation is changed here;
- every refusal is a `ReadError` whose str() is a clear Chinese reason; nothing raises anything else
  for bad input.
Formats: .txt/.md (UTF-8 with or without BOM, UTF-16, GB18030/GBK, Big5), .docx, .html/.htm, .pdf
with a text layer. A legacy .doc is refused with a fixed message unless `antiword` is installed.
"""
from __future__ import annotations

import codecs
import io
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath

SUPPORTED = {".txt", ".md", ".docx", ".html", ".htm", ".pdf", ".doc"}
DOC_MESSAGE = "不支持 .doc 格式，请另存为 .docx 后再导入"
MAX_TITLE = 80


class ReadError(ValueError):
    """A file that cannot be imported; str() is the Chinese reason shown to the user."""


@dataclass
class Parsed:
    title: str
    body: str
    encoding: str = ""
    date: date | None = None
    genre_slug: str = ""
    tags: list[str] = field(default_factory=list)
    headings: list[dict] = field(default_factory=list)  # [{"level": n, "text": "..."}] for the preview


# --- decoding ---------------------------------------------------------------------------------------

_CJK = re.compile(r"[\u4e00-\u9fff]")
# Characters frequent in simplified 公文 text; Big5 bytes read as GBK (and the reverse) rarely give them.
_COMMON = set("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞")


def _cjk_score(text: str) -> float:
    chars = _CJK.findall(text)
    if not chars:
        return 0.0
    return sum(ch in _COMMON for ch in chars) / len(chars)


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding) of a plain-text file. BOMs decide first; then strict UTF-8; then GB18030 vs Big5
    by which reading gives common Chinese characters (charset-normalizer settles anything else)."""
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data, "utf-8-sig"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # UTF-16 without a BOM: every other byte of CJK/ASCII text is a pattern of NULs or high bytes.
    if len(data) >= 4 and len(data) % 2 == 0 and data.count(b"\x00") > len(data) // 8:
        for encoding in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if _cjk_score(text) > 0.2 or text.isascii():
                return text, encoding
    candidates = []
    for encoding in ("gb18030", "big5"):
        try:
            candidates.append((_cjk_score(data.decode(encoding)), encoding))
        except UnicodeDecodeError:
            continue
    if candidates:
        score, encoding = max(candidates)
        if score > 0.05:
            return data.decode(encoding), encoding
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise ReadError("无法识别文件编码（不是 UTF-8、UTF-16、GBK/GB18030 或 Big5 文本）")
    return str(best), best.encoding


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        label, bom = ("UTF-8", 3) if encoding == "utf-8-sig" else ("UTF-16", 0)
        raise ReadError(f"文件以 {label} 标记开头，但第 {exc.start + bom} 字节处内容不是合法的 {label}，请检查文件是否损坏") from None


# --- title, date, genre, tags -------------------------------------------------------------------------

_TITLE_LINE = re.compile(r"^[ \t\u3000]*(?:#{1,6}[ \t]*)?(\S[^\n]*?)[ \t\u3000]*$")
_DATE_PATTERNS = [
    re.compile(r"(20\d{2}|19\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"),
    re.compile(r"(?<!\d)(20\d{2}|19\d{2})[-_.](\d{1,2})[-_.](\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(20\d{2})(\d{2})(\d{2})(?!\d)"),
]
GENRE_RULES = [  # (slug, words in the title or opening); the first rule that matches the title wins
    ("shuzhi", ("述职", "述廉")),
    ("duizhao", ("对照检查", "检视剖析", "个人检视")),
    ("dangke", ("党课",)),
    ("zhuchici", ("主持词", "主持稿")),
    ("zhici", ("致辞", "贺词", "欢迎词")),
    ("diaoyan", ("调研报告", "调查报告", "调研")),
    ("fangan", ("实施方案", "工作方案", "方案")),
    ("jihua", ("工作计划", "工作要点", "计划")),
    ("zongjie", ("工作总结", "总结")),
    ("xinde", ("心得", "体会", "感悟", "研讨发言")),
    ("huibao", ("汇报", "经验交流", "情况报告")),
    ("jianghua", ("讲话", "发言", "动员", "致辞")),
]


def parse_date(*texts: str) -> date | None:
    """The first valid calendar date written in the texts (file name, title, then the body's end)."""
    for text in texts:
        for pattern in _DATE_PATTERNS:
            for match in pattern.finditer(text or ""):
                try:
                    return date(int(match[1]), int(match[2]), int(match[3]))
                except ValueError:
                    continue
    return None


def guess_genre(title: str, body: str) -> str:
    """A genre slug from the title (then the first 200 characters of the body), or "" when unsure."""
    for text in (title, body[:200]):
        for slug, words in GENRE_RULES:
            if any(word in text for word in words):
                return slug
    return ""


def guess_tags(title: str, body: str, tag_names: list[str], limit: int = 3) -> list[str]:
    """Existing topic names the text is about: in the title, or at least twice in the body."""
    scored = []
    for name in tag_names:
        count = body.count(name)
        if name in title or count >= 2:
            scored.append((name in title, count, name))
    scored.sort(reverse=True)
    return [name for _, _, name in scored[:limit]]


def headings_of(body: str) -> list[dict]:
    from miaobi.library.structure import parse_structure

    outline = parse_structure(body)
    return [{"level": b.level, "text": body[b.start:b.title_end or b.end]} for b in outline.headings()]


def split_title(text: str, fallback: str) -> tuple[str, str]:
    """(title, body): a short first line that is not itself a numbered heading becomes the title and the
    body starts at the next line; otherwise the file name is the title and the body is the whole text."""
    from miaobi.library.structure import HEADING_PATTERNS

    lines = text.split("\n")
    offset = 0
    for line in lines:
        if line.strip(" \t\u3000\r\ufeff"):
            break
        offset += len(line) + 1
    else:
        return fallback, text
    first = lines[len(text[:offset].split("\n")) - 1] if offset else lines[0]
    match = _TITLE_LINE.match(first.rstrip("\r"))
    candidate = match[1].strip() if match else ""
    is_heading = any(p.match(candidate) for _, p in HEADING_PATTERNS)
    if candidate and len(candidate) <= MAX_TITLE and not is_heading and not candidate.endswith(("。", "；", "：", ":")):
        rest = text[offset + len(first) + 1:]
        if rest.strip():
            return candidate, rest
    return fallback, text


# --- formats ------------------------------------------------------------------------------------------

def read_plain(data: bytes, name: str) -> Parsed:
    text, encoding = decode_text(data)
    if not text.strip():
        raise ReadError("文件没有文字内容")
    title, body = split_title(text, PurePath(name).stem)
    return Parsed(title=title, body=body, encoding=encoding)


_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.I)


def read_docx(data: bytes, name: str) -> Parsed:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ReadError("无法读取 .docx 文件（文件可能已损坏或不是 Word 文档）") from exc
    except Exception as exc:  # python-docx raises assorted lxml errors on damaged parts
        raise ReadError("无法读取 .docx 文件（文件可能已损坏或不是 Word 文档）") from exc
    title, lines, headings = "", [], []
    for paragraph in document.paragraphs:
        text = paragraph.text
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        level_match = _HEADING_STYLE.match(style.strip())
        if not title and style.strip().lower() in {"title", "标题"} and text.strip():
            title = text.strip()
            continue
        if level_match and text.strip():
            level = int(level_match[1])
            if not title and level == 1 and not lines:
                title = text.strip()
                continue
            headings.append({"level": level, "text": text.strip()})
        lines.append(text)
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    body = "\n".join(lines)
    if not body.strip():
        raise ReadError("文档没有正文")
    if not title:
        title, body = split_title(body, PurePath(name).stem)
    parsed = Parsed(title=title, body=body, encoding="docx")
    parsed.headings = headings
    return parsed


_DROP_TAGS = {"script", "style", "nav", "header", "footer", "aside", "form", "iframe", "noscript", "button",
              "select", "template", "svg", "menu"}
_BOILERPLATE = re.compile(r"(?:^|[-_ ])(?:nav|menu|footer|header|sidebar|side|ad|ads|advert|banner|comment|share|"
                          r"related|breadcrumb|toolbar|copyright|recommend|hot|popup|login)(?:$|[-_ \d])", re.I)
_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "br", "tr", "section", "article", "blockquote", "pre"}
_KEEP_TAGS = {"html", "head", "title", "body", "main", "article", "section", "div", "p", "br", "span", "strong", "b",
              "em", "i", "u", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table", "thead", "tbody", "tr",
              "td", "th", "blockquote", "pre", "font", "center", "nav", "header", "footer", "aside", "a"}


def read_html(data: bytes, name: str) -> Parsed:
    """Main content of a saved web page: sanitised by nh3 (scripts, styles, handlers gone), boilerplate
    blocks (nav, header, footer, ads, comments) dropped, the densest text block kept, as lines."""
    import lxml.html
    import nh3

    text = _decode_html(data)
    clean = nh3.clean(text, tags=_KEEP_TAGS, attributes={"*": {"class", "id"}}, link_rel=None,
                      clean_content_tags={"script", "style", "noscript", "template", "iframe", "svg", "button",
                                          "select", "form"}, strip_comments=True)
    try:
        root = lxml.html.fromstring(f"<html><body>{clean}</body></html>")
    except Exception as exc:
        raise ReadError("无法解析网页内容") from exc
    page_title = ""
    title_match = re.search(r"<title[^>]*>(.*?)</title>", text, re.S | re.I)
    if title_match:
        page_title = re.sub(r"\s+", " ", lxml.html.fromstring(f"<p>{nh3.clean(title_match[1], tags=set())}</p>").text_content()).strip()
    for element in list(root.iter()):
        if not isinstance(element.tag, str) or element.getparent() is None:
            continue
        marker = f"{element.get('class', '')} {element.get('id', '')}"
        if element.tag in _DROP_TAGS or _BOILERPLATE.search(marker):
            element.drop_tree()
    main = _main_block(root)
    h1 = main.find(".//h1")
    if h1 is None:
        h1 = root.find(".//h1")
    title = (h1.text_content().strip() if h1 is not None else "") or page_title.split("_")[0].split("|")[0].strip()
    if h1 is not None and main is not root and h1.getparent() is not None and _inside(h1, main):
        h1.drop_tree()
    lines = [line for line in _lines(main) if line]
    body = "\n".join(lines)
    if not body.strip():
        raise ReadError("网页中没有找到正文")
    if not title:
        title, body = split_title(body, PurePath(name).stem)
    return Parsed(title=title[:MAX_TITLE], body=body, encoding="html")


def _inside(element, ancestor) -> bool:
    while element is not None:
        if element is ancestor:
            return True
        element = element.getparent()
    return False


def _decode_html(data: bytes) -> str:
    match = re.search(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_-]+)", data[:4096], re.I)
    if match:
        try:
            return data.decode(match[1].decode("ascii").lower().replace("gb2312", "gb18030").replace("gbk", "gb18030"))
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data)[0]


def _main_block(root):
    for tag in ("article", "main"):
        found = root.findall(f".//{tag}")
        if found:
            return max(found, key=lambda e: len(_CJK.findall(e.text_content())))
    best, best_score = root, 0.0
    for element in root.iter("div", "section", "td"):
        paragraphs = element.findall("./p")
        score = sum(len(_CJK.findall(p.text_content())) for p in paragraphs)
        if score > best_score:
            best, best_score = element, score
    return best


def _lines(element) -> list[str]:
    out, current = [], []

    def walk(node):
        if node.tag in _BLOCKS and current:
            out.append("".join(current).strip())
            current.clear()
        if node.text:
            current.append(node.text)
        for child in node:
            if isinstance(child.tag, str):
                walk(child)
            if child.tail:
                current.append(child.tail)
        if node.tag in _BLOCKS and current:
            out.append("".join(current).strip())
            current.clear()

    walk(element)
    if current:
        out.append("".join(current).strip())
    return [re.sub(r"[ \t\r\n]+", " ", line).strip() for line in out]


def read_pdf(data: bytes, name: str) -> Parsed:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ReadError("PDF 已加密，请先解除密码再导入")
        pages = [page.extract_text() or "" for page in reader.pages]
    except ReadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ReadError("无法读取 PDF 文件（文件可能已损坏）") from exc
    except Exception as exc:
        raise ReadError("无法读取 PDF 文件（文件可能已损坏）") from exc
    text = "\n".join(p.strip("\n") for p in pages)
    if not text.strip():
        raise ReadError("PDF 没有文字层（可能是扫描件），请先做文字识别（OCR）再导入")
    title, body = split_title(text, PurePath(name).stem)
    return Parsed(title=title, body=body, encoding="pdf")


def read_doc(data: bytes, name: str) -> Parsed:
    converter = shutil.which("antiword")
    if not converter:
        raise ReadError(DOC_MESSAGE)
    try:
        result = subprocess.run([converter, "-m", "UTF-8.txt", "-"], input=data, capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        raise ReadError(DOC_MESSAGE) from None
    if result.returncode != 0 or not result.stdout.strip():
        raise ReadError(DOC_MESSAGE)
    return read_plain(result.stdout, name)


READERS = {".txt": read_plain, ".md": read_plain, ".docx": read_docx, ".html": read_html, ".htm": read_html,
           ".pdf": read_pdf, ".doc": read_doc}


def read_file(data: bytes, name: str, *, tag_names: list[str] = ()) -> Parsed:
    """Parse one file's bytes by its extension; fills date, genre guess, tags and headings.
    Raises ReadError (Chinese reason) for an empty, damaged or unsupported file."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in READERS:
        raise ReadError(f"不支持的文件类型：{suffix or '无扩展名'}")
    if not data:
        raise ReadError("文件为空")
    parsed = READERS[suffix](data, name)
    parsed.title = parsed.title.strip()[:MAX_TITLE] or PurePath(name).stem[:MAX_TITLE]
    parsed.date = parse_date(PurePath(name).stem, parsed.title, parsed.body[:300], parsed.body[-300:])
    parsed.genre_slug = guess_genre(parsed.title, parsed.body)
    parsed.tags = guess_tags(parsed.title, parsed.body, list(tag_names))
    if not parsed.headings:
        parsed.headings = headings_of(parsed.body)
    return parsed
