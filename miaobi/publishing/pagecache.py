"""The anonymous page cache: whole article, list and search pages, kept for visitors only.

Correct first:
- Only a visitor's GET is served from the cache or stored: no session cookie (so not logged in), no
  flash messages, no `?as=`. A logged-in reader (whose page may hold the full text, a quota, a
  CSRF token) neither reads nor writes it, so an entitled view is never stored for anyone else.
- Only article, list and search pages, only with the query parameters they use, only 200 responses
  that set no cookie and used no CSRF token, and no page its view marked uncacheable (a search the
  index could not answer in full).
- Pages live in the shared cache (files in the data dir, or Redis), so every worker serves what any
  worker stored. Keys carry the library generation (fragments.py): every publish, edit, unpublish or
  site-settings change retires every cached page, in every worker within a second.
- What the view would have done besides rendering still happens on a hit: an article's reading is
  counted, a search is rate-limited and logged (both buffered, counting.py).

Fast: the middleware sits right after the request id, security and CSP layers, so a hit skips
sessions, CSRF, authentication, URL resolving (routes are memoised per path) and the view. It stores
the response with the headers the inner layers gave it (ETag, Last-Modified, Vary, X-Frame-Options …)
and answers a visitor's conditional GET from them.
"""
from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from types import SimpleNamespace

from django.conf import settings
from django.core.signals import setting_changed
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

from miaobi.library.fragments import generation, shared_cache

from .conditional import ARTICLE_VIEW, LIST_VIEWS
from .counting import record_page_view

SEARCH_VIEW = "search:search"
SEARCH_PARAMS = frozenset({"q", "genre", "tag", "year", "sort", "page"})
ALLOWED_PARAMS = ({ARTICLE_VIEW: frozenset(), SEARCH_VIEW: SEARCH_PARAMS}
                  | {name: frozenset({"page"}) for name in LIST_VIEWS})
NOT_STORED_HEADERS = frozenset({"set-cookie", "x-page-cache"})
MAX_ROUTES = 20_000
LOCAL_ENTRIES = 512   # the most read pages, also kept in this worker's memory (decoded; ~15 MB)
LOCAL_SECONDS = 30    # how long a copy here outlives its shared entry at most

_routes: dict[str, tuple[str, dict] | None] = {}
_local: OrderedDict[str, tuple[float, tuple]] = OrderedDict()  # key -> (expires, entry), least recent first


def page_cache_seconds() -> int:
    return int(getattr(settings, "MIAOBI_PAGE_CACHE_SECONDS", 0) or 0)


def route(path: str) -> tuple[str, dict] | None:
    """(view name, kwargs) of a path, memoised: URL patterns do not change while a process runs."""
    try:
        return _routes[path]
    except KeyError:
        pass
    try:
        match = resolve(path)
        found = (match.view_name, match.kwargs)
    except Resolver404:
        found = None
    if len(_routes) >= MAX_ROUTES:  # a crawler walking every URL must not grow this without bound
        _routes.clear()
    _routes[path] = found
    return found


def _forget_routes(setting, **kwargs) -> None:
    if setting == "ROOT_URLCONF":  # tests that swap URL configurations
        _routes.clear()


_local_lock = threading.Lock()


def get_page(key: str):
    """A stored page: from this worker's memory when it served it lately, else the shared cache.
    (Reading and decoding a page from the shared files costs more than the rest of a hit.) Keys
    carry the library generation, so a copy here is never stale but for the lifetime of lists
    with scheduled texts, which it extends by LOCAL_SECONDS at most."""
    now = time.monotonic()
    with _local_lock:
        found = _local.get(key)
        if found is not None:
            if found[0] > now:
                _local.move_to_end(key)
                return found[1]
            del _local[key]
    entry = shared_cache().get(key)
    if entry is not None:
        remember(key, entry, now)
    return entry


def remember(key: str, entry, now: float | None = None) -> None:
    seconds = min(LOCAL_SECONDS, page_cache_seconds())
    with _local_lock:
        _local[key] = ((now or time.monotonic()) + seconds, entry)
        _local.move_to_end(key)
        while len(_local) > LOCAL_ENTRIES:
            _local.popitem(last=False)


def forget_local_pages() -> None:
    """Drop this worker's copies (tests; the shared entries stay)."""
    with _local_lock:
        _local.clear()


setting_changed.connect(_forget_routes)


def visitor_route(request) -> tuple[str, dict] | None:
    """The (view name, kwargs) of a visitor's GET for a cacheable page, or None."""
    if request.method != "GET" or page_cache_seconds() <= 0:
        return None
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return None  # a session may be logged in; flash messages make a page differ
    found = route(request.path_info)
    if found is None or found[0] not in ALLOWED_PARAMS:
        return None
    if request.GET and not ALLOWED_PARAMS[found[0]].issuperset(request.GET):
        return None  # (also `?as=`, staff viewing as a visitor: no cacheable page takes it)
    return found


def cache_key(request) -> str:
    """Per library generation, per host and full path (hashed: search URLs can be long)."""
    url = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return f"page:{generation()}:{hashlib.sha256(url.encode()).hexdigest()[:40]}"


def mark_uncacheable(request) -> None:
    """A view's way to keep this response out of the cache (e.g. a search answered in part)."""
    request._page_cache_skip = True


def note_for_hits(request, **note) -> None:
    """What a hit must still do for this page (e.g. log a search): stored with the page."""
    request._page_cache_note = note


class AnonymousPageCache:
    """Middleware (right after the CSP layer): serves and stores visitors' pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        found = visitor_route(request)
        if found is None:
            return self.get_response(request)
        key = cache_key(request)
        entry = get_page(key)
        if entry is not None:
            response = self.serve(request, found, entry)
            if response is not None:
                return response
        response = self.get_response(request)
        if self.storable(request, response):
            headers = {name: value for name, value in response.items() if name.lower() not in NOT_STORED_HEADERS}
            note = getattr(request, "_page_cache_note", None)
            entry = (response.content, headers, note)
            shared_cache().set(key, entry, page_cache_seconds())
            remember(key, entry)
        return response

    def serve(self, request, found, entry):
        """The cached page (or a 304), after what the view would have done besides rendering;
        None to let the view answer (a search over the rate limit)."""
        content, headers, note = entry
        view_name, kwargs = found
        if view_name == SEARCH_VIEW and not search_hit(request, note):
            return None
        if view_name == ARTICLE_VIEW:  # the view did not run: count here
            record_page_view(request, SimpleNamespace(pk=int(kwargs["pk"])))
        response = None
        if "ETag" in headers:
            response = get_conditional_response(request, etag=headers["ETag"],
                                                last_modified=parse_http_date_safe(headers.get("Last-Modified", "")))
        if response is None:
            response = HttpResponse(content)
        for name, value in headers.items():
            if response.status_code == 200 or name.lower() not in ("content-length", "content-type"):
                response[name] = value
        response["X-Page-Cache"] = "hit"
        return response

    @staticmethod
    def storable(request, response) -> bool:
        return (response.status_code == 200 and not response.streaming and not response.cookies
                and not getattr(request, "_page_cache_skip", False)
                and not getattr(getattr(request, "user", None), "is_authenticated", False)
                and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE") and not request.META.get("CSRF_COOKIE_USED")
                and not response.has_header("Set-Cookie") and "no-store" not in response.get("Cache-Control", ""))


def search_hit(request, note) -> bool:
    """A cached search page still counts against the visitor's rate limit and is logged (a new
    search, not its next page). False: over the limit, the view answers (without counting again)."""
    from miaobi.search.ratelimit import configured_rate, retry_after

    wait = retry_after(request, "search", configured_rate())
    if wait is not None:
        request._search_rate_wait = wait
        return False
    if note and note.get("search_log") and not request.GET.get("page"):
        from miaobi.search.services import log_search_entry

        log_search_entry(*note["search_log"], latency_ms=0)
    return True
