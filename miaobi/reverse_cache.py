"""reverse(), memoised: the URL configuration does not change while a process runs.

Pages build dozens of links (lists of articles, genres, tags); resolving each one anew was a
visible share of the article page's time.
"""
from functools import lru_cache

from django.test.signals import setting_changed
from django.urls import reverse


@lru_cache(maxsize=4096)
def cached_reverse(name: str, *args) -> str:
    return reverse(name, args=args or None)


def _forget(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":  # tests that swap the URL configuration
        cached_reverse.cache_clear()


setting_changed.connect(_forget)
