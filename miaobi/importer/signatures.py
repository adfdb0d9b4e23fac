"""Text signatures, pure functions (no database): normalisation, exact-text hash, MinHash and winnowing.

- `normalise(text)`: NFKC, white space dropped: two texts with the same normalised form are exact duplicates.
- `minhash(text)`: a one-permutation MinHash (with rotation densification) of the character 5-shingles of
  the text without white space and punctuation; `NUM_PERM` 32-bit slots, 4 bytes each when packed.
  The share of equal slots of two signatures estimates the Jaccard similarity of their shingle sets.
- `lsh_keys(signature)`: one 63-bit key per band (band number folded in), for an indexed lookup table.
- `fingerprints(text)`: winnowing (Schleimer et al.) over character `GRAM`-grams of the text with only
  letters, digits and CJK kept (`WINDOW`-gram windows): (hash, offset) pairs, offset into the
  normalised characters, plus the map back to offsets into the original text.
Hashes are CRC-32 based and stable across processes and machines (never Python's salted hash()).
"""
from __future__ import annotations

import hashlib
import struct
import unicodedata
import zlib

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


def text_hash(text: str) -> str:
    """sha256 hex of the normalised text."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def letters(text: str) -> tuple[str, list[int]]:
    """The text's letters, digits and CJK characters (NFKC-folded, lower-cased) and, for each, its offset in
    `text`: punctuation and white space changes do not change this form."""
    out, offsets = [], []
    for index, ch in enumerate(text):
        if ch.isalnum():
            folded = unicodedata.normalize("NFKC", ch).lower() if not ("\u4e00" <= ch <= "\u9fff") else ch
            for part in folded:
                if part.isalnum():
                    out.append(part)
                    offsets.append(index)
    return "".join(out), offsets


def _h32(gram: str) -> int:
    return zlib.crc32(gram.encode("utf-8"))


def _h64(gram: str) -> int:
    data = gram.encode("utf-8")
    value = (zlib.crc32(data) << 32) | zlib.crc32(data[::-1], 0x5BD1E995)
    return value - (1 << 64) if value >= (1 << 63) else value  # signed: fits a BIGINT column


def shingles(text: str) -> set[int]:
    chars, _ = letters(text)
    if len(chars) < SHINGLE:
        return {_h32(chars)} if chars else set()
    return {_h32(chars[i:i + SHINGLE]) for i in range(len(chars) - SHINGLE + 1)}


def minhash(text: str) -> list[int]:
    """NUM_PERM slots: the least hash of the shingles falling into each slot (hash % NUM_PERM picks the slot);
    empty slots borrow the next non-empty slot's value (rotation), so short texts still compare."""
    slots = [_MAX32 + 1] * NUM_PERM
    for value in shingles(text):
        mixed = (value * 0x9E3779B1) & _MAX32  # spread CRC bits before slotting
        slot = mixed % NUM_PERM
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
    return sum(x == y for x, y in zip(a, b)) / NUM_PERM


def lsh_keys(signature: list[int]) -> list[int]:
    """One signed 63-bit key per band: texts sharing any key are near-duplicate candidates."""
    keys = []
    for band in range(BANDS):
        chunk = struct.pack(f"<B{ROWS}I", band, *signature[band * ROWS:(band + 1) * ROWS])
        keys.append(int.from_bytes(hashlib.blake2b(chunk, digest_size=8).digest(), "little") >> 1)
    return keys


def fingerprints(text: str) -> tuple[list[tuple[int, int]], str, list[int]]:
    """Winnowed (hash, offset) pairs of the text's GRAM-grams, the letters-only form and its offset map.

    Guarantee of winnowing: any shared run of at least GRAM + WINDOW - 1 letters yields a shared fingerprint."""
    chars, offsets = letters(text)
    if len(chars) < GRAM:
        return [], chars, offsets
    hashes = [_h64(chars[i:i + GRAM]) for i in range(len(chars) - GRAM + 1)]
    chosen: list[tuple[int, int]] = []
    last = -1
    if len(hashes) <= WINDOW:
        position = min(range(len(hashes)), key=lambda i: (hashes[i], -i))
        return [(hashes[position], position)], chars, offsets
    for start in range(len(hashes) - WINDOW + 1):
        window = hashes[start:start + WINDOW]
        low = min(window)
        position = start + max(i for i, v in enumerate(window) if v == low)  # rightmost minimum
        if position != last:
            chosen.append((hashes[position], position))
            last = position
    return chosen, chars, offsets
