"""RSS 2.0 feeds of the newest articles: title, link, date and the visitor's preview only."""
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Rss201rev2Feed

from miaobi.library.gate import text_for_viewer
from miaobi.library.models import Article, Genre
from miaobi.siteconfig.selectors import current_site_settings

FEED_ITEMS = 30


def feed_text(article: Article) -> str:
    """What a feed may carry of an article: the visitor's preview as plain text (never the full text)."""
    return text_for_viewer(article, None).visible_text


class LatestFeed(Feed):
    feed_type = Rss201rev2Feed

    def title(self):
        return f"{current_site_settings().site_name} · 最近更新"

    def link(self):
        return "/latest/"

    def description(self):
        return current_site_settings().tagline or "最近更新的范文"

    def articles(self, obj=None):
        queryset = Article.objects.published().select_related("genre").newest_first()
        return queryset.filter(genre=obj) if obj is not None else queryset

    def items(self, obj=None):
        return self.articles(obj)[:FEED_ITEMS]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return feed_text(item)

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.genre.name]


class GenreFeed(LatestFeed):
    def get_object(self, request, slug: str):
        return get_object_or_404(Genre, slug=slug)

    def title(self, obj):
        return f"{current_site_settings().site_name} · {obj.name}"

    def link(self, obj):
        return obj.get_absolute_url()

    def description(self, obj):
        return obj.description or f"{obj.name}最近更新的范文"
