"""Writes to the library. Views, the admin, commands and the demo loader call these."""
from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from miaobi.moderation.services import PublishBlocked, check_publishable, moderate_article  # noqa: F401 (PublishBlocked: for callers)
from miaobi.search.services import index_article as index_for_search, remove_articles as remove_from_search

from .fragments import library_changed
from .models import Article
from .related import refresh_related


def article_changed(article: Article) -> None:
    """Call after an article's text, tags, genre, status or publish time changed (and after a new article)."""
    moderate_article(article)  # flags for editors; never changes the text
    refresh_related(article)
    index_for_search(article)  # the search index follows: published in, anything else out
    library_changed()


def set_status(articles, status: str) -> int:
    """Move articles to a status (publishing one dated in the future schedules it); returns how many changed.

    Publishing raises PublishBlocked (nothing changed) if any article has unresolved review/block flags;
    the check runs before the transaction, so the flags it stores for editors stay.
    """
    if status not in Article.Status.values:
        raise ValueError(f"unknown status {status!r}")
    articles = list(articles)
    if status == Article.Status.PUBLISHED:
        check_publishable(*[a for a in articles if a.status != status])
    return _move_to_status(articles, status)


@transaction.atomic
def _move_to_status(articles, status: str) -> int:
    changed = 0
    for article in articles:
        if article.status == status:
            continue
        article.status = status
        article.save(update_fields=["status", "updated_at"])
        article_changed(article)
        changed += 1
    return changed


def publish(article: Article, *, when=None) -> Article:
    """Publish now (or at `when`); PublishBlocked (nothing changed) if it has unresolved review/block flags."""
    check_publishable(article)
    article.published_at = when or min(article.published_at, timezone.now())
    article.status = Article.Status.PUBLISHED
    article.save()
    article_changed(article)
    return article


def record_view(article: Article) -> None:
    """Count one reading of an article: a single UPDATE, safe under concurrent readers."""
    Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)


@transaction.atomic
def delete_articles(articles) -> int:
    """Delete articles, first taking them out of the related-reading index of the others."""
    count = 0
    for article in list(articles):
        article.status = Article.Status.ARCHIVED  # in memory only: withdraws it from the index
        refresh_related(article)
        remove_from_search([article.pk])
        article.delete()
        count += 1
    library_changed()
    return count
