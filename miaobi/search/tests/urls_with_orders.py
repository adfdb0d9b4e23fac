"""The site's URLs plus a stand-in order desk named orders:new (the zero-results offer appears with it)."""
from django.http import HttpResponse
from django.urls import include, path

from miaobi.urls import urlpatterns as site_urlpatterns

order_patterns = ([path("order/new/", lambda request: HttpResponse("order"), name="new")], "orders")
urlpatterns = [path("", include(order_patterns)), *site_urlpatterns]
