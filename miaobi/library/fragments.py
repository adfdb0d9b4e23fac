"""Cached shared parts of pages: lists and previews that are the same for every visitor.

Never a whole page, never anything that depends on who is reading (the gate decides that per
request). Every change to the library bumps a generation number, which retires all fragments.
With Redis (REDIS_URL) the bump reaches every worker at once; with the per-process default cache
other workers see it within FRAGMENT_SECONDS.
"""
from __future__ import annotations

import time
from typing import Callable, TypeVar

from django.core.cache import cache

from miaobi.scale.cache import cache_unavailable

T = TypeVar("T")
GENERATION_KEY = "library:generation"
FRAGMENT_SECONDS = 10
# A page asks for the generation several times; this process remembers it this long (its own
# changes update the memo at once, other workers' changes arrive within this delay).
LOCAL_SECONDS = 1.0
_memo: tuple[int, float] = (0, 0.0)  # (generation, valid until, monotonic)
# A change made while Redis was unreachable: written as the generation once Redis answers again,
# so fragments and pages cached before the outage do not come back.
_pending: int | None = None


def _fresh_generation() -> int:
    # Time-based, never 1, 2, …: when the key is lost (cache cleared, Redis evicted it) the new
    # number must not be one whose fragments may still be cached.
    return time.time_ns() // 1000


def generation() -> int:
    global _memo
    value, until = _memo
    now = time.monotonic()
    if until > now:
        return value
    global _pending
    value = cache.get(GENERATION_KEY)
    if _pending is not None and not cache_unavailable():
        value, _pending = _pending, None
        cache.set(GENERATION_KEY, value, None)
    if value is None:
        value = _fresh_generation()
        if not cache.add(GENERATION_KEY, value, None):
            value = cache.get(GENERATION_KEY) or value
    _memo = (value, now + LOCAL_SECONDS)
    return value


def library_changed() -> None:
    """Retire every cached fragment (call after any article, genre or tag change)."""
    global _memo, _pending
    try:
        value = cache.incr(GENERATION_KEY)
    except ValueError:
        value = None
    if value is None:  # the key was lost, or Redis is unreachable (django-redis then answers None)
        value = _fresh_generation()
        cache.set(GENERATION_KEY, value, None)
    _pending = value if cache_unavailable() else None
    _memo = (value, time.monotonic() + LOCAL_SECONDS)


def forget_local_memo() -> None:
    """Drop this process's memo of the generation (tests; after the cache is cleared)."""
    global _memo
    _memo = (0, 0.0)


def cached_fragment(name: str, compute: Callable[[], T], seconds: int = FRAGMENT_SECONDS) -> T:
    key = f"library:{generation()}:{name}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value
