"""Search: keeping the index, answering queries, logging them. Views and commands call these.

Index guarantees: a published article (a scheduled one too) has exactly one search_document row
and one search_text row, made from its current title, tags, genre and body; any other article has
none. Callers run these inside the transaction that changed the article (library/services.py), so
the index follows publish, update, unpublish and delete atomically.

Query guarantees: nothing unpublished is ever listed: the index holds published articles only, a
match counts only once its publish time has come (search_document, checked per query), and the
displayed page is checked against the articles themselves (status and publish time, at query
time, whatever the index holds). The work per query is bounded by SEARCH_CANDIDATES however
common the words; results, counts and facets all come from the same candidate set.
"""
from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import Counter, OrderedDict
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from miaobi.library.fragments import cached_fragment, generation
from miaobi.library.gate import preview_settings, text_for_viewer
from miaobi.library.models import Article, Genre, Tag

from .backends import Filters, get_backend
from .models import SearchDocument, SearchLog, SearchText
from .query import ParsedQuery, compact, parse_query
from .snippets import prepare, snippet_from
from .text import han_chars, index_words, normalise

log = logging.getLogger(__name__)

SEARCH_CANDIDATES = 500       # most matches ranked, counted and faceted per query
PHRASE_CHECK_LIMIT = 400      # most candidates whose text is read to check phrases
SNIPPET_CHARS = 120
TITLE_WEIGHT = 2.0            # re-ranking: see rerank()
INDEX_BATCH = 200
RELAX_BELOW = 10              # fewer full matches than this: list partial matches after them
RELAX_LIMIT = 50
SUGGEST_TITLES = 6
SUGGEST_QUERIES = 4
POPULAR_DAYS = 30
POPULAR_CACHE_SECONDS = 600
PREVIEW_CACHE_SIZE = 5000     # prepared preview texts kept per process (about 20 MB)


# --- the index -------------------------------------------------------------------------------

def build_document(article, tag_ids: list[int], tag_names: list[str], genre_name: str
                   ) -> tuple[SearchDocument, SearchText]:
    """The index rows of one article (pure: no queries; any object with the Article fields will do)."""
    title = normalise(article.title)
    body = normalise(article.body)
    year = timezone.localtime(article.published_at).year
    document = SearchDocument(article_id=article.pk, genre_id=article.genre_id, year=year,
                              published_at=article.published_at, tag_ids=" ".join(str(t) for t in sorted(tag_ids)))
    text = SearchText(
        article_id=article.pk,
        title_tokens=" ".join(index_words(title) + han_chars(title)),
        tag_tokens=" ".join(index_words(normalise(" ".join([*tag_names, genre_name])))),
        body_tokens=" ".join(index_words(body)),
        chars=" ".join(han_chars(f"{title} {body}")),
        facets=" ".join([f"g{article.genre_id}", *(f"t{pk}" for pk in sorted(tag_ids)), f"y{year}"]),
    )
    return document, text


def _indexable(article: Article) -> bool:
    # Scheduled articles are indexed too: queries hide them until their time, and nothing has to
    # run at that moment for them to be found.
    return article.status == Article.Status.PUBLISHED


def _write(rows: list[tuple[SearchDocument, SearchText]]) -> None:
    if not rows:
        return
    SearchDocument.objects.bulk_create(
        [d for d, _ in rows], update_conflicts=True, unique_fields=["article"],
        update_fields=["genre_id", "year", "published_at", "tag_ids"])
    SearchText.objects.bulk_create(
        [t for _, t in rows], update_conflicts=True, unique_fields=["article"],
        update_fields=["title_tokens", "tag_tokens", "body_tokens", "chars", "facets"])


def index_article(article: Article) -> bool:
    """Put one article in the index if it is published (scheduled ones too), else take it out; True if indexed."""
    if article.pk is None:
        return False
    if not _indexable(article):
        remove_articles([article.pk])
        return False
    tags = list(article.tags.values_list("pk", "name"))
    genre = Genre.objects.only("name").get(pk=article.genre_id)
    with transaction.atomic():
        _write([build_document(article, [t[0] for t in tags], [t[1] for t in tags], genre.name)])
    return True


def remove_articles(article_ids) -> int:
    """Take articles out of the index (before deleting them, or when they stop being published)."""
    ids = [pk for pk in article_ids if pk is not None]
    if not ids or not SearchDocument.objects.filter(article_id__in=ids).exists():
        return 0  # (a new draft, an import's usual case: one look-up instead of two deletes)
    with transaction.atomic():
        SearchText.objects.filter(article_id__in=ids).delete()
        deleted, _ = SearchDocument.objects.filter(article_id__in=ids).delete()
    return deleted


def index_articles(article_ids, progress=None) -> int:
    """(Re)index these articles in batches; those not published are taken out. Returns how many are indexed."""
    ids = sorted(set(article_ids))
    genres = dict(Genre.objects.values_list("pk", "name"))
    indexed = 0
    for start in range(0, len(ids), INDEX_BATCH):
        batch = ids[start:start + INDEX_BATCH]
        articles = list(Article.objects.filter(pk__in=batch).only(
            "pk", "title", "body", "genre_id", "status", "published_at"))
        tags: dict[int, list[tuple[int, str]]] = {}
        for article_id, tag_id, name in Article.tags.through.objects.filter(article_id__in=batch).values_list(
                "article_id", "tag_id", "tag__name"):
            tags.setdefault(article_id, []).append((tag_id, name))
        rows = []
        for article in articles:
            if _indexable(article):
                pairs = tags.get(article.pk, [])
                rows.append(build_document(article, [p[0] for p in pairs], [p[1] for p in pairs],
                                           genres.get(article.genre_id, "")))
        with transaction.atomic():
            keep = {d.article_id for d, _ in rows}
            remove_articles([pk for pk in batch if pk not in keep])
            _write(rows)
        indexed += len(rows)
        if progress:
            progress(min(start + INDEX_BATCH, len(ids)), len(ids))
    return indexed


def reindex_all(progress=None) -> int:
    """Rebuild the whole index from the articles (after a dictionary change, a bulk import, a restore)."""
    published = Article.objects.filter(status=Article.Status.PUBLISHED)
    with transaction.atomic():
        SearchText.objects.exclude(article_id__in=published).delete()
        SearchDocument.objects.exclude(article_id__in=published).delete()
    count = index_articles(list(published.values_list("pk", flat=True)), progress=progress)
    get_backend().optimize()
    return count


def index_size_bytes() -> int:
    return get_backend().size_bytes()


# --- queries ---------------------------------------------------------------------------------

@dataclass
class Facet:
    value: str           # the URL value (slug or year)
    label: str
    count: int


@dataclass
class SearchOutcome:
    parsed: ParsedQuery
    filters: Filters
    sort: str
    ids: list[int] = field(default_factory=list)          # public matches, in display order
    partial: list[int] = field(default_factory=list)      # then texts holding only some words (few full matches)
    capped: bool = False                                   # more matched than SEARCH_CANDIDATES
    genre_facets: list[Facet] = field(default_factory=list)
    tag_facets: list[Facet] = field(default_factory=list)
    year_facets: list[Facet] = field(default_factory=list)
    latency_ms: int = 0
    failed: bool = False                                   # the engine refused the query (logged)

    @property
    def count(self) -> int:
        """Texts holding every word (what the page counts and the log records)."""
        return len(self.ids)

    @property
    def shown(self) -> list[int]:
        """Everything listed, in order: full matches, then partial ones."""
        return self.ids + self.partial


@dataclass
class ResultItem:
    article: Article
    snippet: str
    partial: bool = False  # holds only some of the words


def _phrase_filter(parsed: ParsedQuery, ids: list[int]) -> list[int]:
    """Keep the candidates whose text holds every required phrase and no excluded phrase."""
    required = [t.phrase for t in parsed.required if t.phrase]
    excluded = [t.phrase for t in parsed.excluded if t.phrase]
    ids = ids[:PHRASE_CHECK_LIMIT]
    texts = {pk: compact(normalise(f"{title}\n{body}"))
             for pk, title, body in Article.objects.filter(pk__in=ids).values_list("pk", "title", "body")}
    return [pk for pk in ids if pk in texts
            and all(p in texts[pk] for p in required) and not any(p in texts[pk] for p in excluded)]


def rerank(candidates: list[tuple[int, float, float]]) -> list[tuple[int, float]]:
    """Order (id, text score, title score) by how well the title and tags match, then by the whole text.

    Why: a 范文's title says what it is. The engines' own column weights cannot say this strongly
    enough (bm25 saturates term frequency, so ten body mentions rival one title mention), so the
    title/tag score (from the small title index, any query word counting) leads and the whole-text
    score breaks ties: TITLE_WEIGHT × title/best title + text/best text.
    """
    if not candidates:
        return []
    best_text = max(c[1] for c in candidates) or 1.0
    best_head = max(c[2] for c in candidates) or 1.0
    ranked = [(pk, TITLE_WEIGHT * max(head, 0.0) / best_head + max(score, 0.0) / best_text)
              for pk, score, head in candidates]
    ranked.sort(key=lambda item: (-item[1], -item[0]))
    return ranked


def _id_list(ids) -> str:
    # Integers we produced ourselves, inlined: binding 1,000 parameters through the ORM costs more
    # than the search (and SQLite limits bound parameters).
    return ",".join(str(int(pk)) for pk in ids) or "NULL"


def _public_ranked(parsed: ParsedQuery, candidates: list[tuple[int, float, float]]):
    """Candidates that pass the phrase check and whose publish time has come, re-ranked.

    Returns (ids best first, {id: (published_at, genre_id, year, tag ids)}); published_at only
    orders (it is text), tag ids are space-separated.
    """
    if parsed.has_phrases:
        keep = set(_phrase_filter(parsed, [c[0] for c in candidates]))
        candidates = [c for c in candidates if c[0] in keep]
    if not candidates:
        return [], {}
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        # published_at as text: it only orders (ISO strings sort as times), and parsing 1,000 costs.
        cursor.execute("SELECT article_id, CAST(published_at AS TEXT), genre_id, year, tag_ids FROM search_document "
                       f"WHERE article_id IN ({_id_list(c[0] for c in candidates)}) AND published_at <= %s", [now])
        rows = {row[0]: row[1:] for row in cursor.fetchall()}
    ranked = rerank([c for c in candidates if c[0] in rows])
    return [pk for pk, _ in ranked], rows


def search(parsed: ParsedQuery, filters: Filters = Filters(), sort: str = "relevance") -> SearchOutcome:
    """Matches of the query and filters whose publish time has come, best first (or newest first), with facets."""
    started = time.perf_counter()
    outcome = SearchOutcome(parsed=parsed, filters=filters, sort=sort)
    if parsed.is_empty:
        return outcome
    try:
        with transaction.atomic():  # a savepoint: on PostgreSQL a failed statement must not poison the request
            candidates = get_backend().candidates(parsed, filters, SEARCH_CANDIDATES)
    except DatabaseError:
        # Every input is made safe in query.py; should the engine still refuse one, the reader gets
        # a page that says so, and the log says which query.
        log.exception("search failed for query %r", parsed.normalised)
        outcome.failed = True
        return outcome
    outcome.capped = len(candidates) >= SEARCH_CANDIDATES
    ids, rows = _public_ranked(parsed, candidates)
    if 0 < len(ids) < RELAX_BELOW and len(parsed.required) > 1 and not parsed.has_phrases:
        # Few texts hold every word: follow them with texts whose titles hold some (best first).
        partial = replace(parsed, match_any=True)
        try:
            with transaction.atomic():
                more_candidates = get_backend().partial_candidates(partial, filters, RELAX_LIMIT)
        except DatabaseError:
            log.exception("partial matches failed for query %r", parsed.normalised)
            more_candidates = []
        more, more_rows = _public_ranked(partial, more_candidates)
        outcome.partial = [pk for pk in more if pk not in rows]
        rows.update(more_rows)
    if sort == "date":
        ids.sort(key=lambda pk: (rows[pk][0], pk), reverse=True)
        outcome.partial.sort(key=lambda pk: (rows[pk][0], pk), reverse=True)
    outcome.ids = ids
    _facets(outcome, rows)
    outcome.latency_ms = int((time.perf_counter() - started) * 1000)
    return outcome


# The same query by anyone has the same public matches: kept until the library changes, or this
# long (a text scheduled for later appears in results at most this late).
OUTCOME_SECONDS = 60


def cached_search(parsed: ParsedQuery, filters: Filters = Filters(), sort: str = "relevance") -> SearchOutcome:
    """search(), remembered per library generation: popular queries cost one cache read.

    Only the viewer-independent part is kept (ids and facets of public texts); snippets are made
    per viewer through the gate (page_results). A failed search is not kept.
    """
    digest = hashlib.sha256(repr((parsed, filters, sort)).encode()).hexdigest()[:32]
    key = f"library:{generation()}:search:{digest}"
    outcome = cache.get(key)
    if outcome is None:
        outcome = search(parsed, filters, sort)
        if not outcome.failed:
            cache.set(key, outcome, OUTCOME_SECONDS)
    return outcome


def _catalogue_names() -> tuple[dict[int, tuple[str, str]], dict[int, tuple[str, str]]]:
    """{id: (slug, name)} of genres and of tags (cached until the library changes)."""
    return cached_fragment("search-catalogue", lambda: (
        {pk: (slug, name) for pk, slug, name in Genre.objects.values_list("pk", "slug", "name")},
        {pk: (slug, name) for pk, slug, name in Tag.objects.values_list("pk", "slug", "name")},
    ), seconds=60)


def genre_links() -> list[tuple[str, str]]:
    """(name, URL) of every genre, for browsing when a search finds nothing."""
    genres, _ = _catalogue_names()
    return [(name, reverse("library:genre", args=[slug])) for slug, name in genres.values()]


def _facets(outcome: SearchOutcome, rows: dict[int, tuple]) -> None:
    """Counts per genre, tag and year over the full matches (partial ones do not count)."""
    if not outcome.ids:
        return
    genre_counts = Counter(rows[pk][1] for pk in outcome.ids)
    year_counts = Counter(rows[pk][2] for pk in outcome.ids)
    tag_counts = Counter(int(t) for pk in outcome.ids for t in rows[pk][3].split())
    genres, tags = _catalogue_names()
    outcome.genre_facets = sorted(
        (Facet(*genres[pk], n) for pk, n in genre_counts.items() if pk in genres), key=lambda f: (-f.count, f.label))
    outcome.tag_facets = sorted(
        (Facet(*tags[pk], n) for pk, n in tag_counts.items() if pk in tags), key=lambda f: (-f.count, f.label))[:20]
    outcome.year_facets = [Facet(str(y), f"{y}年", n) for y, n in sorted(year_counts.items(), reverse=True)]


class _PreviewTexts:
    """An in-process LRU of prepared preview texts, keyed by everything a preview is made of.

    Why: a result page needs the preview of up to 20 articles; building one parses the whole body
    (about a millisecond each), and the shared cache may be small (the default per-process cache
    keeps 300 entries). Only previews are kept, never a full text; the key holds the body's hash,
    the preview budget (article, genre, site) and the gate's reason, so a changed text or budget
    can never be served from an older entry.
    """

    def __init__(self, size: int):
        self.size, self.items, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key, compute):
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        value = compute()
        with self.lock:
            self.items[key] = value
            if len(self.items) > self.size:
                self.items.popitem(last=False)
        return value


_preview_texts = _PreviewTexts(PREVIEW_CACHE_SIZE)


def visible_snippet(article: Article, user, terms: list[str]) -> str:
    """A snippet from what the gate lets this viewer see (the preview for visitors), never more."""
    reading = text_for_viewer(article, user)
    if reading.full:
        prepared = prepare(reading.visible_text)
    else:
        key = (article.pk, hash(article.body), preview_settings(article), reading.reason,
               settings.MIAOBI_PREVIEW_RATIO, settings.MIAOBI_PREVIEW_MAX_CHARS)
        prepared = _preview_texts.get(key, lambda: prepare(reading.visible_text))
    return snippet_from(prepared, terms, SNIPPET_CHARS)


def page_results(ids: list[int], parsed: ParsedQuery, user, partial=()) -> list[ResultItem]:
    """The displayed page only: public articles with their snippets, in the order of `ids`.

    The guard against the articles themselves: an article that is not public now is never listed,
    even if the index still held it (say, after a raw UPDATE that bypassed library/services.py).
    """
    # By primary key, then is_public in Python: given `published()` and an id list, SQLite (without
    # ANALYZE statistics) walks the whole status index instead of looking up 20 rows.
    fetched = Article.objects.select_related("genre").order_by().in_bulk(list(ids))
    articles = {pk: a for pk, a in fetched.items() if a.is_public}
    terms = parsed.highlight_terms
    partial = set(partial)
    return [ResultItem(articles[pk], visible_snippet(articles[pk], user, terms), pk in partial)
            for pk in ids if pk in articles]


def count_matches(parsed: ParsedQuery, filters: Filters = Filters()) -> int:
    """How many public articles match (bounded by SEARCH_CANDIDATES), for suggestions."""
    return search(parsed, filters).count


# --- zero results, typeahead ---------------------------------------------------------------

def popular_queries(limit: int = 200) -> list[tuple[str, int]]:
    """The most frequent queries of the last POPULAR_DAYS that found something, commonest first (cached)."""
    key = "search:popular"
    value = cache.get(key)
    if value is None:
        since = timezone.now() - timezone.timedelta(days=POPULAR_DAYS)
        value = list(SearchLog.objects.filter(created_at__gte=since, result_count__gt=0)
                     .values("query").annotate(n=Count("id")).order_by("-n", "query")
                     .values_list("query", "n")[:limit])
        cache.set(key, value, POPULAR_CACHE_SECONDS)
    return value


def close_queries(parsed: ParsedQuery, limit: int = 6) -> list[tuple[str, int]]:
    """For a query that found nothing: nearby queries that do find something, with their counts.

    Tries the phrases as plain words, the query without the words that find nothing on their own
    (the usual culprit is a word too many), each word alone, then popular queries sharing a
    character with it. At most MAX_TERMS + 2 extra searches, each bounded.
    """
    out: list[tuple[str, int]] = []
    seen = {parsed.normalised}

    def offer(text: str) -> int:
        if text in seen or not text:
            return 0
        seen.add(text)
        n = count_matches(parse_query(text))
        if n:
            out.append((text, n))
        return n

    def spell(term) -> str:
        return f'"{term.phrase}"' if term.phrase else term.words[0]

    if parsed.has_phrases:
        offer(" ".join(" ".join(t.words) for t in parsed.required))
    if len(parsed.required) > 1:
        alone = {t: count_matches(parse_query(spell(t))) for t in parsed.required}
        offer(" ".join(spell(t) for t in parsed.required if alone[t]))
        for term, n in alone.items():
            if n and spell(term) not in seen:
                seen.add(spell(term))
                out.append((spell(term), n))
    chars = set("".join(parsed.words))
    popular = popular_queries()
    # Popular queries sharing a character first; if none does, the most popular ones.
    for query, _n in [p for p in popular if chars & set(p[0])] + popular[:limit]:
        if len(out) >= limit:
            break
        if query not in seen:
            seen.add(query)
            n = count_matches(parse_query(query))
            if n:
                out.append((query, n))
    return sorted(out, key=lambda qn: -qn[1])[:limit]


def suggest(raw: str) -> dict:
    """Typeahead: titles that hold what was typed, and popular queries that start with (or contain) it."""
    parsed = parse_query(raw)
    if parsed.is_empty:
        return {"query": parsed.display, "titles": [], "queries": []}
    try:
        with transaction.atomic():
            ids = get_backend().title_matches(parsed, SUGGEST_TITLES * 3)
    except DatabaseError:
        log.exception("typeahead failed for query %r", parsed.normalised)
        ids = []
    titles = []
    if ids:
        now = timezone.now()
        public = {pk: title for pk, title, status, published_at in Article.objects.filter(pk__in=ids).order_by()
                  .values_list("pk", "title", "status", "published_at")
                  if status == Article.Status.PUBLISHED and published_at <= now}
        titles = [{"title": public[pk], "url": reverse("library:article", args=[pk])}
                  for pk in ids if pk in public][:SUGGEST_TITLES]
    typed = parsed.normalised
    starts = [q for q, _ in popular_queries() if q.startswith(typed) and q != typed]
    contains = [q for q, _ in popular_queries() if typed in q and q != typed and q not in starts]
    return {"query": parsed.display, "titles": titles, "queries": (starts + contains)[:SUGGEST_QUERIES]}


def log_search(parsed: ParsedQuery, count: int, latency_ms: int, filtered: bool) -> None:
    """Record one search (no user identity). A failing log never fails the search."""
    log_search_entry(parsed.normalised[:100], count, filtered, latency_ms=latency_ms)


def log_search_entry(query: str, count: int, filtered: bool, *, latency_ms: int) -> None:
    """Record one search, buffered with the page views (publishing/counting.py): on a busy site a
    row per search serialised every search behind the database's writes."""
    from miaobi.publishing.counting import record_search

    try:
        record_search(SearchLog(query=query[:100], result_count=count,
                                latency_ms=max(0, min(latency_ms, 2**31 - 1)), filtered=filtered))
    except Exception:  # noqa: BLE001 - logging is best effort
        log.exception("search log not written for query %r", query[:100])


def resolve_filters(genre_slug: str, tag_slug: str, year: str) -> tuple[Filters, dict, list[str]]:
    """URL values → Filters, the chosen objects for display, and notices (Chinese) for ignored values."""
    notices, chosen = [], {}
    genre_id = tag_id = year_value = None
    if genre_slug:
        genre = Genre.objects.filter(slug=genre_slug[:40]).first()
        if genre:
            genre_id, chosen["genre"] = genre.pk, genre
        else:
            notices.append("没有这个文种，已忽略文种筛选。")
            log.info("search: unknown genre %r ignored", genre_slug[:40])
    if tag_slug:
        tag = Tag.objects.filter(slug=tag_slug[:60]).first()
        if tag:
            tag_id, chosen["tag"] = tag.pk, tag
        else:
            notices.append("没有这个主题，已忽略主题筛选。")
            log.info("search: unknown tag %r ignored", tag_slug[:60])
    if year:
        if year.isascii() and year.isdigit() and 1900 <= int(year) <= 2999:
            year_value = chosen["year"] = int(year)
        else:
            notices.append("年份应为四位数字，已忽略年份筛选。")
            log.info("search: bad year %r ignored", year[:8])
    return Filters(genre_id, tag_id, year_value), chosen, notices

