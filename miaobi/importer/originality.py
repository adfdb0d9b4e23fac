"""Originality check (查重): which passages of a text are found in library articles.

`originality_report(text)` guarantees:
- the text is never changed; every passage's "text" is a verbatim slice of it, every "source_text" a
  verbatim slice of the source article's body;
- "percent" is the share (0–100) of the text's letters (CJK, letters, digits; punctuation and white space
  ignored) inside a matched passage; each source's "percent" likewise for that source alone;
- matching reads only the fingerprint rows (both tiers, index.py) of the text's own fingerprints (indexed look-ups), never the
  whole library; fingerprints shared by very many articles (stock phrases) are ignored.
A passage is a run of winnowed 13-gram matches with the same source, merged across small gaps (a
reworded word, a changed punctuation mark), at least MIN_PASSAGE letters long.
"""
from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.db import connection

from miaobi.library.models import Article

from . import signatures as sig
from .index import TIERS

MIN_PASSAGE = 20  # letters; shorter runs are stock phrases
MERGE_GAP = 24  # letters of difference allowed inside one passage (a reworded phrase)
MAX_SOURCES_PER_PRINT = 50  # a fingerprint in more articles than this is boilerplate
TOP_SOURCES = 5
MAX_CANDIDATES = 30  # sources read and aligned per check
CHUNK = 500


def _thresholds() -> tuple[float, float]:
    return (getattr(settings, "MIAOBI_ORIGINALITY_AMBER", 10.0), getattr(settings, "MIAOBI_ORIGINALITY_RED", 30.0))


def level(percent: float) -> str:
    """green / amber / red by the configured thresholds (percent of the text found elsewhere)."""
    amber, red = _thresholds()
    return "red" if percent >= red else "amber" if percent >= amber else "green"


def _matches(prints: list[tuple[int, int]], exclude: set[int]) -> dict[int, list[tuple[int, int]]]:
    """{article_id: [(query_offset, source_offset)]} for the text's fingerprints."""
    positions = defaultdict(list)
    for h, offset in prints:
        positions[h].append(offset)
    hashes = list(positions)
    rows = []
    for i in range(0, len(hashes), CHUNK):
        rows.extend(_rare_rows(hashes[i:i + CHUNK]))
    per_hash = defaultdict(set)
    for h, article_id, _ in rows:
        per_hash[h].add(article_id)
    found = defaultdict(list)
    for h, article_id, source_offset in rows:
        if article_id in exclude or len(per_hash[h]) > MAX_SOURCES_PER_PRINT:
            continue
        for query_offset in positions[h]:
            found[article_id].append((query_offset, source_offset))
    return found


def _rare_rows(hashes: list[int]) -> list[tuple[int, int, int]]:
    """(hash, article_id, offset) of the given fingerprints held by at most MAX_SOURCES_PER_PRINT rows (in
    both tiers of the index, see index.py), in one query. Stock phrases are recognised by counting at most
    one row past the limit per hash and tier, so a phrase in 50,000 texts costs no more than one in 51 (an
    uncapped count read all 50,000)."""
    q = connection.ops.quote_name
    tables = [q(model._meta.db_table) for model in TIERS]
    limit = MAX_SOURCES_PER_PRINT + 1
    values = ", ".join(["(%s)"] * len(hashes))
    counts = " + ".join(f"(SELECT COUNT(*) FROM (SELECT 1 FROM {t} g WHERE g.hash = wanted.h LIMIT {limit}) c{i})"
                        for i, t in enumerate(tables))
    rows = " UNION ALL ".join(f"SELECT f.hash, f.article_id, f.{q('offset')} FROM {t} f WHERE f.hash IN (SELECT h FROM rare)"
                              for t in tables)
    sql = (f"WITH wanted(h) AS (VALUES {values}), "
           f"rare(h) AS (SELECT h FROM wanted WHERE {counts} <= {MAX_SOURCES_PER_PRINT}) {rows}")
    with connection.cursor() as cursor:
        cursor.execute(sql, hashes)
        return cursor.fetchall()


def _align(pairs: list[tuple[int, int]], query: str, source: str) -> list[list[int]]:
    """Turn (query, source) gram matches into passages [q_start, q_end, s_start, s_end] (letter offsets).

    Each match is verified (the grams are equal: a hash collision is never reported) and grown over
    identical letters on both sides; runs on about the same diagonal and within MERGE_GAP letters of each
    other (a reworded word, reordered clauses) are merged; passages shorter than MIN_PASSAGE are dropped."""
    exact: list[tuple[int, int, int, int]] = []
    for q, s in sorted(pairs):
        if any(r[0] <= q < r[1] and q - r[0] == s - r[2] for r in exact[-3:]):
            continue  # inside a run already grown on this diagonal
        if query[q:q + sig.GRAM] != source[s:s + sig.GRAM]:
            continue
        q0, s0, q1, s1 = q, s, q + sig.GRAM, s + sig.GRAM
        while q0 > 0 and s0 > 0 and query[q0 - 1] == source[s0 - 1]:
            q0, s0 = q0 - 1, s0 - 1
        while q1 < len(query) and s1 < len(source) and query[q1] == source[s1]:
            q1, s1 = q1 + 1, s1 + 1
        exact.append((q0, q1, s0, s1))
    runs: list[list[int]] = []
    for q0, q1, s0, s1 in sorted(set(exact)):
        for run in reversed(runs[-4:]):
            if q0 <= run[1] + MERGE_GAP and run[2] - MERGE_GAP <= s0 <= run[3] + MERGE_GAP:
                run[1], run[2], run[3] = max(run[1], q1), min(run[2], s0), max(run[3], s1)
                break
        else:
            runs.append([q0, q1, s0, s1])
    return [r for r in runs if r[1] - r[0] >= MIN_PASSAGE]


def _covered(ranges) -> int:
    total, end = 0, -1
    for start, stop in sorted(ranges):
        if stop > end:
            total += stop - max(start, end)
            end = stop
    return total


def _slice(text: str, offsets: list[int], start: int, stop: int) -> str:
    if not offsets:
        return ""
    stop = min(stop, len(offsets))
    return text[offsets[start]:offsets[stop - 1] + 1]


def originality_report(text: str, *, exclude: set[int] | None = None, top: int = TOP_SOURCES) -> dict:
    """The report for a text: {"percent", "level", "letters", "sources": [...], "passages": [...], "thresholds"}.

    sources: [{"id", "title", "url", "percent", "passages"}] ranked by share; passages: [{"source", "title",
    "url", "text", "source_text", "letters"}] in text order (those of the top sources). `exclude`: article ids
    never counted (the text's own article)."""
    prints, chars, offsets = sig.fingerprints(text or "")
    amber, red = _thresholds()
    report = {"percent": 0.0, "level": "green", "letters": len(chars), "sources": [], "passages": [],
              "thresholds": {"amber": amber, "red": red}}
    if not prints:
        return report
    found = _matches(prints, exclude or set())
    if not found:
        return report
    # Only the strongest candidates are read and aligned (a bound on work per check).
    # A source needs two matched fingerprints: a single 13-gram is a stock phrase far more often than a copy.
    strongest = sorted((aid for aid in found if len(found[aid]) >= 2), key=lambda aid: (-len(found[aid]), aid))
    strongest = strongest[:MAX_CANDIDATES]
    articles = Article.objects.in_bulk(strongest)
    source_letters, per_source = {}, {}
    for aid, article in articles.items():
        source_letters[aid] = sig.letters(article.body)
        runs = _align(found[aid], chars, source_letters[aid][0])
        if runs:
            per_source[aid] = runs
    if not per_source:
        return report
    shares = {aid: _covered((r[0], r[1]) for r in runs) for aid, runs in per_source.items()}
    ranked = sorted(shares, key=lambda aid: (-shares[aid], aid))[:top]
    total = _covered((r[0], r[1]) for runs in per_source.values() for r in runs)
    report["percent"] = round(100 * total / len(chars), 1)
    report["level"] = level(report["percent"])
    passages = []
    for aid in ranked:
        article = articles[aid]
        source_chars, source_offsets = source_letters[aid]
        url = article.get_absolute_url()
        report["sources"].append({"id": aid, "title": article.title, "url": url, "status": article.status,
                                  "percent": round(100 * shares[aid] / len(chars), 1),
                                  "passages": len(per_source[aid])})
        for q0, q1, s0, s1 in per_source[aid]:
            passages.append({"source": aid, "title": article.title, "url": url, "start": offsets[q0],
                             "text": _slice(text, offsets, q0, q1),
                             "source_text": _slice(article.body, source_offsets, s0, min(s1, len(source_chars))),
                             "letters": q1 - q0})
    report["passages"] = sorted(passages, key=lambda p: p["start"])
    return report
