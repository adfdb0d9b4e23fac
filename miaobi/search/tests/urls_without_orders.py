"""The site's URLs without the order desk (see urls_with_orders.py)."""
from .urls_with_orders import without_orders as urlpatterns  # noqa: F401
