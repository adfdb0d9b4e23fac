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
    # By status alone, so the planner walks the most-read index (status, -view_count, -published_at)
    # and stops early; with the publish-time range too it sorted every published text. Texts
    # scheduled for later are dropped here; only if too many were, ask the exact query.
    now = timezone.now()
    rows = Article.objects.filter(status=Article.Status.PUBLISHED).order_by("-view_count", "-published_at")
    entries = [e for e in list_entries(rows[: limit * 3]) if e.published_at <= now][:limit]
    if len(entries) < limit:
        entries = list_entries(Article.objects.published().order_by("-view_count", "-published_at")[:limit])
    return entries


def related_articles(article: Article, limit: int | None = None) -> list[ListEntry]:
    """The stored 相关阅读 of an article, public ones only, best first."""
    limit = limit or settings.MIAOBI_RELATED_COUNT
    # Two lookups by key, not one join: joined, SQLite's planner (without statistics) may walk every
    # published article to probe its related rows — tens of milliseconds at 100,000 texts.
    ranked = list(RelatedArticle.objects.filter(article_id=article.pk).order_by("rank")
                  .values_list("related_id", flat=True)[: limit * 3])
    if not ranked:
        return []
    public = Article.objects.published().filter(pk__in=ranked).order_by()
    entries = {entry.pk: entry for entry in list_entries(public)}
    return [entries[pk] for pk in ranked if pk in entries][:limit]


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
