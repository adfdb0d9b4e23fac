"""The anonymous page cache: whole article and list pages, kept for visitors only.

Correct first:
- Only a visitor's GET is served from the cache or stored: no session cookie, not logged in, no
  flash messages, no `?as=`. A logged-in reader (whose page may hold the full text, a quota, a
  CSRF token) neither reads nor writes it, so an entitled view is never stored for anyone else.
- Only article and list pages, only with the query parameters they use (`?page=` on lists), only
  200 responses that set no cookie and used no CSRF token.
- Pages live in the shared cache (files in the data dir, or Redis), so every worker serves what any
  worker stored. Keys carry the library generation (fragments.py): every publish, edit, unpublish or
  site-settings change retires every cached page, in every worker within a second.
- A page served from the cache still counts its reading (buffered, counting.py).
"""
from __future__ import annotations

from types import SimpleNamespace

from django.conf import settings
from django.http import HttpResponse

from miaobi.library.fragments import generation, shared_cache

from .conditional import ARTICLE_VIEW, LIST_VIEWS, is_visitor_request
from .counting import record_page_view

ALLOWED_PARAMS = {ARTICLE_VIEW: frozenset()} | {name: frozenset({"page"}) for name in LIST_VIEWS}
KEPT_HEADERS = ("Content-Type", "Content-Language", "X-Robots-Tag")


def page_cache_seconds() -> int:
    return int(getattr(settings, "MIAOBI_PAGE_CACHE_SECONDS", 0) or 0)


def cache_key(request) -> str | None:
    """The cache key of a visitor's request for a cacheable page, or None."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.view_name not in ALLOWED_PARAMS or request.method != "GET":
        return None
    if not set(request.GET).issubset(ALLOWED_PARAMS[match.view_name]):
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES or not is_visitor_request(request):
        return None
    origin = f"{request.scheme}://{request.get_host()}"
    return f"page:{generation()}:{origin}{request.get_full_path()}"


class AnonymousPageCache:
    """Middleware (after ConditionalGetForVisitors): serves and stores visitors' pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        key = getattr(request, "_page_cache_key", None)
        if key and self.storable(request, response):
            headers = {h: response[h] for h in KEPT_HEADERS if response.has_header(h)}
            shared_cache().set(key, (response.content, headers), page_cache_seconds())
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if page_cache_seconds() <= 0:
            return None
        key = cache_key(request)
        if key is None:
            return None
        found = shared_cache().get(key)
        if found is None:
            request._page_cache_key = key
            return None
        content, headers = found
        response = HttpResponse(content, headers=headers)
        response["X-Page-Cache"] = "hit"
        if request.resolver_match.view_name == ARTICLE_VIEW:  # the view did not run: count here
            record_page_view(request, SimpleNamespace(pk=int(view_kwargs["pk"])))
        return response

    @staticmethod
    def storable(request, response) -> bool:
        return (response.status_code == 200 and not response.streaming and not response.cookies
                and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE") and not request.META.get("CSRF_COOKIE_USED")
                and not response.has_header("Set-Cookie") and "no-store" not in response.get("Cache-Control", ""))
