"""Attachments: the type is sniffed from the content, never trusted from the name."""
from __future__ import annotations

import io
import zipfile

from django.conf import settings

OOXML = {"word/": "docx", "xl/": "xlsx", "ppt/": "pptx"}
KIND_LABELS = {"docx": "Word", "doc": "Word 97-2003", "pdf": "PDF", "png": "图片", "jpg": "图片", "gif": "图片",
               "webp": "图片", "txt": "文本", "xlsx": "Excel", "pptx": "PowerPoint", "wps": "WPS"}


class UploadRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def sniff(head: bytes, data: bytes) -> str | None:
    """The file kind from its first bytes (and, for zip packages, their contents); None if not allowed."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"  # OLE compound file: Word 97-2003 / WPS
    if head.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return None
        for prefix, kind in OOXML.items():
            if any(n.startswith(prefix) for n in names) and "[Content_Types].xml" in names:
                return kind
        return None  # an arbitrary archive may hide anything
    if b"\x00" not in data[:8192]:
        for encoding in ("utf-8", "gb18030"):
            try:
                data.decode(encoding)
                return "txt"
            except UnicodeDecodeError:
                continue
    return None


def check_upload(upload, *, only: set[str] | None = None) -> str:
    """Validate one uploaded file; returns its sniffed kind or raises UploadRefused (Chinese message)."""
    name = upload.name or "文件"
    if upload.size == 0:
        raise UploadRefused(f"“{name}”是空文件。")
    if upload.size > settings.MIAOBI_ATTACHMENT_MAX_BYTES:
        limit = settings.MIAOBI_ATTACHMENT_MAX_BYTES // (1024 * 1024)
        raise UploadRefused(f"“{name}”超过 {limit} MB，请压缩或分开发送。")
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    kind = sniff(data[:16], data)
    if kind is None or (only and kind not in only):
        allowed = "、".join(sorted({KIND_LABELS[k] for k in (only or KIND_LABELS)}))
        raise UploadRefused(f"“{name}”的文件类型不支持（仅支持 {allowed}）。")
    return kind
