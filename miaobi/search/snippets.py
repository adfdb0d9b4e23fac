"""Snippets and highlighting for result lists.

Snippets are cut from the text the gate gives the viewer (reading.visible_text) and from nothing
else: a text found by words in its hidden part shows its best visible window instead, never them.
Matching is on folded text (full-width, traditional, case) so 黨員 marks 党员, but what is shown is
always the original characters.
"""
from __future__ import annotations

from collections import Counter

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .text import fold_for_matching, normalise

ELISION = "……略……"
MAX_HITS = 200


def _positions(folded: str, terms: list[str]) -> list[tuple[int, int, int]]:
    """(start, end, term index) of every occurrence of every term, longest terms first."""
    found = []
    for index, term in sorted(enumerate(terms), key=lambda it: -len(it[1])):
        if not term:
            continue
        i = folded.find(term)
        while i >= 0:
            found.append((i, i + len(term), index))
            i = folded.find(term, i + len(term))
    return found


def prepare(visible_text: str) -> tuple[str, str]:
    """(text, folded): the visible text with white space collapsed, and its folded twin (cacheable)."""
    text = " ".join(visible_text.split())
    return text, fold_for_matching(text)


def snippet_for(visible_text: str, terms: list[str], width: int) -> str:
    """The window of `width` characters of the visible text holding the most distinct terms (then the most hits).

    No term visible: the start of the visible text. Elision marks of the preview count as text.
    """
    return snippet_from(prepare(visible_text), terms, width)


def snippet_from(prepared: tuple[str, str], terms: list[str], width: int) -> str:
    """snippet_for() on a prepare()d text."""
    text, folded = prepared
    if not text:
        return ""
    terms = [normalise(t) for t in terms]
    hits = sorted(_positions(folded, terms))[:MAX_HITS]  # bounded work on a long full text
    # Sliding window over the hits (sorted by start): each window starts a little before a hit;
    # `left` and `right` only move forward, so this is linear in the number of hits.
    best_start, best_key = 0, (0, 0)
    counts: Counter = Counter()
    left = right = 0
    for start, _end, _index in hits:
        window_start = max(0, start - width // 5)
        window_end = window_start + width
        while right < len(hits) and hits[right][1] <= window_end:
            counts[hits[right][2]] += 1
            right += 1
        while left < right and hits[left][0] < window_start:
            counts[hits[left][2]] -= 1
            if not counts[hits[left][2]]:
                del counts[hits[left][2]]
            left += 1
        key = (len(counts), right - left)
        if key > best_key:
            best_start, best_key = window_start, key
    window = text[best_start:best_start + width]
    return ("…" if best_start > 0 else "") + window + ("…" if best_start + width < len(text) else "")


def highlight(text: str, terms: list[str]) -> SafeString:
    """Escape text and wrap each occurrence of a term (compared folded) in <mark>."""
    text = str(text or "")
    if not text or not terms:
        return mark_safe(escape(text))
    folded = fold_for_matching(text)
    marks = [False] * len(text)
    for start, end, _ in _positions(folded, [normalise(t) for t in terms]):
        for j in range(start, end):
            marks[j] = True
    out, i = [], 0
    while i < len(text):
        j = i
        while j < len(text) and marks[j] == marks[i]:
            j += 1
        chunk = escape(text[i:j])
        out.append(f"<mark>{chunk}</mark>" if marks[i] else chunk)
        i = j
    return mark_safe("".join(out))
