"""Writes to the library. Views, the admin, commands and the demo loader call these."""
from __future__ import annotations

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from miaobi.moderation.services import PublishBlocked, check_publishable, moderate_article  # noqa: F401 (PublishBlocked: for callers)
from miaobi.search.services import index_article as index_for_search, remove_articles as remove_from_search

from .fragments import library_changed
from .models import Article
from .related import rebuild_all_related, refresh_related, refresh_related_of
from .tidying import body_digest, tidy_text


@dataclass
class _Batch:
    articles: set[int] = field(default_factory=set)  # whose related reading is refreshed at the end
    changed: bool = False                             # whether cached lists and pages must be retired


_batch: contextvars.ContextVar[_Batch | None] = contextvars.ContextVar("library_batch", default=None)


def retire_cached() -> None:
    """Retire cached fragments and pages now, or at the end of the batch_of_changes() block we are in."""
    batch = _batch.get()
    if batch is None:
        library_changed()
    else:
        batch.changed = True


def article_changed(article: Article) -> None:
    """Call after an article's text, tags, genre, status or publish time changed (and after a new article)."""
    moderate_article(article)  # flags for editors; never changes the text
    batch = _batch.get()
    if batch is None:
        refresh_related(article)
    else:
        batch.articles.add(article.pk)
    index_for_search(article)  # the search index follows: published in, anything else out
    retire_cached()


@contextmanager
def batch_of_changes():
    """For a batch of changes (an import): related reading and the cached lists are refreshed once, when the
    block ends, in one pass (a neighbour shared by many changed articles is ranked once, not per article).
    Each article's own writes, its flags and its search document, are still done by article_changed at once.
    A run cut short leaves the related lists of its articles as they were: `rebuild_related_reading` mends."""
    batch = _Batch()
    token = _batch.set(batch)
    try:
        yield
    finally:
        _batch.reset(token)
        if batch.articles:
            refresh_related_of(Article.objects.filter(pk__in=batch.articles))
        if batch.changed:
            library_changed()


def rebuild_related_reading() -> int:
    """Recompute 相关阅读 of every published article and refresh the cached lists; returns the count.
    Safe to repeat (the same library gives the same lists)."""
    count = rebuild_all_related()
    library_changed()
    return count


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


@transaction.atomic
def tidy_articles(seen: dict[int, str]) -> tuple[list[Article], list[Article]]:
    """规范空白与标点 of articles an editor previewed: {article id: body_digest of the body shown}.

    Applies library/tidying.py to each article whose body is still the one previewed (others changed in
    the meantime and are left alone, to be previewed again); returns (tidied, stale). Only the body's white
    space and punctuation change."""
    tidied, stale = [], []
    for article in Article.objects.select_for_update().filter(pk__in=seen):
        if body_digest(article.body) != seen[article.pk]:
            stale.append(article)
            continue
        body = tidy_text(article.body)
        if body != article.body:
            article.body = body
            article.save()
            article_changed(article)
            tidied.append(article)
    return tidied, stale


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
