"""Text signatures, pure functions (no database): normalisation, exact-text hash, MinHash and winnowing.

- `normalise(text)`: NFKC, white space dropped: two texts with the same normalised form are exact duplicates.
- `minhash(text)`: a one-permutation MinHash (with rotation densification) of the character 5-shingles of
  the text without white space and punctuation; `NUM_PERM` 32-bit slots, 4 bytes each when packed.
  The share of equal slots of two signatures estimates the Jaccard similarity of their shingle sets.
- `lsh_keys(signature)`: one 63-bit key per band (band number folded in), for an indexed lookup table.
- `fingerprints(text)`: winnowing (Schleimer et al.) over character `GRAM`-grams of the text with only
  letters, digits and CJK kept (`WINDOW`-gram windows): (hash, offset) pairs, offset into the
  normalised characters, plus the map back to offsets into the original text. Hashes are signed 32-bit
  (a compact index; a chance collision only costs a look at a candidate: matches are verified on the text).
Hashes are CRC-32 based and stable across processes and machines (never Python's salted hash()).
"""
from __future__ import annotations

import functools
import hashlib
import operator
import re
import struct
import unicodedata
import zlib
from collections import deque

SHINGLE = 5
NUM_PERM = 128
BANDS = 32
ROWS = NUM_PERM // BANDS
GRAM = 13
WINDOW = 8
_MAX32 = 0xFFFFFFFF


def normalise(text: str) -> str:
    """NFKC with all white space removed (the form exact duplicates are compared in)."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def _remember_last(function):
    """Keep the result for the last text: an import checks a body, then indexes the same body (and the
    MinHash and the fingerprints both start from its letters), so each is computed once per text."""
    last = [None, None]

    def remembered(text: str):
        text_, result = last
        if text_ is not text and text_ != text:
            result = function(text)
            last[:] = [text, result]  # two threads at worst both compute; never a wrong pairing
        return result

    def seed(text: str, result) -> None:
        """Remember a result computed elsewhere (an import's worker process) for this text."""
        last[:] = [text, result]

    remembered.seed = seed
    return functools.update_wrapper(remembered, function)


@_remember_last
def text_hash(text: str) -> str:
    """sha256 hex of the normalised text."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


_RUNS = re.compile("([\u4e00-\u9fff]+)|[^\\W_\u4e00-\u9fff]+")  # CJK runs | other letter/digit runs


@_remember_last
def letters(text: str) -> tuple[str, list[int]]:
    """The text's letters, digits and CJK characters (NFKC-folded, lower-cased) and, for each, its offset in
    `text`: punctuation and white space changes do not change this form."""
    out, offsets = [], []
    append, extend = out.append, offsets.extend
    for match in _RUNS.finditer(text):
        start, end = match.span()
        if match.group(1):  # the common case: taken whole
            append(match.group(1))
            extend(range(start, end))
            continue
        for index in range(start, end):  # [^\W_] is str.isalnum(); folding may give several characters
            for part in unicodedata.normalize("NFKC", text[index]).lower():
                if part.isalnum():
                    append(part)
                    offsets.append(index)
    return "".join(out), offsets


def _h32(gram: str) -> int:
    return zlib.crc32(gram.encode("utf-8"))


def _hashes32(chars: str, size: int) -> list[int]:
    """CRC-32 of every `size`-character gram of `chars` (UTF-32 slices: no per-gram encoding)."""
    data = chars.encode("utf-32-le")
    step = 4 * size
    crc = zlib.crc32
    return [crc(data[i:i + step]) for i in range(0, len(data) - step + 4, 4)]


def _signed32(values: list[int]) -> list[int]:
    """CRC-32 values as signed 32-bit integers (an INTEGER column on every database)."""
    return [v - (1 << 32) if v >= (1 << 31) else v for v in values]


def shingles(text: str) -> set[int]:
    chars, _ = letters(text)
    if len(chars) < SHINGLE:
        return {_h32(chars)} if chars else set()
    return set(_hashes32(chars, SHINGLE))


@_remember_last
def minhash(text: str) -> list[int]:
    """NUM_PERM slots: the least hash of the shingles falling into each slot (hash % NUM_PERM picks the slot);
    empty slots borrow the next non-empty slot's value (rotation), so short texts still compare."""
    slots = [_MAX32 + 1] * NUM_PERM
    for value in shingles(text):
        mixed = (value * 0x9E3779B1) & _MAX32  # spread CRC bits before slotting
        slot = mixed & (NUM_PERM - 1)
        if mixed < slots[slot]:
            slots[slot] = mixed
    if all(v > _MAX32 for v in slots):
        return [0] * NUM_PERM
    for i in range(NUM_PERM):
        j, hops = i, 0
        while slots[j] > _MAX32:
            j = (j + 1) % NUM_PERM
            hops += 1
        if hops:
            slots[i] = (slots[j] + hops * 0x61C88647) & _MAX32
    return slots


def pack(signature: list[int]) -> bytes:
    return struct.pack(f"<{NUM_PERM}I", *signature)


def unpack(data: bytes) -> list[int]:
    return list(struct.unpack(f"<{NUM_PERM}I", bytes(data)))


def similarity(a: list[int], b: list[int]) -> float:
    """Estimated Jaccard similarity of two MinHash signatures."""
    return sum(map(operator.eq, a, b)) / NUM_PERM  # (map over a builtin: 4x a generator expression)


def lsh_keys(signature: list[int]) -> list[int]:
    """One signed 63-bit key per band: texts sharing any key are near-duplicate candidates."""
    keys = []
    for band in range(BANDS):
        chunk = struct.pack(f"<B{ROWS}I", band, *signature[band * ROWS:(band + 1) * ROWS])
        keys.append(int.from_bytes(hashlib.blake2b(chunk, digest_size=8).digest(), "little") >> 1)
    return keys


@_remember_last
def fingerprints(text: str) -> tuple[list[tuple[int, int]], str, list[int]]:
    """Winnowed (hash, offset) pairs of the text's GRAM-grams, the letters-only form and its offset map.

    Guarantee of winnowing: any shared run of at least GRAM + WINDOW - 1 letters yields a shared fingerprint."""
    chars, offsets = letters(text)
    if len(chars) < GRAM:
        return [], chars, offsets
    hashes = _signed32(_hashes32(chars, GRAM))
    if len(hashes) <= WINDOW:
        position = min(range(len(hashes)), key=lambda i: (hashes[i], -i))
        return [(hashes[position], position)], chars, offsets
    chosen: list[tuple[int, int]] = []
    last = -1
    window: deque[int] = deque()  # positions of increasing hashes: window[0] is the rightmost minimum
    for i, value in enumerate(hashes):
        while window and hashes[window[-1]] >= value:
            window.pop()
        window.append(i)
        if window[0] <= i - WINDOW:
            window.popleft()
        if i >= WINDOW - 1 and window[0] != last:
            last = window[0]
            chosen.append((hashes[last], last))
    return chosen, chars, offsets
