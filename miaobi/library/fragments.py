"""Cached shared parts of pages: lists and previews that are the same for every visitor.

Never a whole page, never anything that depends on who is reading (the gate decides that per
request). Every change to the library bumps a generation number, which retires all fragments.
With Redis (REDIS_URL) the bump reaches every worker at once; with the per-process default cache
other workers see it within FRAGMENT_SECONDS.
"""
from __future__ import annotations

from typing import Callable, TypeVar

from django.core.cache import cache

T = TypeVar("T")
GENERATION_KEY = "library:generation"
FRAGMENT_SECONDS = 10


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        value = 1
        cache.add(GENERATION_KEY, value, None)
    return value


def library_changed() -> None:
    """Retire every cached fragment (call after any article, genre or tag change)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, None)


def cached_fragment(name: str, compute: Callable[[], T], seconds: int = FRAGMENT_SECONDS) -> T:
    key = f"library:{generation()}:{name}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value
