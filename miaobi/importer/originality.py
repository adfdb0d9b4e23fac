"""Originality check (查重): which passages of a text are found in library articles.

`originality_report(text)` guarantees:
- the text is never changed; every passage's "text" is a verbatim slice of it, every "source_text" a
  verbatim slice of the source article's body;
- "percent" is the share (0–100) of the text's letters (CJK, letters, digits; punctuation and white space
  ignored) inside a matched passage; each source's "percent" likewise for that source alone;
- matching reads only the Fingerprint rows of the text's own fingerprints (indexed look-ups), never the
  whole library; fingerprints shared by very many articles (stock phrases) are ignored.
A passage is a run of winnowed 13-gram matches with the same source, merged across small gaps (a
reworded word, a changed punctuation mark), at least MIN_PASSAGE letters long.
"""
from __future__ import annotations

from collections import defaultdict

from django.conf import settings

from miaobi.library.models import Article

from . import signatures as sig
from .models import Fingerprint

MIN_PASSAGE = 20  # letters; shorter runs are stock phrases
MERGE_GAP = 24  # letters of difference allowed inside one passage (a reworded phrase)
MAX_SOURCES_PER_PRINT = 50  # a fingerprint in more articles than this is boilerplate
TOP_SOURCES = 5
MAX_CANDIDATES = 50  # sources read and aligned per check
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
        rows.extend(Fingerprint.objects.filter(hash__in=hashes[i:i + CHUNK]).values_list("hash", "article_id", "offset"))
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


def _passages(pairs: list[tuple[int, int]]) -> list[list[int]]:
    """Merge (query, source) gram matches into [q_start, q_end, s_start, s_end] letter ranges."""
    runs: list[list[int]] = []
    for q, s in sorted(pairs):
        for run in reversed(runs[-4:]):
            if q <= run[1] + MERGE_GAP and run[2] - MERGE_GAP <= s <= run[3] + MERGE_GAP:
                run[1] = max(run[1], q + sig.GRAM)
                run[2] = min(run[2], s)
                run[3] = max(run[3], s + sig.GRAM)
                break
        else:
            runs.append([q, q + sig.GRAM, s, s + sig.GRAM])
    return [r for r in runs if r[1] - r[0] >= MIN_PASSAGE]


def _extend(runs: list[list[int]], query: str, source: str) -> list[list[int]]:
    """Grow each run over identical letters on both sides (winnowing leaves up to WINDOW-1 letters unseen
    at a passage's ends)."""
    for run in runs:
        while run[0] > 0 and run[2] > 0 and query[run[0] - 1] == source[run[2] - 1]:
            run[0] -= 1
            run[2] -= 1
        while run[1] < len(query) and run[3] < len(source) and query[run[1]] == source[run[3]]:
            run[1] += 1
            run[3] += 1
    return runs


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
    per_source = {aid: _passages(pairs) for aid, pairs in found.items()}
    per_source = {aid: runs for aid, runs in per_source.items() if runs}
    if not per_source:
        return report
    # Only the strongest candidates are read and extended (a bound on work, not on correctness of the top).
    strongest = sorted(per_source, key=lambda aid: -sum(r[1] - r[0] for r in per_source[aid]))[:MAX_CANDIDATES]
    articles = Article.objects.in_bulk(strongest)
    source_letters = {}
    for aid in list(per_source):
        if aid not in articles:
            del per_source[aid]
            continue
        source_letters[aid] = sig.letters(articles[aid].body)
        per_source[aid] = _extend(per_source[aid], chars, source_letters[aid][0])
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
