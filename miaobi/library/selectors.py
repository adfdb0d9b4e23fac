"""Reads of the library used by pages. Each returns public articles only."""
from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Q

from .models import Article, Genre, RelatedArticle


def latest_articles(limit: int | None = None):
    return Article.objects.published().for_listing().newest_first()[: limit or settings.MIAOBI_LATEST_COUNT]


def most_read_articles(limit: int = 10):
    return Article.objects.published().for_listing().order_by("-view_count", "-published_at")[:limit]


def related_articles(article: Article, limit: int | None = None) -> list[Article]:
    """The stored 相关阅读 of an article, public ones only, best first."""
    limit = limit or settings.MIAOBI_RELATED_COUNT
    links = (
        RelatedArticle.objects.filter(article=article)
        .filter(related__in=Article.objects.published())
        .select_related("related", "related__genre")
        .only("rank", "related__id", "related__title", "related__published_at", "related__word_count",
              "related__genre__name", "related__genre__slug")
        .order_by("rank")[:limit]
    )
    return [link.related for link in links]


def genres_with_counts():
    published = Article.objects.published().values("pk")
    return Genre.objects.annotate(article_count=Count("articles", filter=Q(articles__in=published)))


def genre_blocks(per_genre: int = 5) -> list[tuple[Genre, list[Article]]]:
    """The home page's block per genre: the newest few of each genre that has any."""
    blocks = []
    for genre in Genre.objects.all():
        articles = list(Article.objects.published().filter(genre=genre).for_listing().newest_first()[:per_genre])
        if articles:
            blocks.append((genre, articles))
    return blocks
