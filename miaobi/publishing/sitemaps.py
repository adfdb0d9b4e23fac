"""Sitemaps: an index with one section per kind; Django splits a section into files of `limit` URLs."""
from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from miaobi.library.models import Article, Genre, Tag

MAX_URLS = 50_000  # the sitemaps.org limit per file


class ArticleSitemap(Sitemap):
    limit = MAX_URLS
    changefreq = "monthly"

    def items(self):
        return Article.objects.published().order_by("-published_at", "-id").only("pk", "updated_at")

    def location(self, item):
        return reverse("library:article", args=[item.pk])

    def lastmod(self, item):
        return item.updated_at


def _public():
    return Q(articles__status=Article.Status.PUBLISHED, articles__published_at__lte=timezone.now())


class GenreSitemap(Sitemap):
    limit = MAX_URLS
    changefreq = "daily"

    def items(self):
        return Genre.objects.annotate(last=Max("articles__updated_at", filter=_public())).filter(
            last__isnull=False).order_by("position", "id")

    def lastmod(self, item):
        return item.last


class TagSitemap(Sitemap):
    limit = MAX_URLS
    changefreq = "weekly"

    def items(self):
        return Tag.objects.annotate(last=Max("articles__updated_at", filter=_public())).filter(
            last__isnull=False).order_by("name")

    def lastmod(self, item):
        return item.last


class PageSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return ["library:home", "library:genres", "library:tags", "library:latest"]

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        return Article.objects.published().aggregate(last=Max("updated_at"))["last"]


SITEMAPS = {"pages": PageSitemap, "articles": ArticleSitemap, "genres": GenreSitemap, "tags": TagSitemap}
