from django.core.cache import cache

from .models import SiteSettings

CACHE_KEY = "siteconfig:settings:v1"
# Short timeout: with several worker processes and a per-process cache, an edit
# reaches every worker within a minute even without a shared cache.
CACHE_SECONDS = 60


def current_site_settings() -> SiteSettings:
    """The site settings row, created with defaults on first use; cached briefly."""
    settings_row = cache.get(CACHE_KEY)
    if settings_row is None:
        settings_row, _ = SiteSettings.objects.get_or_create(pk=1)
        cache.set(CACHE_KEY, settings_row, CACHE_SECONDS)
    return settings_row


def forget_site_settings() -> None:
    cache.delete(CACHE_KEY)
