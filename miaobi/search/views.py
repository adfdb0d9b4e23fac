"""The search page and the typeahead. Thin: the rules live in query.py, services.py and backends.py.

Every input gives a result page (never an error page); snippets come only from what the gate lets
the viewer see; anonymous readers are rate-limited per IP (settings.MIAOBI_SEARCH_RATE).
"""
from __future__ import annotations

import logging
import time
from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from miaobi.library.views import paginate
from miaobi.publishing.pagecache import mark_uncacheable, note_for_hits

from . import services
from .query import MAX_QUERY_CHARS, parse_query
from .ratelimit import configured_rate, retry_after

log = logging.getLogger(__name__)
SORTS = {"relevance": "相关度", "date": "发布时间"}
SUGGEST_RATE_FACTOR = 5  # typing sends a request per pause: allow more than full searches


def _param(request, name: str, limit: int = 200) -> str:
    return (request.GET.get(name) or "")[:limit].strip()


def _limited(request, bucket: str, factor: int = 1) -> int | None:
    if request.user.is_authenticated:
        return None
    if bucket == "search" and hasattr(request, "_search_rate_wait"):  # counted by the page cache already
        return request._search_rate_wait
    return retry_after(request, bucket, configured_rate(factor=factor))


def _order_url(query: str) -> str | None:
    """定制代笔 with the topic filled in, once the order desk exists (its URL is named orders:new)."""
    try:
        return reverse("orders:new") + "?" + urlencode({"topic": query})
    except NoReverseMatch:
        return None


@require_GET
def search(request):
    wait = _limited(request, "search")
    if wait is not None:
        log.info("search rate limit reached for %s", request.META.get("REMOTE_ADDR"))
        response = render(request, "search/rate_limited.html", {"retry_after": wait, "query": _param(request, "q")},
                          status=429)
        response["Retry-After"] = str(wait)
        return response

    parsed = parse_query(request.GET.get("q", ""))
    if parsed.truncated:
        log.info("search: query of %d characters cut to %d", len(request.GET.get("q", "")), MAX_QUERY_CHARS)
    sort = _param(request, "sort", 20)
    sort = sort if sort in SORTS else "relevance"
    filters, chosen, notices = services.resolve_filters(
        _param(request, "genre", 40), _param(request, "tag", 60), _param(request, "year", 8))
    started = time.perf_counter()
    outcome = services.cached_search(parsed, filters, sort)
    page = paginate(request, outcome.shown)
    results = services.page_results(list(page.object_list), parsed, request.user, outcome.partial)
    if parsed.display and not request.GET.get("page"):  # a new search, not the next page of one
        latency_ms = int((time.perf_counter() - started) * 1000)
        services.log_search(parsed, outcome.count, latency_ms, bool(filters))
    if outcome.failed:
        mark_uncacheable(request)
    elif parsed.display:  # a visitor served this page from the cache is logged as this search
        note_for_hits(request, search_log=(parsed.normalised[:100], outcome.count, bool(filters)))

    state = {"q": parsed.display, "genre": chosen["genre"].slug if "genre" in chosen else "",
             "tag": chosen["tag"].slug if "tag" in chosen else "", "year": chosen.get("year", ""),
             "sort": sort if sort != "relevance" else ""}

    def link(**changes) -> str:
        merged = {**state, **changes}
        return "?" + urlencode({k: v for k, v in merged.items() if v not in ("", None)})

    zero = bool(parsed.display) and not parsed.is_empty and outcome.count == 0 and not outcome.failed
    return render(request, "search/results.html", {
        "query": parsed.display,
        "parsed": parsed,
        "truncated": parsed.truncated,
        "max_chars": MAX_QUERY_CHARS,
        "terms": parsed.highlight_terms,
        "outcome": outcome,
        "page": page if outcome.shown else None,
        "results": results,
        "notices": notices,
        "chosen": chosen,
        "sort": sort,
        "sorts": [(key, label, link(sort=key if key != "relevance" else "")) for key, label in SORTS.items()],
        "link": link,
        "pager_qs": link()[1:],
        "close_queries": [(q, n, "?" + urlencode({"q": q})) for q, n in services.close_queries(parsed)] if zero else [],
        "order_url": _order_url(parsed.display) if zero else None,
        "browse_genres": services.genre_links() if zero else [],
        "only_excluded": bool(parsed.display) and parsed.is_empty and bool(parsed.excluded),
        "capped_at": services.SEARCH_CANDIDATES,
    })


@require_GET
def suggest(request):
    """JSON for the search box: {"query", "titles": [{"title", "url"}], "queries": [...]}."""
    wait = _limited(request, "suggest", SUGGEST_RATE_FACTOR)
    if wait is not None:
        response = JsonResponse({"error": "请求过于频繁，请稍后再试。", "titles": [], "queries": []}, status=429)
        response["Retry-After"] = str(wait)
        return response
    data = services.suggest(request.GET.get("q", ""))
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, max-age=60"
    return response
