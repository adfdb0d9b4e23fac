"""Moderation matching speed: 10,000 generated terms over 10 MB of generated Chinese text.

    python bench/moderation.py [--terms 10000] [--mb 10] [--seed 7]

The text is drawn from the character frequencies of the demo library, cut into sentences with
Chinese punctuation, with some traditional characters, full-width letters and separators inserted
to dodge filters. Prints MB/s (MB = 10^6 bytes of UTF-8 input) for:

  matching alone   the Aho-Corasick scan of text already in matching form, whitelist applied
  end to end       Lexicon.screen(): normalisation (NFKC, traditional → simplified, case, separators),
                   the scan, the whitelist and mapping every hit back to original offsets

once over the whole text and once over 5 KB documents. Targets: ≥ 50 MB/s and ≥ 10 MB/s.
Both wall-clock and CPU time are shown: on a shared machine the CPU figure is the fair one.
Not part of the test suite.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from miaobi.moderation.matching import Lexicon, TermEntry  # noqa: E402
from miaobi.moderation.normalize import _char_table, normalise  # noqa: E402

PUNCT = "，，，，。。、；：！？"
DODGES = [" ", "*", "-", "·", "\u200b"]
TRADITIONAL = "學習貫徹會議發展經濟關於為這個們來對時"
FULL_WIDTH = "ＡＢＣＶＸＱ１２３"


def character_pool() -> tuple[list[str], list[int]]:
    counts: Counter = Counter()
    for path in sorted((ROOT / "miaobi" / "library" / "demo" / "texts").glob("*.txt")):
        counts.update(ch for ch in path.read_text(encoding="utf-8") if "\u4e00" <= ch <= "\u9fff")
    chars, weights = zip(*counts.most_common())
    return list(chars), list(weights)


def generate_text(rng: random.Random, target_bytes: int, chars, weights) -> str:
    parts, size = [], 0
    while size < target_bytes:
        sentence = "".join(rng.choices(chars, weights, k=rng.randint(8, 30)))
        roll = rng.random()
        if roll < 0.05:
            i = rng.randrange(1, len(sentence))
            sentence = sentence[:i] + rng.choice(DODGES) + sentence[i:]
        elif roll < 0.08:
            sentence += rng.choice(TRADITIONAL)
        elif roll < 0.10:
            sentence += rng.choice(FULL_WIDTH)
        sentence += rng.choice(PUNCT)
        if rng.random() < 0.05:
            sentence += "\n"
        parts.append(sentence)
        size += len(sentence.encode("utf-8"))
    return "".join(parts)


def generate_terms(rng: random.Random, n: int, chars, weights) -> list[TermEntry]:
    terms, seen = [], set()
    actions = ["review"] * 6 + ["flag"] * 3 + ["block"]
    while len(terms) < n:
        term = "".join(rng.choices(chars, weights, k=rng.choice([2, 3, 3, 4, 4, 5])))
        if term not in seen:
            seen.add(term)
            terms.append(TermEntry(term, "custom", rng.choice(actions)))
    return terms


def best_of(repeat: int, fn) -> tuple[float, float, object]:
    """Best wall-clock and best CPU time of `repeat` runs (CPU time is the fair figure on a shared machine)."""
    wall = cpu = float("inf")
    result = None
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        cpu = min(cpu, time.process_time() - c0)
        wall = min(wall, time.perf_counter() - w0)
    return wall, cpu, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--terms", type=int, default=10_000)
    parser.add_argument("--mb", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    chars, weights = character_pool()
    text = generate_text(rng, int(args.mb * 1_000_000), chars, weights)
    size_mb = len(text.encode("utf-8")) / 1_000_000
    terms = generate_terms(rng, args.terms, chars, weights)
    start = time.perf_counter()
    _char_table()
    table_s = time.perf_counter() - start
    # Whitelist entries around term hits of the text (大学 around 学…), so that the filter has work to do.
    sample_form = normalise(text[:1_000_000]).text
    sample_hits = Lexicon(terms).find_ids(sample_form)
    whitelist = list(dict.fromkeys(sample_form[max(0, s - 1):e + 1] for s, e, _ in rng.sample(sample_hits, 500)))

    start = time.perf_counter()
    lexicon = Lexicon(terms, whitelist)
    build_s = time.perf_counter() - start
    matching_form = normalise(text).text

    scan = best_of(args.repeat, lambda: lexicon._automaton.find_overlapping(matching_form))
    match = best_of(args.repeat, lambda: lexicon.find_ids(matching_form))
    norm = best_of(args.repeat, lambda: normalise(text))
    e2e = best_of(args.repeat, lambda: lexicon.screen(text))
    docs = [text[i:i + 1700] for i in range(0, len(text), 1700)]  # ~5 KB of UTF-8 each
    per_doc = best_of(args.repeat, lambda: [lexicon.screen(d) for d in docs])
    raw, found, screening = scan[2], match[2], e2e[2]

    assert all(text[h.start:h.end] == h.excerpt for h in screening.hits)
    print(f"text: {size_mb:.1f} MB ({len(text):,} characters); terms: {len(terms):,}; whitelist: {len(whitelist)}")
    print(f"character table (once per process): {table_s * 1000:.0f} ms; automaton build: {build_s * 1000:.0f} ms")
    print(f"hits: {len(raw):,} raw (terms and whitelist, overlapping), {len(found):,} after the whitelist")
    print(f"{'MB/s':>46} {'wall':>7} {'CPU':>7}")
    for label, (wall, cpu, _), target in [
        ("automaton scan only", scan, ""),
        ("matching alone (scan + whitelist)", match, "target >= 50"),
        ("normalisation with offset map", norm, ""),
        ("end to end, one 10 MB text", e2e, "target >= 10"),
        (f"end to end, {len(docs):,} documents of ~5 KB", per_doc, "target >= 10"),
    ]:
        print(f"{label:<46} {size_mb / wall:7.1f} {size_mb / cpu:7.1f}   {target}")

if __name__ == "__main__":
    main()
