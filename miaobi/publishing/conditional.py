"""Conditional GET (ETag / Last-Modified) on article and list pages, for visitors only.

A logged-in reader's page differs from a visitor's (full text, quota, favourites), so they never get
a 304 nor validators. A visitor's page depends on the library's state only: the validators are built
from the library generation (set anew by every change to articles, genres, tags or site settings),
the article itself on its page, and the publish time that has most recently come (scheduled
articles appear without any row changing).
The view count shown on the page may be stale in a cached copy; the view is still counted.
"""
from __future__ import annotations

import hashlib
import time
from datetime import datetime
from datetime import timezone as dt_timezone

from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, quote_etag

from miaobi.library.fragments import cached_fragment, generation
from miaobi.library.models import Article

ARTICLE_VIEW = "library:article"
LIST_VIEWS = {"library:home", "library:genre", "library:tag", "library:latest", "library:genres", "library:tags"}
VERSION = "1"  # bump when page templates change in a way validators cannot see


def library_state() -> tuple[datetime | None, str]:
    """(time of the last library change, a digest of what lists show), from two index lookups.

    Every change to articles, genres, tags or the site settings sets a new library generation, a
    time in microseconds (fragments.py); the newest publish time that has come covers scheduled
    texts, which appear without any change. (An aggregate over the articles themselves read every
    row: a second at 100,000 texts.)
    """
    number = generation()
    changed = datetime.fromtimestamp(min(number / 1e6, time.time()), tz=dt_timezone.utc)
    newest = (Article.objects.published().order_by("-published_at").values_list("published_at", flat=True)[:1]
              or [None])[0]
    return max(filter(None, [changed, newest])), f"{number}|{newest}"


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
