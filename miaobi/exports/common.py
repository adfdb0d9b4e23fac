"""Helpers shared by the .docx and .txt builders (pure functions, no models)."""
from __future__ import annotations

import re
from datetime import datetime

DEFAULT_AUTHOR = "妙笔智库"
MARK_LABEL = "下载标识："

# Characters XML 1.0 cannot carry (C0 controls other than tab/LF/CR, lone surrogates,
# U+FFFE/U+FFFF). lxml refuses them, so the .docx builder replaces each with U+FFFD.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Lone surrogates cannot be encoded as UTF-8 at all (a .txt export replaces only those).
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def xml_safe(text: str) -> str:
    """`text` with every XML-illegal character replaced by U+FFFD (one for one: offsets are kept)."""
    return XML_ILLEGAL.sub(REPLACEMENT, text or "")


def local_datetime(value: datetime) -> datetime:
    """An aware datetime shown in the site's time zone (settings.TIME_ZONE); naive ones as they are."""
    if value.tzinfo is None:
        return value
    try:
        from django.utils import timezone

        return timezone.localtime(value)
    except Exception:  # Django settings not configured: keep the datetime's own zone
        return value


def chinese_date(value: datetime) -> str:
    """2026年11月25日 (Arabic numerals without leading zeros, as GB/T 9704 writes dates)."""
    value = local_datetime(value)
    return f"{value.year}年{value.month}月{value.day}日"


def source_line(source: str = "", published_at: datetime | None = None) -> str:
    """The optional line under the title: 来源：…　　发布日期：…, or "" when neither is given."""
    parts = []
    source = " ".join((source or "").split())
    if source:
        parts.append(f"来源：{source}")
    if published_at is not None:
        parts.append(f"发布日期：{chinese_date(published_at)}")
    return "\u3000\u3000".join(parts)
