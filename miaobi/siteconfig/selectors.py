import time

from django.core.cache import cache

from .models import SiteSettings

CACHE_KEY = "siteconfig:settings:v1"
# Short timeout: with several worker processes and a per-process cache, an edit
# reaches every worker within a minute even without a shared cache.
CACHE_SECONDS = 60
# A page reads the settings several times: this process keeps the row this long between cache reads.
LOCAL_SECONDS = 1.0
_memo: tuple[SiteSettings | None, float] = (None, 0.0)


def current_site_settings() -> SiteSettings:
    """The site settings row, created with defaults on first use; cached briefly."""
    global _memo
    row, until = _memo
    now = time.monotonic()
    if row is not None and until > now:
        return row
    row = cache.get(CACHE_KEY)
    if row is None:
        row, _ = SiteSettings.objects.get_or_create(pk=1)
        cache.set(CACHE_KEY, row, CACHE_SECONDS)
    _memo = (row, now + LOCAL_SECONDS)
    return row


def forget_site_settings() -> None:
    global _memo
    _memo = (None, 0.0)
    cache.delete(CACHE_KEY)
