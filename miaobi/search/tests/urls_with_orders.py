"""Test URL configurations: the site without any order desk, and with a stand-in named orders:new.

The zero-results page offers 定制代笔 only when a URL named orders:new resolves.
"""
from django.http import HttpResponse
from django.urls import include, path

from miaobi.urls import urlpatterns as site_urlpatterns

without_orders = [p for p in site_urlpatterns if getattr(p, "namespace", None) != "orders"]
order_patterns = ([path("order/new/", lambda request: HttpResponse("order"), name="new")], "orders")
urlpatterns = [path("", include(order_patterns)), *without_orders]
