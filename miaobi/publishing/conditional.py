"""Conditional GET (ETag / Last-Modified) on article and list pages, for visitors only.

A logged-in reader's page differs from a visitor's (full text, quota, favourites), so they never get
a 304 nor validators. A visitor's page depends on the library's state only: the validators are built
from the newest change of any public article (and the article itself on its page), the publish time
that has most recently come (scheduled articles appear without any row changing) and the site settings.
The view count shown on the page may be stale in a cached copy; the view is still counted.
"""
from __future__ import annotations

import hashlib
from datetime import datetime

from django.db.models import Count, Max
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, quote_etag

from miaobi.library.fragments import cached_fragment
from miaobi.library.models import Article
from miaobi.siteconfig.selectors import current_site_settings

ARTICLE_VIEW = "library:article"
LIST_VIEWS = {"library:home", "library:genre", "library:tag", "library:latest", "library:genres", "library:tags"}
VERSION = "1"  # bump when page templates change in a way validators cannot see


def library_state() -> tuple[datetime | None, str]:
    """(newest change of a public article, a digest of what lists show) in two cheap aggregates."""
    public = Article.objects.published()
    row = public.aggregate(updated=Max("updated_at"), published=Max("published_at"), n=Count("id"))
    site = current_site_settings()
    stamp = f"{row['updated']}|{row['published']}|{row['n']}|{site.site_name}|{site.tagline}|{site.footer_text}"
    return row["updated"], stamp


def article_state(pk) -> tuple[bool, datetime | None]:
    """(is public now, updated_at) of one article."""
    article = Article.objects.filter(pk=pk).only("pk", "updated_at", "status", "published_at").first()
    return (article is not None and article.is_public), (article.updated_at if article else None)


def validators(request, view_name: str, kwargs: dict) -> tuple[str, datetime | None] | None:
    """(ETag, Last-Modified) of a visitor's page, or None when the page is not covered.

    The library's state is a cached fragment: retired by every library change in this worker (and
    within FRAGMENT_SECONDS in the others), the same freshness as the lists the pages show.
    """
    last_modified, stamp = cached_fragment("conditional:library", library_state)
    if view_name == ARTICLE_VIEW:
        pk = kwargs.get("pk")
        public, updated_at = cached_fragment(f"conditional:article:{pk}", lambda: article_state(pk))
        if not public:
            return None
        stamp += f"|a{pk}:{updated_at.isoformat()}"
        last_modified = max(filter(None, [last_modified, updated_at]), default=None)
    raw = f"{VERSION}|{view_name}|{request.get_full_path()}|{stamp}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32], last_modified


def is_visitor_request(request) -> bool:
    """A GET/HEAD by someone not logged in and with no pending flash messages (those make pages differ)."""
    return (request.method in ("GET", "HEAD") and not request.user.is_authenticated
            and "messages" not in request.COOKIES and not request.GET.get("as"))


class ConditionalGetForVisitors:
    """Middleware: answers 304 to a visitor whose copy is current; adds ETag/Last-Modified otherwise."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        found = getattr(request, "_publishing_validators", None)
        if found and response.status_code == 200 and not request.user.is_authenticated:
            _finish(response, *found)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        if match is None or (match.view_name != ARTICLE_VIEW and match.view_name not in LIST_VIEWS):
            return None
        if not is_visitor_request(request):
            return None
        found = validators(request, match.view_name, view_kwargs)
        if found is None:
            return None
        etag, last_modified = quote_etag(found[0]), found[1]
        request._publishing_validators = (etag, last_modified)
        stamp = int(last_modified.timestamp()) if last_modified else None
        response = get_conditional_response(request, etag=etag, last_modified=stamp)
        if response is not None:  # 304: the page is not rendered, but the reading still counts
            if match.view_name == ARTICLE_VIEW:
                count_not_modified_view(request, view_kwargs.get("pk"))
            return _finish(response, etag, last_modified)
        return None


def _finish(response, etag: str, last_modified: datetime | None):
    response["ETag"] = etag
    if last_modified:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    response["Cache-Control"] = "private, no-cache"  # revalidate every time; never in shared caches
    patch_vary_headers(response, ("Cookie",))
    return response


def count_not_modified_view(request, pk) -> None:
    """A 304 skips the article view: count the reading here as the view would have."""
    from .counting import record_page_view

    article = Article.objects.filter(pk=pk).only("pk").first()
    if article is not None:
        record_page_view(request, article)
