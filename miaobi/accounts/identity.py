"""How readers name themselves: a mobile number or an email address, typed any way."""
from __future__ import annotations

import re
import unicodedata

MOBILE = re.compile(r"^1[3-9]\d{9}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_identifier(raw: str) -> tuple[str, str]:
    """("mobile", "13800138000") | ("email", "a@b.cn") | ("username", raw): full-width, spaces, +86 forgiven."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    digits = re.sub(r"[\s\-()]", "", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if MOBILE.match(digits):
        return "mobile", digits
    if EMAIL.match(text):
        local, _, domain = text.rpartition("@")
        return "email", f"{local}@{domain.lower()}"
    return "username", text
