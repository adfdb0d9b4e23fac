from .models import SiteSettings
from .selectors import forget_site_settings


def update_site_settings(row: SiteSettings) -> SiteSettings:
    """Save staff edits to the site settings and make every page show them."""
    row.pk = 1
    row.save()
    forget_site_settings()
    return row
