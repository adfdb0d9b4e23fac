"""Cached shared parts of pages: lists and previews that are the same for every visitor.

Never a whole page, never anything that depends on who is reading (the gate decides that per
request). Every change to the library sets a new generation number, which retires all fragments
and cached pages. The number lives in the shared cache (files in the data dir, or Redis), so every
worker sees a change within LOCAL_SECONDS; the fragments themselves stay in each worker's memory.
"""
from __future__ import annotations

import time
from typing import Callable, TypeVar

from django.core.cache import caches

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


def shared_cache():
    """The cache every worker reads alike: the generation and the anonymous page cache live there."""
    return caches["shared"]


def generation() -> int:
    global _memo, _pending
    value, until = _memo
    now = time.monotonic()
    if until > now:
        return value
    shared = shared_cache()
    value = shared.get(GENERATION_KEY)
    if _pending is not None and not cache_unavailable():
        value, _pending = _pending, None
        shared.set(GENERATION_KEY, value, None)
    if value is None:
        value = _fresh_generation()
        if not shared.add(GENERATION_KEY, value, None):
            value = shared.get(GENERATION_KEY) or value
    _memo = (value, now + LOCAL_SECONDS)
    return value


def library_changed() -> None:
    """Retire every cached fragment and page (call after any article, genre or tag change)."""
    global _memo, _pending
    # A new time-based number rather than an increment: the file cache has no atomic incr, and two
    # workers changing the library at once must each end up with a number nobody cached under.
    value = max(_fresh_generation(), _memo[0] + 1)
    shared_cache().set(GENERATION_KEY, value, None)
    _pending = value if cache_unavailable() else None  # Redis down: written once it answers again
    _memo = (value, time.monotonic() + LOCAL_SECONDS)


def forget_local_memo() -> None:
    """Drop this process's memo of the generation (tests; after the cache is cleared)."""
    global _memo
    _memo = (0, 0.0)


def cached_fragment(name: str, compute: Callable[[], T], seconds: int = FRAGMENT_SECONDS) -> T:
    """`compute()`, kept in this worker's memory (the "fragments" cache) for this library generation."""
    store = caches["fragments"]
    key = f"library:{generation()}:{name}"
    value = store.get(key)
    if value is None:
        value = compute()
        store.set(key, value, seconds)
    return value
