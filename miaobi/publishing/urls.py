from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.views.decorators.cache import cache_page

from . import views
from .api import api
from .feeds import GenreFeed, LatestFeed
from .sitemaps import SITEMAPS

# The pages live in the "publishing" namespace; the API keeps ninja's top-level "api" namespace
# (ninja reverses its own routes as "api:…" when it builds the OpenAPI schema).
pages = [
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", cache_page(600)(sitemap_views.index), {"sitemaps": SITEMAPS,
         "sitemap_url_name": "publishing:sitemap_section", "template_name": "publishing/sitemap_index.xml"}, name="sitemap"),
    path("sitemap-<section>.xml", cache_page(600)(sitemap_views.sitemap),
         {"sitemaps": SITEMAPS, "template_name": "publishing/sitemap.xml"},
         name="sitemap_section"),
    path("a/<article_id:pk>/qr/", views.article_qr, name="article_qr"),  # an SVG image
    path("feed/", LatestFeed(), name="feed"),
    path("c/<slug:slug>/feed/", GenreFeed(), name="genre_feed"),
    path("me/tokens/", views.tokens, name="tokens"),
    path("desk/stats/", views.stats_page, name="stats"),
    path("api/v1/docs", views.api_docs, name="api_docs"),
]
urlpatterns = [
    path("", include((pages, "publishing"))),
    path("api/v1/", api.urls),
]
