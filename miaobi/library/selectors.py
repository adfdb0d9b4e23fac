"""Reads of the library used by pages. Each returns public articles only."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from .models import Article, Genre, RelatedArticle


@dataclass(frozen=True)
class ListEntry:
    """What a list of articles shows of each: cheap to fetch and to render (no model instances)."""

    pk: int
    title: str
    published_at: datetime
    word_count: int
    genre_name: str

    @property
    def url(self) -> str:
        return f"/a/{self.pk}/"

    @property
    def day(self) -> str:
        return timezone.localtime(self.published_at).strftime("%Y-%m-%d")


LIST_FIELDS = ("pk", "title", "published_at", "word_count", "genre__name")


def list_entries(queryset) -> list[ListEntry]:
    return [ListEntry(*row) for row in queryset.values_list(*LIST_FIELDS)]


def latest_articles(limit: int | None = None) -> list[ListEntry]:
    return list_entries(Article.objects.published().newest_first()[: limit or settings.MIAOBI_LATEST_COUNT])


def most_read_articles(limit: int = 10) -> list[ListEntry]:
    return list_entries(Article.objects.published().order_by("-view_count", "-published_at")[:limit])


def related_articles(article: Article, limit: int | None = None) -> list[ListEntry]:
    """The stored 相关阅读 of an article, public ones only, best first."""
    limit = limit or settings.MIAOBI_RELATED_COUNT
    rows = (
        RelatedArticle.objects.filter(
            article=article, related__status=Article.Status.PUBLISHED, related__published_at__lte=timezone.now())
        .order_by("rank")
        .values_list(*(f"related__{f}" if f != "pk" else "related_id" for f in LIST_FIELDS))[:limit]
    )
    return [ListEntry(*row) for row in rows]


def genres_with_counts():
    public = Q(articles__status=Article.Status.PUBLISHED, articles__published_at__lte=timezone.now())
    # Meta.ordering does not apply to GROUP BY queries: order explicitly.
    return Genre.objects.annotate(article_count=Count("articles", filter=public)).order_by("position", "id")


def genre_blocks(per_genre: int = 5) -> list[tuple[Genre, list[ListEntry]]]:
    """The home page's block per genre: the newest few of each genre that has any."""
    blocks = []
    for genre in Genre.objects.order_by("position", "id"):
        entries = list_entries(Article.objects.published().filter(genre=genre).newest_first()[:per_genre])
        if entries:
            blocks.append((genre, entries))
    return blocks
