"""Content-Disposition header values for downloads (RFC 6266 with an RFC 5987/8187 filename*).

    content_disposition("关于2026年度工作情况的总结", "docx")
    -> attachment; filename="wenzhang.docx"; filename*=UTF-8''%E5%85%B3...%BB%93.docx

Django's ``content_disposition_header`` emits *either* ``filename=`` (ASCII names) *or*
``filename*=`` (others); we always send both, the plain one as an ASCII fallback for old clients.
"""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

FALLBACK_STEM = "wenzhang"
MAX_TITLE_CHARS = 80

# Path separators, quotes, and the characters Windows forbids in file names.
_FORBIDDEN = set('/\\"\'<>:|?*')
# Invisible format characters that can disguise a name (bidi overrides, BOM, …).
_FORMAT_CONTROLS = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")
_WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                    *(f"LPT{i}" for i in range(1, 10))}
_ASCII_QUOTABLE = re.compile(r"^[\x20-\x7e]+$")


def _allowed(ch: str) -> bool:
    if ch in _FORBIDDEN or ch in _FORMAT_CONTROLS:
        return False
    # Cc control, Cs lone surrogate, Co private use, Zl/Zp line/paragraph separators
    return unicodedata.category(ch) not in {"Cc", "Cs", "Co", "Zl", "Zp"}


def safe_stem(title: str) -> str:
    """The title made safe as a file name (without extension): at most 80 characters, never empty."""
    text = unicodedata.normalize("NFC", title or "")
    text = "".join(ch if _allowed(ch) else (" " if ch in "\t\n\r\x0b\x0c\u2028\u2029" else "")
                   for ch in text)
    text = " ".join(text.split())  # any run of whitespace (full-width too) -> one space
    text = text.strip(" .")[:MAX_TITLE_CHARS].rstrip(" .")
    if not text:
        return FALLBACK_STEM
    if text.split(".")[0].upper() in _WINDOWS_DEVICES:
        text = f"_{text}"
    return text


def _safe_ext(ext: str) -> str:
    return re.sub(r"[^a-z0-9]", "", (ext or "").lower())[:10]


def content_disposition(title: str, ext: str) -> str:
    """`attachment; filename="<ascii>.<ext>"; filename*=UTF-8''<percent-encoded title>.<ext>`."""
    stem = safe_stem(title)
    ext = _safe_ext(ext)
    suffix = f".{ext}" if ext else ""
    # Quotes and backslashes are already gone; "%" is replaced because some clients decode it.
    ascii_stem = stem.replace("%", "_") if _ASCII_QUOTABLE.match(stem) else FALLBACK_STEM
    encoded = quote(stem + suffix, safe="")
    return f"attachment; filename=\"{ascii_stem}{suffix}\"; filename*=UTF-8''{encoded}"
