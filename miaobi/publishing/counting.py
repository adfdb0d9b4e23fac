"""Counting page views without slowing the page, and without storing who read what.

- Unique visitors: a SHA-256 of (the day's salt, a hash of IP and user agent). The salt is random, one
  per day, kept in the database (so every worker agrees) and deleted when the day is over: yesterday's
  hashes can no longer be linked to an IP. The raw IP is never stored; the unsalted client hash lives
  in this process's memory only until the next flush.
- Views and referrers: counted in a per-process buffer and written in one batch every
  MIAOBI_STATS_FLUSH_SECONDS (0 writes through). A crash loses at most that many seconds of counts;
  a worker that exits normally flushes first (atexit).
- The article's own 阅读量 (Article.view_count) rides in the same buffer: one UPDATE per article per
  flush instead of one per page view (the page's only write).
- So does the search log (search.SearchLog rows, no user identity): one INSERT per flush, not one per
  search.
- A flush that fails (database away) puts what it held back into the buffer: the next one writes it.
"""
from __future__ import annotations

import atexit
import hashlib
import logging
import os
import secrets
import threading
import time
from collections import Counter
from datetime import date
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from miaobi.search.ratelimit import client_ip

from .models import DailyCount, DailySalt, DailyVisitor

_lock = threading.Lock()
_buffer: Counter = Counter()          # (day, kind, key) -> count
_visitors: set[tuple[date, str]] = set()
_last_flush = time.time()  # when this process last wrote its buffer (each worker flushes its own)
_article_views: Counter = Counter()   # article pk -> views not yet added to Article.view_count
_searches: list = []                  # unsaved SearchLog rows
MAX_BUFFERED_SEARCHES = 50_000        # a database away for long: keep the newest, never grow without bound
logger = logging.getLogger(__name__)


def _flush_due() -> bool:
    """Whether this process's buffer is older than MIAOBI_STATS_FLUSH_SECONDS (its clock starts with it)."""
    seconds = flush_seconds()
    return seconds <= 0 or time.time() - _last_flush >= seconds


def flush_seconds() -> int:
    """MIAOBI_STATS_FLUSH_SECONDS (env or settings; default 10): how long counts wait in the buffer."""
    value = getattr(settings, "MIAOBI_STATS_FLUSH_SECONDS", None)
    return int(value if value is not None else os.environ.get("MIAOBI_STATS_FLUSH_SECONDS", 10))


def counting_enabled() -> bool:
    """MIAOBI_STATS_COUNTING=0 turns page-view counting off (the dashboard then shows no traffic)."""
    value = getattr(settings, "MIAOBI_STATS_COUNTING", None)
    if value is None:
        value = os.environ.get("MIAOBI_STATS_COUNTING", "1")
    return str(value).strip().lower() not in {"0", "false", "no", "off"}


def day_salt(day: date) -> str:
    """The random salt of `day` (created on first use); salts of earlier days are deleted."""
    key = f"stats:salt:{day.isoformat()}"
    salt = cache.get(key)
    if salt:
        return salt
    try:
        with transaction.atomic():
            salt = DailySalt.objects.get_or_create(day=day, defaults={"salt": secrets.token_hex(32)})[0].salt
    except IntegrityError:  # another worker created it a moment ago
        salt = DailySalt.objects.get(day=day).salt
    DailySalt.objects.filter(day__lt=day).delete()
    cache.set(key, salt, 86400 * 2)
    return salt


def client_key(request) -> str:
    """An unsalted hash of IP and user agent: held in memory only until the next flush (seconds)."""
    agent = (request.META.get("HTTP_USER_AGENT") or "")[:300]
    return hashlib.sha256(f"{client_ip(request)}|{agent}".encode("utf-8", "ignore")).hexdigest()


def visitor_digest(client: str, day: date) -> str:
    """The day's pseudonymous visitor id: the client key hashed with the day's random salt."""
    return hashlib.sha256(f"{day_salt(day)}|{client}".encode()).hexdigest()


def referrer_host(request) -> str:
    """The host of an external Referer, '' for none or our own site."""
    referer = request.META.get("HTTP_REFERER") or ""
    try:
        host = (urlsplit(referer).hostname or "").lower()[:100]
    except ValueError:
        return ""
    if not host or host == request.get_host().split(":")[0].lower():
        return ""
    return host


def record_page_view(request, article) -> None:
    """Count one public view of `article`: its 阅读量, daily views, the visitor, an external referrer."""
    if not counting_enabled():
        from miaobi.library.services import record_view

        record_view(article)  # the 阅读量 still counts, written through
        return
    day = timezone.localdate()
    client = client_key(request)  # salted at flush time: the page itself runs no query for counting
    host = referrer_host(request)
    with _lock:
        _buffer[(day, "view", str(article.pk))] += 1
        if host:
            _buffer[(day, "referrer", host)] += 1
        _visitors.add((day, client))
        _article_views[article.pk] += 1
    if _flush_due():
        flush_soon()


def record_search(row) -> None:
    """Buffer one unsaved SearchLog row (written through when MIAOBI_STATS_FLUSH_SECONDS is 0)."""
    if flush_seconds() <= 0:
        row.save()
        return
    with _lock:
        _searches.append(row)
        if len(_searches) > MAX_BUFFERED_SEARCHES:
            del _searches[:len(_searches) - MAX_BUFFERED_SEARCHES]
    if _flush_due():
        flush_soon()


_flushing = threading.Lock()  # one flush at a time in this process


def flush_soon() -> None:
    """Flush without holding up the reader whose request found the buffer due: in a thread of its own
    (its own database connection) when MIAOBI_STATS_FLUSH_IN_BACKGROUND, else here. A flush that waits
    for the database's write lock (SQLite: another worker writing) then never stalls a page."""
    if not getattr(settings, "MIAOBI_STATS_FLUSH_IN_BACKGROUND", True):
        flush_safely()
        return
    if not _flushing.acquire(blocking=False):
        return  # one is running; the next due check starts another
    global _last_flush
    _last_flush = time.time()  # the due check of the next request must not start a second thread

    def run() -> None:
        from django.db import connections

        try:
            flush_safely()
        finally:
            connections.close_all()  # this thread's connections only
            _flushing.release()

    threading.Thread(target=run, name="miaobi-stats-flush", daemon=True).start()


def flush_safely() -> None:
    """flush_counts() from a request: a failure is logged, the counts wait for the next flush."""
    try:
        flush_counts()
    except Exception:  # noqa: BLE001 - a reader's page must not fail for its statistics
        logger.warning("page view counts not flushed; kept for the next flush", exc_info=True)


def _add_views(article_model, views: list[tuple[int, int]]) -> None:
    """Article.view_count += n for each (pk, n): one prepared statement run for all (psycopg pipelines
    it; through the ORM, a statement and a round trip each cost a second per flush at 100,000 texts)."""
    if not views:
        return
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {q(article_model._meta.db_table)} SET {q('view_count')} = {q('view_count')} + %s "
                           f"WHERE {q('id')} = %s", [(n, pk) for pk, n in views])


def _add_counts(counts: list[tuple[tuple[date, str, str], int]]) -> None:
    """DailyCount(day, kind, key).count += n, created when missing: one upsert statement for all (SQLite
    3.24+ and PostgreSQL share the ON CONFLICT syntax)."""
    if not counts:
        return
    q = connection.ops.quote_name
    table = q(DailyCount._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({q('day')}, {q('kind')}, {q('key')}, {q('count')}) VALUES (%s, %s, %s, %s) "
            f"ON CONFLICT ({q('day')}, {q('kind')}, {q('key')}) DO UPDATE SET {q('count')} = {table}.{q('count')} + excluded.{q('count')}",
            [(day, kind, key, n) for (day, kind, key), n in counts])


def flush_counts() -> int:
    """Write the buffered counts of this process to the database; returns how many rows were touched."""
    from miaobi.library.models import Article

    global _last_flush
    _last_flush = time.time()
    with _lock:
        counts, visitors, views, searches = dict(_buffer), set(_visitors), dict(_article_views), list(_searches)
        _buffer.clear()
        _visitors.clear()
        _article_views.clear()
        _searches.clear()
    try:
        salted = [DailyVisitor(day=d, digest=visitor_digest(c, d)) for d, c in visitors]
        # One transaction: a busy site flushes thousands of rows, and one commit each stalled the
        # worker (and, on SQLite, every other writer) for a second or more.
        with transaction.atomic():
            _add_views(Article, sorted(views.items()))  # in key order: concurrent flushes never deadlock
            _add_counts(sorted(counts.items()))
            if salted:
                DailyVisitor.objects.bulk_create(salted, ignore_conflicts=True)
            if searches:
                type(searches[0]).objects.bulk_create(searches, batch_size=500)
    except Exception:
        with _lock:  # nothing was written (one transaction): keep it all for the next flush
            _buffer.update(counts)
            _visitors.update(visitors)
            _article_views.update(views)
            _searches[:0] = searches
        raise
    return len(counts) + len(visitors) + len(views) + len(searches)


@atexit.register
def _flush_at_exit() -> None:
    """A worker stopping normally writes what it holds (a kill -9 loses at most one flush interval)."""
    if not (_buffer or _visitors or _article_views or _searches):
        return
    try:
        flush_counts()
    except Exception:  # the database may already be gone at interpreter exit
        logger.warning("page view counts not flushed at exit", exc_info=True)


def discard_buffer() -> None:
    """Forget unwritten counts and restart the flush clock, as in a fresh process (tests)."""
    global _last_flush
    _last_flush = time.time()
    with _lock:
        _buffer.clear()
        _visitors.clear()
        _article_views.clear()
        _searches.clear()
