"""Home, genre, tag and latest lists: public articles only, pagination that never breaks."""
import pytest

from miaobi.library.models import Article

pytestmark = pytest.mark.django_db


def test_home_has_header_search_genres_latest_hot_and_genre_blocks(client, make_article):
    make_article(title="全县农田水利讲话", genre="jianghua")
    make_article(title="驻村一年的心得体会", genre="xinde")
    html = client.get("/").content.decode()
    assert "妙笔智库" in html and ">首页<" in html
    assert 'role="search"' in html and 'name="q"' in html
    assert 'href="/c/jianghua/"' in html and 'href="/c/xinde/"' in html
    assert "最近更新" in html and "热门" in html
    assert "全县农田水利讲话" in html and "驻村一年的心得体会" in html
    assert "更多讲话稿" in html


def test_genre_page_lists_its_articles_newest_first(client, make_article):
    older = make_article(title="较早的讲话", genre="jianghua")
    newer = make_article(title="较新的讲话", genre="jianghua")
    Article.objects.filter(pk=older.pk).update(published_at=newer.published_at.replace(year=newer.published_at.year - 1))
    make_article(title="一篇心得", genre="xinde")
    html = client.get("/c/jianghua/").content.decode()
    assert html.index("较新的讲话") < html.index("较早的讲话")
    assert "一篇心得" not in html
    assert "共 2 篇" in html


def test_tag_page(client, make_article):
    make_article(title="工会的讲话", tags=["工会"])
    make_article(title="别的讲话", tags=["乡村振兴"])
    html = client.get("/t/gonghui/").content.decode()
    assert "工会的讲话" in html and "别的讲话" not in html


def test_genre_and_tag_indexes(client, make_article):
    make_article(genre="zhici")
    html = client.get("/c/").content.decode()
    assert "致辞" in html and "对照检查材料" in html
    assert "工会" in client.get("/t/").content.decode()


@pytest.mark.parametrize("page, expected", [("1", 1), ("2", 2), ("3", 3), ("abc", 1), ("", 1), ("0", 1),
                                            ("-1", 1), ("99999999", 3), ("1e9", 1), ("2.5", 1),
                                            ("９", 1), ("99999999999999999999999999", 3)])
def test_latest_pagination_never_fails(client, make_article, settings, page, expected):
    settings.MIAOBI_PAGE_SIZE = 2
    for _ in range(5):
        make_article(reindex=False)
    response = client.get("/latest/", {"page": page})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<span class="current" aria-current="page">{expected}</span>' in html


def test_pager_links_keep_page_numbers(client, make_article, settings):
    settings.MIAOBI_PAGE_SIZE = 2
    for _ in range(5):
        make_article(reindex=False)
    html = client.get("/latest/?page=2").content.decode()
    assert 'href="?page=1"' in html and 'href="?page=3"' in html and "下一页" in html


def test_lists_show_only_public_articles(client, make_article):
    make_article(title="草稿不可见", status=Article.Status.DRAFT)
    make_article(title="已发布可见")
    for path in ["/", "/latest/", "/c/jianghua/"]:
        html = client.get(path).content.decode()
        assert "草稿不可见" not in html and "已发布可见" in html


def test_pages_are_chinese_and_mobile_ready(client, catalogue):
    html = client.get("/").content.decode()
    assert '<html lang="zh-Hans">' in html
    assert 'name="viewport"' in html
    assert "/static/miaobi/site.css" in html


def test_genres_are_listed_in_the_studio_order(client, make_article):
    make_article(genre="duizhao")
    make_article(genre="jianghua")
    html = client.get("/").content.decode()
    nav = html[html.index('class="genre-nav"'):]
    assert nav.index("讲话稿") < nav.index("对照检查材料")
