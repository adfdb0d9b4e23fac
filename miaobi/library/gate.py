"""The one gate: which text of an article a viewer may receive.

Every surface that shows article text (page, print view, search snippet, meta description,
and later the API, feeds and exports) asks `text_for_viewer` and uses only what it returns.
A surface that reads `article.body` for a reader directly is a bug.

Who is entitled to what (staff, members, unlocked texts, quotas, daily caps) is decided by
miaobi.accounts.entitlements.full_text_access; this module turns that decision into text.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from miaobi.accounts.entitlements import full_text_access

from .models import Article
from .preview import Preview, build_preview
from .structure import Outline, parse_structure

SUMMARY_CHARS = 120


@dataclass
class Reading:
    article: Article
    full: bool
    reason: str = "visitor"  # why: staff | member | unlocked | visitor | locked | daily_cap
    outline: Outline | None = None  # the full text's outline, only when full

    @cached_property
    def preview(self) -> Preview | None:
        """The preview, built on first use (a page may reuse a cached rendering of it instead)."""
        return None if self.full else article_preview(self.article)

    @property
    def visible_text(self) -> str:
        """Everything this viewer may see of the body, as plain text."""
        if self.full:
            return self.article.body
        return self.preview.plain_text if self.preview else ""

    @property
    def summary(self) -> str:
        """A short plain-text summary (meta description, snippets) from the visible text only."""
        if self.full:
            text = " ".join(self.article.body.split())
        elif self.preview:
            text = " ".join(" ".join(self.preview.plain_text.split()).split("……略……"))
        else:
            text = ""
        return text[:SUMMARY_CHARS].rstrip("…").strip()


def preview_settings(article: Article) -> tuple[float | None, int | None]:
    """Preview budget for an article: its own setting, else its genre's, else the site default."""
    genre = article.genre
    ratio = article.preview_ratio if article.preview_ratio is not None else genre.preview_ratio
    max_chars = article.preview_max_chars if article.preview_max_chars is not None else genre.preview_max_chars
    return ratio, max_chars


def article_preview(article: Article) -> Preview:
    ratio, max_chars = preview_settings(article)
    return build_preview(article.body, ratio, max_chars)


def text_for_viewer(article: Article, user, *, as_visitor: bool = False) -> Reading:
    """What of `article` the viewer `user` may receive (as_visitor: staff checking the public view)."""
    if as_visitor:
        return Reading(article=article, full=False)
    access = full_text_access(user, article)
    if access.full:
        return Reading(article=article, full=True, reason=access.reason, outline=parse_structure(article.body))
    return Reading(article=article, full=False, reason=access.reason)


def may_view_article(article: Article, user) -> bool:
    """Drafts, articles under review, archived ones and scheduled ones are for staff only."""
    return article.is_public or bool(user is not None and user.is_authenticated and user.is_staff)
