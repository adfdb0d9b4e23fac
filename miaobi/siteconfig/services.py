from miaobi.library.fragments import library_changed

from .models import SiteSettings
from .selectors import forget_site_settings


def update_site_settings(row: SiteSettings) -> SiteSettings:
    """Save staff edits to the site settings and make every page show them."""
    row.pk = 1
    row.save()
    forget_site_settings()
    library_changed()  # cached pages and fragments show the site name, contact and footer
    return row
