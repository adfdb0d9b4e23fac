"""Normalisation for matching, with a map from every normalised position back to the original text.

`normalise(text)` returns the *matching form* of a text and an `OffsetMap`:

1. NFKC (full-width letters and digits become half-width, compatibility forms fold; the full-width
   punctuation of ordinary Chinese text, ，：；！？（）, is left as it is);
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

# Full-width punctuation that Chinese text is full of stays as it is (it is kept, not a separator, and
# no term contains it): folding it would cost a substitution every few characters.
_KEEP_FULL_WIDTH = set("，：；！？（）")

_tables_lock = threading.Lock()
_tables: "_Tables | None" = None


@dataclass
class _Tables:
    table: dict[int, str]  # for str.translate (the slow path)
    by_char: dict[str, str]  # the same keyed by character: every character that folds to one other
    changing: frozenset[str]  # the keys of by_char
    slow: frozenset[str]  # characters that NFKC expands, combining marks, Hangul jamo: the slow path
    # The same two sets as regex classes of their BMP characters: Python's re tests such a class in
    # constant time per character (a class with characters beyond the BMP is a slow list of ranges).
    changing_bmp: re.Pattern[str]
    slow_bmp: re.Pattern[str]

    def replace(self, m: re.Match) -> str:
        return self.by_char[m.group()]


_BEYOND_BMP = re.compile("[\U00010000-\U0010ffff]")


def _char_class(codes: list[int]) -> str:
    """A regex character class of the given code points, as ranges."""
    parts, codes = [], sorted(codes)
    i = 0
    while i < len(codes):
        j = i
        while j + 1 < len(codes) and codes[j + 1] == codes[j] + 1:
            j += 1
        a, b = codes[i], codes[j]
        parts.append(f"\\U{a:08x}" if a == b else f"\\U{a:08x}-\\U{b:08x}")
        i = j + 1
    return "[" + "".join(parts) + "]" if parts else "(?!)"


def _char_tables() -> _Tables:
    """Folding of single characters: NFKC where it gives one character (full-width letters and digits,
    compatibility ideographs, Kangxi radicals …), then traditional → simplified, then lower case.

    Characters that NFKC expands to several (⑩, ㈱, ligatures), combining marks and Hangul jamo go
    to the slow path, except the ellipses, common in Chinese text, which become one '.' (a separator).
    """
    global _tables
    if _tables is None:
        with _tables_lock:
            if _tables is None:
                t2s = _t2s_table()
                table: dict[int, str] = {}
                slow: list[int] = []
                ranges = [(0, 0x10000), (0x1D400, 0x1D800), (0x1F100, 0x1F200), (0x2F800, 0x2FA20)]
                for start, stop in ranges:
                    for code in range(start, stop):
                        if 0xD800 <= code < 0xE000:
                            continue
                        ch = chr(code)
                        value = unicodedata.normalize("NFKC", ch)
                        if len(value) != 1 or unicodedata.combining(ch) or 0x1100 <= code < 0x1200:
                            slow.append(code)
                            continue
                        value = t2s.get(value, value)
                        lowered = value.lower()
                        if len(lowered) == 1:
                            value = lowered
                        if value != ch and value != ch.lower() and ch not in _KEEP_FULL_WIDTH:
                            table[code] = value  # (a change of case alone is left to str.lower())
                for ch, value in t2s.items():  # CJK extensions beyond the BMP
                    table.setdefault(ord(ch), value)
                for code in (0x2026, 0x2025):  # … ‥
                    table[code] = "."
                    slow.remove(code)
                by_char = {chr(k): v for k, v in table.items()}
                _tables = _Tables(
                    table=table, by_char=by_char, changing=frozenset(by_char), slow=frozenset(chr(c) for c in slow),
                    changing_bmp=re.compile(_char_class([c for c in table if c < 0x10000])),
                    slow_bmp=re.compile(_char_class([c for c in slow if c < 0x10000])),
                )
    return _tables


def _char_table() -> dict[int, str]:
    """The folding table (building it is the one-off cost of the first normalisation in a process)."""
    return _char_tables().table


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
    tables = _char_tables()
    beyond_bmp = {m.group() for m in _BEYOND_BMP.finditer(text)}  # almost always empty
    if tables.slow_bmp.search(text) is None and not beyond_bmp & tables.slow:
        folded = tables.changing_bmp.sub(tables.replace, text)  # one callback per character that changes
        if beyond_bmp & tables.changing:
            folded = folded.translate({ord(c): tables.by_char[c] for c in beyond_bmp & tables.changing})
        if unicodedata.is_normalized("NFC", folded):  # nothing composes with its neighbour
            lowered = folded.lower()
            if len(lowered) == len(text):  # lower() maps one character to one or more: same length ⇒ 1:1
                return lowered, None, None
    # Slow path (rare: ligatures, circled numbers, combining marks …): one cluster at a time.
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    table = tables.table
    for m in _CLUSTER.finditer(text):
        cluster = m.group()
        if len(cluster) == 1 and cluster not in tables.slow:
            piece = cluster.translate(table).lower()
        else:
            piece = unicodedata.normalize("NFKC", cluster)
            piece = "".join(ch if ch in _KEEP_FULL_WIDTH else ch.translate(table) for ch in piece).lower()
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
