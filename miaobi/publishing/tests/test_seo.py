"""Sitemaps, robots.txt, feeds, share tags, JSON-LD, the QR code and conditional GET."""
import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from miaobi.accounts.entitlements import grant_plan
from miaobi.accounts.models import Plan, User
from miaobi.library.gate import text_for_viewer
from miaobi.library.models import Article
from miaobi.library.services import article_changed
from miaobi.publishing import counting

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
# Sentences of the shared SPEECH fixture that a visitor's preview leaves out (checked below).
HIDDEN_SENTENCE = "清淤土方就近用于改良农田"


def hidden_phrase(article):
    """A phrase of the body that the visitor's preview does not show (guards the test itself)."""
    visible = text_for_viewer(article, None).visible_text
    assert HIDDEN_SENTENCE in article.body and HIDDEN_SENTENCE not in visible
    return HIDDEN_SENTENCE


def xml(response):
    assert response.status_code == 200, response.status_code
    return ET.fromstring(response.content)


@pytest.mark.django_db
def test_sitemap_index_lists_sections_with_lastmod_and_every_url_resolves(client, make_article):
    public = make_article()
    draft = make_article(status=Article.Status.DRAFT)
    index = xml(client.get("/sitemap.xml"))
    sections = [loc.text for loc in index.findall("sm:sitemap/sm:loc", NS)]
    assert any("sitemap-articles.xml" in s for s in sections)
    assert all(el.text for el in index.findall("sm:sitemap/sm:lastmod", NS))
    urls = []
    for section in sections:
        tree = xml(client.get(urlsplit(section).path + ("?" + urlsplit(section).query if urlsplit(section).query else "")))
        urls += [loc.text for loc in tree.findall("sm:url/sm:loc", NS)]
        assert len(tree.findall("sm:url", NS)) <= 50_000
    paths = {urlsplit(u).path for u in urls}
    assert f"/a/{public.pk}/" in paths and f"/a/{draft.pk}/" not in paths
    assert "/c/jianghua/" in paths
    for path in sorted(paths)[:30]:
        assert client.get(path).status_code == 200, path


@pytest.mark.django_db
def test_article_section_has_lastmod(client, make_article):
    article = make_article()
    tree = xml(client.get("/sitemap-articles.xml"))
    entry = [u for u in tree.findall("sm:url", NS) if u.find("sm:loc", NS).text.endswith(f"/a/{article.pk}/")][0]
    assert entry.find("sm:lastmod", NS).text.startswith(timezone.localdate(article.updated_at).isoformat()[:4])


def test_sitemap_files_hold_at_most_50000_urls():
    from miaobi.publishing.sitemaps import SITEMAPS

    assert all(s.limit <= 50_000 for s in SITEMAPS.values())


@pytest.mark.django_db
def test_robots_disallows_private_areas_and_points_to_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    for path in ["/desk/", "/me/", "/admin/", "/search/", "/orders/", "/accounts/"]:
        assert f"Disallow: {path}\n" in text
    assert re.search(r"^Sitemap: http://testserver/sitemap\.xml$", text, re.M)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/feed/", "/c/jianghua/feed/"])
def test_feeds_are_rss_with_title_link_date_and_preview_only(client, make_article, path):
    article = make_article(title="在全县水利工作会上的讲话（供订阅测试）")
    hidden = hidden_phrase(article)
    member = User.objects.create_user("feedmember", password="x")
    grant_plan(member, Plan.objects.get(code="month"), source="test")
    for viewer in (client, _logged_in(member)):
        response = viewer.get(path)
        assert response["Content-Type"].startswith("application/rss+xml")
        root = xml(response)
        assert root.tag == "rss" and root.get("version") == "2.0"
        item = [i for i in root.iter("item") if i.findtext("title") == article.title][0]
        assert item.findtext("link").endswith(f"/a/{article.pk}/")
        assert item.findtext("pubDate")
        description = item.findtext("description")
        assert description and hidden not in description
        assert hidden not in response.content.decode()


@pytest.mark.django_db
def test_genre_feed_holds_only_its_genre_and_unknown_genre_is_404(client, make_article):
    speech = make_article()
    other = make_article(genre="xinde", title="学习心得体会（订阅测试）")
    titles = [i.findtext("title") for i in xml(client.get("/c/jianghua/feed/")).iter("item")]
    assert speech.title in titles and other.title not in titles
    assert client.get("/c/no-such-genre/feed/").status_code == 404


def _logged_in(user):
    c = Client()
    c.force_login(user)
    return c


def _json_ld(html):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(b) for b in blocks]


@pytest.mark.django_db
def test_article_page_has_clean_title_description_og_tags_and_json_ld(client, make_article):
    article = make_article()
    html = client.get(f"/a/{article.pk}/").content.decode()
    assert f"<title>{article.title} - 妙笔智库</title>" in html or re.search(rf"<title>{re.escape(article.title)} - [^<]+</title>", html)
    summary = text_for_viewer(article, None).summary
    assert f'<meta name="description" content="{summary}' in html
    for prop in ("og:title", "og:description", "og:image", "og:url", "og:type"):
        assert f'<meta property="{prop}" content="' in html
    assert re.search(r'<meta property="og:image" content="http://testserver/static/miaobi/share\.png">', html)
    assert f'<link rel="canonical" href="http://testserver/a/{article.pk}/">' in html
    data = _json_ld(html)
    doc = [d for d in data if isinstance(d, list)][0] if any(isinstance(d, list) for d in data) else data
    kinds = {d["@type"]: d for d in doc}
    art = kinds["Article"]
    assert art["isAccessibleForFree"] is False
    assert art["hasPart"]["cssSelector"] == ".paywalled" and art["hasPart"]["isAccessibleForFree"] is False
    assert art["headline"] == article.title and art["description"] == summary
    assert 'class="body paywalled' in html
    crumbs = kinds["BreadcrumbList"]["itemListElement"]
    assert [c["position"] for c in crumbs] == [1, 2, 3] and crumbs[-1]["item"].endswith(f"/a/{article.pk}/")


@pytest.mark.django_db
def test_members_page_meta_uses_the_visitors_reading(make_article):
    article = make_article()
    hidden = hidden_phrase(article)
    member = User.objects.create_user("metamember", password="x")
    grant_plan(member, Plan.objects.get(code="month"), source="test")
    html = _logged_in(member).get(f"/a/{article.pk}/").content.decode()
    assert hidden in html  # the member reads the full text …
    head = html.split("</head>")[0]
    assert hidden not in head  # … but the head (meta, OG, JSON-LD) holds only the visitor's reading
    assert _json_ld(head)[0][0]["description"] == text_for_viewer(article, None).summary


@pytest.mark.django_db
def test_json_ld_cannot_break_out_of_its_script_element(client, make_article):
    article = make_article(title="</script><script>alert(1)</script>&讲话")
    html = client.get(f"/a/{article.pk}/").content.decode()
    block = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(block) == 1
    assert "<" not in block[0] and ">" not in block[0]
    assert json.loads(block[0])[0]["headline"] == article.title
    assert "<script>alert(1)" not in html


@pytest.mark.django_db
def test_qr_code_of_the_article_url_is_a_lazy_svg_image_for_desktop_only(client, make_article):
    article = make_article()
    html = client.get(f"/a/{article.pk}/").content.decode()
    box = html.split('<aside class="qr-share"')[1].split("</aside>")[0]
    assert f'src="/a/{article.pk}/qr/"' in box and 'loading="lazy"' in box
    image = client.get(f"/a/{article.pk}/qr/")
    assert image["Content-Type"] == "image/svg+xml" and image.content.startswith(b"<svg")
    assert b'xmlns="http://www.w3.org/2000/svg"' in image.content
    css = client.get("/static/miaobi/publishing.css")
    text = b"".join(css.streaming_content).decode() if css.streaming else css.content.decode()
    assert ".qr-share { display: none; }" in text and "@media (min-width: 1024px)" in text


def test_qr_svg_encodes_the_url():
    from miaobi.publishing.seo import qr_svg

    svg = qr_svg("http://testserver/a/1/")
    assert svg.startswith("<svg") and "</svg>" in svg


@pytest.mark.django_db
def test_no_qr_code_for_an_article_that_is_not_public(client, make_article):
    from miaobi.library.models import Article

    draft = make_article(status=Article.Status.DRAFT)
    assert client.get(f"/a/{draft.pk}/qr/").status_code == 404
    assert client.get("/a/999999/qr/").status_code == 404


@pytest.mark.django_db
def test_list_pages_have_canonical_and_feed_links(client, make_article):
    make_article()
    html = client.get("/c/jianghua/?page=1").content.decode()
    assert '<link rel="canonical" href="http://testserver/c/jianghua/">' in html
    assert 'href="/c/jianghua/feed/"' in html
    assert '<link rel="canonical" href="http://testserver/latest/">' in client.get("/latest/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["article", "/latest/", "/c/jianghua/", "/"])
def test_conditional_get_answers_304_to_visitors(client, make_article, path):
    article = make_article()
    path = f"/a/{article.pk}/" if path == "article" else path
    first = client.get(path)
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    again = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    since = client.get(path, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304


@pytest.mark.django_db
def test_a_304_still_counts_the_view(client, make_article):
    article = make_article()
    etag = client.get(f"/a/{article.pk}/")["ETag"]
    client.get(f"/a/{article.pk}/", HTTP_IF_NONE_MATCH=etag)
    counting.flush_counts()  # views are buffered
    article.refresh_from_db()
    assert article.view_count == 2


@pytest.mark.django_db
def test_changing_the_article_changes_the_etag(client, make_article):
    article = make_article()
    etag = client.get(f"/a/{article.pk}/")["ETag"]
    article.title = article.title + "（修订）"
    article.save()
    article_changed(article)
    response = client.get(f"/a/{article.pk}/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] != etag


@pytest.mark.django_db
def test_logged_in_readers_never_get_validators_or_304(make_article, reader_client_factory, staff_client):
    article = make_article()
    etag = Client().get(f"/a/{article.pk}/")["ETag"]
    for viewer in (reader_client_factory(), staff_client):
        for path in (f"/a/{article.pk}/", "/latest/"):
            response = viewer.get(path, HTTP_IF_NONE_MATCH=etag, HTTP_IF_MODIFIED_SINCE="Wed, 01 Jan 2100 00:00:00 GMT")
            assert response.status_code == 200
            assert "ETag" not in response and "Last-Modified" not in response


@pytest.mark.django_db
def test_drafts_get_no_validators(staff_client, client, make_article):
    draft = make_article(status=Article.Status.DRAFT)
    assert client.get(f"/a/{draft.pk}/").status_code == 404
    assert "ETag" not in client.get(f"/a/{draft.pk}/")
