"""What search engines and share cards see of a page: always the visitor's reading (the one gate).

Meta description, OpenGraph tags, JSON-LD and feeds describe an article as a visitor sees it,
whoever is looking, so nothing a member may read ever reaches a crawler or a share card.
"""
from __future__ import annotations

import io
import json
from dataclasses import dataclass
from functools import lru_cache

import segno
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from markupsafe import Markup

from miaobi.library.fragments import cached_fragment
from miaobi.library.gate import text_for_viewer
from miaobi.library.models import Article
from miaobi.siteconfig.selectors import current_site_settings

PAYWALL_SELECTOR = ".paywalled"  # the class of the article body container (library/article.html)
SHARE_IMAGE = "miaobi/share.png"
DESCRIPTION_CHARS = 120

# Characters that could end the <script> element or confuse an HTML parser inside JSON.
_JSON_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026",
                 0x2028: "\\u2028", 0x2029: "\\u2029"}


def json_ld(data) -> Markup:
    """A `<script type="application/ld+json">` element whose JSON cannot break out of the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_JSON_ESCAPES)
    return Markup(f'<script type="application/ld+json">{text}</script>')


def site_url() -> str:
    return settings.MIAOBI_SITE_URL


def absolute(request, path: str) -> str:
    """An absolute URL of `path`: from the request when there is one, else MIAOBI_SITE_URL."""
    return request.build_absolute_uri(path) if request is not None else site_url() + path


def page_title(title: str) -> str:
    """Clean titles: `标题 - 站点名`."""
    name = current_site_settings().site_name
    return f"{title} - {name}" if title and title != name else name


def visitor_summary(article: Article) -> str:
    """The visitor's summary of an article (from the preview only), cached per article version."""
    stamp = f"{article.pk}:{article.updated_at.timestamp()}"
    return cached_fragment(f"seo-summary:{stamp}", lambda: text_for_viewer(article, None).summary, seconds=300)


@dataclass
class ArticleMeta:
    title: str
    description: str
    url: str
    image: str
    json_ld: Markup


def article_json_ld(article: Article, url: str, description: str, image: str, request=None) -> list[dict]:
    """Schema.org Article (paywalled, with the visitor's description) and its BreadcrumbList."""
    site = current_site_settings()
    genre_url = absolute(request, article.genre.get_absolute_url())
    return [
        {
            "@context": "https://schema.org",
            "@type": "Article",
            "headline": article.title[:110],
            "description": description,
            "url": url,
            "mainEntityOfPage": {"@type": "WebPage", "@id": url},
            "image": [image],
            "datePublished": article.published_at.isoformat(),
            "dateModified": article.updated_at.isoformat(),
            "articleSection": article.genre.name,
            "wordCount": article.word_count,
            "inLanguage": "zh-CN",
            "author": {"@type": "Organization", "name": article.source or site.site_name},
            "publisher": {"@type": "Organization", "name": site.site_name, "url": absolute(request, "/")},
            "isAccessibleForFree": False,
            "hasPart": {"@type": "WebPageElement", "isAccessibleForFree": False, "cssSelector": PAYWALL_SELECTOR},
        },
        {
            "@context": "https://schema.org",
            "@type": "BreadcrumbList",
            "itemListElement": [
                {"@type": "ListItem", "position": 1, "name": "首页", "item": absolute(request, "/")},
                {"@type": "ListItem", "position": 2, "name": article.genre.name, "item": genre_url},
                {"@type": "ListItem", "position": 3, "name": article.title, "item": url},
            ],
        },
    ]


@lru_cache(maxsize=512)
def qr_svg(url: str) -> str:
    """An SVG document of the QR code of `url` (to continue reading on a phone).

    Served as its own image (publishing.views.article_qr), not inline: encoding takes ~15 ms, which
    every article page would pay, and phones (which hide the box) never load a lazy image.
    """
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(
        buffer, kind="svg", scale=3, border=2, dark="#222", title="用手机扫码继续阅读", xmldecl=False)
    return buffer.getvalue().decode()


def article_meta(article: Article, request=None) -> ArticleMeta:
    """Everything the article page's <head> and share box need, from the visitor's reading."""
    url = absolute(request, article.get_absolute_url())
    description = visitor_summary(article)[:DESCRIPTION_CHARS] or current_site_settings().tagline
    image = absolute(request, static(SHARE_IMAGE))
    return ArticleMeta(
        title=page_title(article.title), description=description, url=url, image=image,
        json_ld=json_ld(article_json_ld(article, url, description, image, request)),
    )


def canonical_url(request) -> str:
    """The canonical address of a list page: its path, plus ?page=N beyond the first page."""
    page = (request.GET.get("page") or "").strip()
    suffix = ""
    if page.isascii() and page.isdigit() and len(page) <= 6 and int(page) > 1:
        suffix = f"?page={int(page)}"
    return request.build_absolute_uri(request.path) + suffix


class PublishingHelpers:
    """Exposed to the Jinja2 templates as `publishing` (see context_processors.py); computed on use."""

    def __init__(self, request):
        self.request = request
        self._meta: dict[int, ArticleMeta] = {}

    def article_meta(self, article: Article) -> ArticleMeta:
        if article.pk not in self._meta:
            self._meta[article.pk] = article_meta(article, self.request)
        return self._meta[article.pk]

    def canonical(self) -> str:
        return canonical_url(self.request)

    def share_image(self) -> str:
        return absolute(self.request, static(SHARE_IMAGE))

    def feed_url(self, genre=None) -> str:
        return reverse("publishing:genre_feed", args=[genre.slug]) if genre else reverse("publishing:feed")
