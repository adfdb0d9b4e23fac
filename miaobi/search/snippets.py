from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def snippet_for(visible_text: str, terms: list[str], width: int) -> str:
    """A window of the visible text around the first matched term (or its start)."""
    text = " ".join(visible_text.split())
    positions = [text.lower().find(t.lower()) for t in terms]
    positions = [p for p in positions if p >= 0]
    start = max(0, min(positions) - width // 3) if positions else 0
    window = text[start:start + width]
    return ("…" if start > 0 else "") + window + ("…" if start + width < len(text) else "")


def highlight(text: str, terms: list[str]) -> SafeString:
    """Escape text and wrap each occurrence of a term in <mark>."""
    lowered = text.lower()
    marks = [False] * len(text)
    for term in terms:
        t = term.lower()
        if not t:
            continue
        i = lowered.find(t)
        while i >= 0:
            for j in range(i, i + len(t)):
                marks[j] = True
            i = lowered.find(t, i + len(t))
    out, i = [], 0
    while i < len(text):
        j = i
        while j < len(text) and marks[j] == marks[i]:
            j += 1
        chunk = escape(text[i:j])
        out.append(f"<mark>{chunk}</mark>" if marks[i] else chunk)
        i = j
    return mark_safe("".join(out))
