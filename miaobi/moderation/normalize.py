"""Normalisation for matching, with a map from every normalised position back to the original text.

`normalise(text)` returns the *matching form* of a text and an `OffsetMap`:

1. NFKC (full-width letters, digits and punctuation become half-width, compatibility forms fold);
2. traditional → simplified, character by character (a table derived once from OpenCC's t2s, the
   same OpenCC package the search app uses; character-wise so that offsets stay exact);
3. lower case;
4. separators that people insert to dodge filters are dropped: white space (not line breaks),
   zero-width, control and stray combining characters, and symbols such as `* - _ . · ~ / | + # ★ ○`. Sentence
   punctuation (`，。；：！？、` and brackets) is kept, so a term never matches across a sentence.

Guarantees: the input is never modified; `OffsetMap.span(a, b)` turns a span of the matching form into
the span of the original text that produced it (the first and last contributing characters), so
reported spans always point at the original text. Terms are normalised by the same function, so a
term and the text agree on what counts as equal.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

# Dropped from the matching form (never from the text). Line breaks are kept: they end a match.
_SEPARATOR_CHARS = (
    " \t\x0b\x0c\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"  # spaces
    "\x00-\x08\x0e-\x1f\x7f-\x9f"  # control characters
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\u3164\ufe00-\ufe0f\uffa0\ufeff"  # zero-width, format and variation-selector characters
    "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"  # combining marks left over after NFKC
    r"*\-_.·•‧・~`'^+=|/\\#@&$%"  # ASCII and Latin-1 symbols used as fillers
    "\u2010-\u2015\u2022\u2024-\u2027\u2030-\u205e"  # dashes, bullets, dots, misc. punctuation
    "\u2190-\u21ff\u2200-\u22ff\u2300-\u23ff\u2460-\u24ff\u2500-\u27bf\u2b00-\u2bff"  # arrows, math, boxes, shapes, dingbats
    "\u3012\u3013\u3020\u30fb\u30fc"  # 〒 〓 〠 ・ ー
    "\U0001f000-\U0001faff"  # emoji and pictographs
)
_SEPARATORS = re.compile(f"[{_SEPARATOR_CHARS}]+")
_CLUSTER = re.compile(r".[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u3099\u309a]*", re.S)

_table_lock = threading.Lock()
_table: dict[int, str] | None = None


def _char_table() -> dict[int, str]:
    """str.translate table: every character whose NFKC form, simplified form or lower case is one other
    character (full-width ASCII, compatibility ideographs, Kangxi radicals, traditional characters …).

    Characters that NFKC expands to several (⑩, ㈱, ligatures) are left to the slow path, except the
    ellipses, which are common in Chinese text and become one '.' (a separator) here.
    """
    global _table
    if _table is None:
        with _table_lock:
            if _table is None:
                t2s = _t2s_table()
                table: dict[int, str] = {}
                ranges = [(0, 0x10000), (0x1D400, 0x1D800), (0x1F100, 0x1F200), (0x2F800, 0x2FA20)]
                for start, stop in ranges:
                    for code in range(start, stop):
                        if 0xD800 <= code < 0xE000:
                            continue
                        ch = chr(code)
                        value = unicodedata.normalize("NFKC", ch)
                        if len(value) != 1:
                            continue
                        value = t2s.get(value, value)
                        lowered = value.lower()
                        if len(lowered) == 1:
                            value = lowered
                        if value != ch:
                            table[code] = value
                for ch, value in t2s.items():  # CJK extensions beyond the BMP
                    table.setdefault(ord(ch), value)
                table[0x2026] = "."  # …
                table[0x2025] = "."  # ‥
                _table = table
    return _table


def _t2s_table() -> dict[str, str]:
    """Traditional → simplified for single characters (only where OpenCC gives one character)."""
    import opencc

    ranges = [(0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00), (0x20000, 0x2FA20)]
    chars = [chr(c) for start, stop in ranges for c in range(start, stop)]
    converted = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # never seen; keep matching working without t2s rather than fail
        return {}
    return {a: b for a, b in zip(chars, converted) if a != b and len(b) == 1}



def fold(text: str) -> str:
    """The character-level folding (NFKC, simplified, lower case) without dropping separators."""
    return normalise(text, keep_separators=True).text


def normalise_term(term: str) -> str:
    """The matching form of a lexicon term or whitelist entry (may be "" if it is all separators)."""
    return normalise(term).text


@dataclass
class OffsetMap:
    """Maps positions of the matching form back to the original text.

    `runs_at`/`runs_from`: the matching form is made of runs; run r starts at matching position
    runs_at[r] and at folded position runs_from[r]. `starts`/`ends` (None when folding kept every
    character in place) give each folded character's original span.
    """

    runs_at: list[int]
    runs_from: list[int]
    starts: list[int] | None = None
    ends: list[int] | None = None

    def _folded(self, pos: int) -> int:
        r = bisect_right(self.runs_at, pos) - 1
        return self.runs_from[r] + (pos - self.runs_at[r])

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of the matching-form span [start, end) (end > start)."""
        first = self._folded(start)
        last = self._folded(end - 1)
        if self.starts is None:
            return first, last + 1
        return self.starts[first], self.ends[last]


@dataclass
class Normalised:
    text: str
    offsets: OffsetMap


def _fold_chars(text: str) -> tuple[str, list[int] | None, list[int] | None]:
    """Fold every character; returns the folded text and, if lengths changed, per-character origins."""
    table = _char_table()
    folded = text.translate(table)
    if unicodedata.is_normalized("NFKC", folded):
        lowered = folded.lower()
        if len(lowered) == len(text):  # lower() maps one character to one or more: same length ⇒ 1:1
            return lowered, None, None
    # Slow path (rare: compatibility characters, combining marks, ligatures): one cluster at a time.
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for m in _CLUSTER.finditer(text):
        piece = unicodedata.normalize("NFKC", m.group()).translate(table).lower()
        out.append(piece)
        starts.extend([m.start()] * len(piece))
        ends.extend([m.end()] * len(piece))
    return "".join(out), starts, ends


def normalise(text: str, *, keep_separators: bool = False) -> Normalised:
    """The matching form of `text` and the map back to it (see the module docstring)."""
    folded, starts, ends = _fold_chars(text)
    if keep_separators:
        return Normalised(folded, OffsetMap([0], [0], starts, ends))
    runs_at: list[int] = [0]
    runs_from: list[int] = [0]
    pieces: list[str] = []
    position = 0  # in folded
    kept = 0  # length of the matching form so far
    for m in _SEPARATORS.finditer(folded):
        if m.start() > position:
            pieces.append(folded[position:m.start()])
            kept += m.start() - position
        position = m.end()
        runs_at.append(kept)
        runs_from.append(position)
    if not pieces and position == 0:
        return Normalised(folded, OffsetMap(runs_at, runs_from, starts, ends))
    pieces.append(folded[position:])
    # Runs that start at the same matching position: the last one wins (bisect_right picks it).
    return Normalised("".join(pieces), OffsetMap(runs_at, runs_from, starts, ends))
