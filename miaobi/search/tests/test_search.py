"""Full-text search on whichever database runs the tests (SQLite FTS5 or PostgreSQL tsvector).

Texts are written for these tests. Each asserts what a reader sees on the page or what the
service returns; the same tests run on both backends.
"""
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from miaobi.library.models import Article, Tag
from miaobi.library.services import delete_articles, set_status
from miaobi.publishing import counting
from miaobi.search import services, views
from miaobi.search.backends import Filters
from miaobi.search.models import SearchDocument, SearchLog
from miaobi.search.query import parse_query

pytestmark = pytest.mark.django_db

UNION = """同志们：
今天召开全县工会工作会议，我讲几点意见。
一、提高认识
各级工会组织要把维护职工权益放在首位，把服务职工的事情办实办好。
二、突出重点
要抓好职工技能竞赛和困难职工帮扶，让劳动者体面劳动、舒心工作。
三、加强保障
各单位要支持工会依法开展工作。谢谢大家。"""

WATER = """一、基本情况
今年以来，我县坚持把农田水利作为农业基础，新修渠道八十公里，清淤塘坝二百座。
二、主要做法
一是抓规划，二是抓资金，三是抓管护，做到建一处、成一处、管好一处。
三、下步打算
继续抓好高效节水灌溉，确保旱涝保收。"""


def found(query, **filters):
    return services.search(parse_query(query), Filters(**filters)).ids


def page(client, **params):
    response = client.get("/search/", params)
    assert response.status_code == 200
    return response.content.decode()


def plain(html):
    return html.replace("<mark>", "").replace("</mark>", "")


def test_words_separated_or_not_find_the_text(make_article):
    speech = make_article(title="在全县工会工作会议上的讲话", body=UNION)
    make_article(title="农田水利工作总结", body=WATER, genre="zongjie")
    assert found("工会讲话") == [speech.pk]
    assert found("工会 讲话") == [speech.pk]
    assert found("讲话 工会") == [speech.pk]


def test_title_matches_rank_above_body_matches(make_article):
    in_body = make_article(title="年度工作总结", body=UNION + "\n另外，农田水利也要抓。", genre="zongjie")
    in_title = make_article(title="关于农田水利建设的调研报告", body=WATER, genre="diaoyan")
    assert found("农田水利")[:2] == [in_title.pk, in_body.pk]


def test_exact_phrase_and_exclusion(make_article):
    adjacent = make_article(title="职工技能竞赛方案", body=UNION)
    apart = make_article(title="技能与竞赛", body="一、技能\n提高职工技能。\n二、比赛\n组织一次竞赛。")
    assert set(found("技能 竞赛")) == {adjacent.pk, apart.pk}
    assert found('"技能竞赛"') == [adjacent.pk]
    assert found("技能 竞赛 -方案") == [apart.pk]
    assert found('技能 -"技能竞赛"') == [apart.pk]


def test_single_characters_digits_years_and_latin(make_article):
    a = make_article(title="2025年度述职报告", body="一、履职\n全年完成项目38个，推进ERP系统上线。\n二、廉洁\n严守纪律。",
                     genre="shuzhi")
    b = make_article(title="水利讲话", body=WATER)
    assert found("2025") == [a.pk]
    assert found("38") == [a.pk]
    assert found("erp") == [a.pk] and found("ＥＲＰ") == [a.pk] and found("ERP系统") == [a.pk]
    assert found("廉") == [a.pk]          # inside 廉洁: a single character finds words that hold it
    assert found("渠") == [b.pk]          # inside 渠道
    assert set(found("履")) == {a.pk}


def test_traditional_characters_find_simplified_text(client, make_article):
    article = make_article(title="党员干部学习心得", body="一、学习\n党员干部要带头学习。\n二、实践\n把学习成果转化为工作成效。",
                           genre="xinde")
    assert found("黨員") == [article.pk]
    assert found("黨員幹部 學習") == [article.pk]
    assert "<mark>党员</mark>" in page(client, q="黨員")



def test_found_by_hidden_words_but_snippet_shows_only_the_visible_window(client, make_article):
    make_article()  # the default speech: its closing 谢谢大家 is beyond the preview
    html = page(client, q="谢谢大家")
    assert "找到 1 篇" in html
    results = html.split('class="list results"', 1)[1].split("</ul>", 1)[0]
    assert "谢谢大家" not in results
    assert '<p class="snippet">' in results


def test_staff_snippet_may_show_the_full_text(staff_client, make_article):
    make_article()
    html = page(staff_client, q="谢谢大家")
    results = html.split('class="list results"', 1)[1].split("</ul>", 1)[0]
    assert "<mark>谢谢大家</mark>" in results


def test_result_shows_highlighted_title_genre_date_and_word_count(client, make_article):
    article = make_article(title="关于农田水利建设的讲话")
    html = page(client, q="水利")
    assert "关于农田<mark>水利</mark>建设的讲话" in html
    assert "讲话稿" in html and f"{article.word_count} 字" in html
    assert timezone.localtime(article.published_at).strftime("%Y-%m-%d") in html


def test_drafts_archived_and_scheduled_texts_are_never_found(make_article, monkeypatch):
    draft = make_article(title="水利草稿", body=WATER, status=Article.Status.DRAFT)
    review = make_article(title="水利待审", body=WATER, status=Article.Status.REVIEW)
    scheduled = make_article(title="水利定时", body=WATER, published_at=timezone.now() + timezone.timedelta(days=2))
    live = make_article(title="水利已发布", body=WATER)
    assert found("水利") == [live.pk]
    assert not SearchDocument.objects.filter(article_id__in=[draft.pk, review.pk]).exists()
    # The scheduled one waits in the index and appears by itself when its time comes.
    later = timezone.now() + timezone.timedelta(days=3)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert set(found("水利")) == {live.pk, scheduled.pk}


def test_a_text_unpublished_behind_the_services_back_is_never_listed(client, make_article):
    hidden = make_article(title="水利草稿讲话", body=WATER)
    shown = make_article(title="水利讲话", body=WATER)
    Article.objects.filter(pk=hidden.pk).update(status=Article.Status.DRAFT)  # no article_changed()
    html = plain(page(client, q="水利"))
    assert "水利讲话" in html and "水利草稿讲话" not in html
    assert f"/a/{shown.pk}/" in html and f"/a/{hidden.pk}/" not in html


def test_index_follows_update_unpublish_republish_and_delete(make_article):
    article = make_article(title="水利工作讲话", body=WATER)
    assert found("塘坝") == [article.pk]
    article.body = UNION
    article.save()
    from miaobi.library.services import article_changed

    article_changed(article)
    assert found("塘坝") == [] and found("职工") == [article.pk]
    set_status([article], Article.Status.ARCHIVED)
    assert found("职工") == [] and not SearchDocument.objects.filter(article_id=article.pk).exists()
    set_status([article], Article.Status.PUBLISHED)
    assert found("职工") == [article.pk]
    delete_articles([article])
    assert found("职工") == [] and not SearchDocument.objects.exists()


def test_tags_and_genre_names_are_searchable(make_article):
    article = make_article(title="年度工作安排", body=WATER, genre="jihua", tags=["乡村振兴"])
    assert found("乡村振兴") == [article.pk]
    assert found("工作计划") == [article.pk]  # the genre's name


def test_facets_filters_sort_and_pagination(client, make_article, settings):
    settings.MIAOBI_PAGE_SIZE = 2
    old = make_article(title="水利讲话一", body=WATER, tags=["乡村振兴"],
                       published_at=timezone.now() - timezone.timedelta(days=400))
    mid = make_article(title="水利总结", body=WATER, genre="zongjie", published_at=timezone.now() - timezone.timedelta(days=10))
    new = make_article(title="水利讲话二", body=WATER + "\n水利水利。", tags=["乡村振兴"],
                       published_at=timezone.now() - timezone.timedelta(days=1))
    outcome = services.search(parse_query("水利"))
    assert {(f.label, f.count) for f in outcome.genre_facets} == {("讲话稿", 2), ("工作总结", 1)}
    assert {(f.label, f.count) for f in outcome.tag_facets} == {("乡村振兴", 2)}
    assert sum(f.count for f in outcome.year_facets) == 3
    assert services.search(parse_query("水利"), sort="date").ids == [new.pk, mid.pk, old.pk]

    html = plain(page(client, q="水利", genre="zongjie"))
    assert "找到 1 篇" in html and "水利总结" in html and "水利讲话一" not in html
    html = plain(page(client, q="水利", tag="xiangcun-zhenxing", sort="date"))
    assert "找到 2 篇" in html and html.index("水利讲话二") < html.index("水利讲话一")
    old_year = timezone.localtime(old.published_at).year
    assert "水利讲话一" in plain(page(client, q="水利", year=str(old_year)))
    html = page(client, q="水利")
    assert "第 1/2 页" in html and 'rel="next"' in html and "genre=jianghua" in html
    assert "第 2/2 页" in page(client, q="水利", page="2")
    assert "找到 3 篇" in page(client, q="水利", page="999999999999999")
    html = page(client, q="水利", genre="no-such-genre", year="abc", sort="bogus")
    assert "已忽略文种筛选" in html and "已忽略年份筛选" in html and "找到 3 篇" in html


def test_zero_results_are_kind_and_suggest_close_queries(client, make_article, monkeypatch):
    def no_order_desk(name, *args, **kwargs):
        if name == "orders:new":
            raise NoReverseMatch(name)
        return reverse(name, *args, **kwargs)

    monkeypatch.setattr(views, "reverse", no_order_desk)
    make_article(title="水利讲话", body=WATER)
    html = page(client, q="水利 火星移民")
    assert "没有找到与“水利 火星移民”相关的范文" in html
    assert "试试这些搜索" in html and "?q=%E6%B0%B4%E5%88%A9" in html  # 水利 alone finds something
    assert "定制代笔：" not in html  # no order desk: no offer
    assert "也可以按文种浏览" in html and reverse("library:genre", args=["zongjie"]) in html


def test_zero_results_offer_custom_writing_with_the_topic_filled_in(client, catalogue):
    html = page(client, q="火星移民规划")
    order_url = reverse("orders:new") + "?topic=%E7%81%AB%E6%98%9F%E7%A7%BB%E6%B0%91%E8%A7%84%E5%88%92"
    assert f'href="{order_url}"' in html and "定制代笔：火星移民规划" in html


def test_every_search_is_logged_without_identity(client, make_article):
    make_article(title="水利讲话", body=WATER)
    page(client, q="  水利  ")
    page(client, q="黨員")
    page(client, q="水利", page="2")  # paging is not a new search
    page(client)                     # nor is an empty box
    counting.flush_counts()          # logs are buffered with the page views
    logs = list(SearchLog.objects.order_by("created_at").values_list("query", "result_count"))
    assert logs == [("水利", 1), ("党员", 0)]
    assert SearchLog.objects.filter(latency_ms__gte=0).count() == 2
    assert not any(f.name in {"user", "ip", "session"} for f in SearchLog._meta.fields)


def test_suggest_returns_titles_and_popular_queries(client, make_article):
    article = make_article(title="在全县工会工作会议上的讲话", body=UNION)
    make_article(title="水利讲话", body=WATER, status=Article.Status.DRAFT)
    for _ in range(3):
        page(client, q="工会工作")
    counting.flush_counts()  # search logs are buffered with the page views
    data = client.get("/search/suggest", {"q": "工会"}).json()
    assert data["titles"] == [{"title": article.title, "url": article.get_absolute_url()}]
    assert data["queries"] == ["工会工作"]
    assert client.get("/search/suggest", {"q": "水利"}).json()["titles"] == []  # drafts never
    for raw in ["", '"*:()^', "工" * 5000, "\x00", "😀"]:
        assert client.get("/search/suggest", {"q": raw}).status_code == 200


@pytest.mark.parametrize("query", ['"', "*", ":", "(", ")", "^", "NEAR", "AND", "OR", "NOT", "NEAR(工会 讲话)",
                                   '"工会', "工会*", "title:工会", "{title_tokens}: 工会", "工会 OR 1=1", "' OR 1=1 --",
                                   "'; DROP TABLE search_document; --", "%", "_", "\\", "-", "--", "- -",
                                   "\x00\x01控制", "\u200b", "😀", "工会😀讲话", "工" * 10_000, "<script>x</script>",
                                   "％２０", "&&", "!!", "<->", "a:*", "(((", "黨員 AND ＡＢＣ"])
def test_any_input_gives_a_result_page(client, make_article, query):
    make_article(title="在全县工会工作会议上的讲话", body=UNION)
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert "<script>x" not in response.content.decode()
    assert SearchDocument.objects.count() == 1


@pytest.mark.parametrize("query", ["", " ", "\u3000\u3000", "\t"])
def test_empty_and_whitespace_queries_ask_for_input(client, catalogue, query):
    assert "请输入要查找的内容" in page(client, q=query)


def test_emoji_and_exclusion_only_queries_explain_themselves(client, catalogue):
    assert "没有可以查找的文字" in page(client, q="😀👍")
    assert "只写了要排除的词" in page(client, q="-培训")


def test_rate_limit_for_anonymous_searches(client, staff_client, catalogue, settings):
    settings.MIAOBI_SEARCH_RATE = "3/m"
    for _ in range(3):
        assert client.get("/search/", {"q": "水利"}).status_code == 200
    response = client.get("/search/", {"q": "水利"})
    assert response.status_code == 429
    assert "搜索太频繁" in response.content.decode() and int(response["Retry-After"]) >= 1
    other_ip = client.get("/search/", {"q": "水利"}, REMOTE_ADDR="10.1.2.3")
    assert other_ip.status_code == 200
    assert staff_client.get("/search/", {"q": "水利"}).status_code == 200  # signed-in readers are not limited
    settings.MIAOBI_SEARCH_RATE = "nonsense"  # falls back to the default (30/m), never an error
    assert client.get("/search/", {"q": "水利"}, REMOTE_ADDR="10.9.9.9").status_code == 200
    settings.MIAOBI_SEARCH_RATE = "off"
    assert client.get("/search/", {"q": "水利"}).status_code == 200


def test_reindex_command_rebuilds_the_index(make_article, capsys):
    a = make_article(title="水利讲话", body=WATER)
    b = make_article(title="工会讲话", body=UNION)
    SearchDocument.objects.all().delete()
    assert found("水利") == []
    out = StringIO()
    call_command("reindex", stdout=out)
    assert "2 published articles" in out.getvalue()
    assert "indexing [" in capsys.readouterr().err
    assert found("水利") == [a.pk] and found("工会") == [b.pk]


def test_tag_changes_reach_the_index(make_article):
    article = make_article(title="年度工作安排", body=WATER, genre="jihua")
    assert found("基层治理") == []
    article.tags.set(Tag.objects.filter(name="基层治理"))
    from miaobi.library.services import article_changed

    article_changed(article)
    assert found("基层治理") == [article.pk]


def test_admin_shows_logs_zero_result_and_top_queries(admin_client, make_article, client):
    make_article(title="水利讲话", body=WATER)
    for q in ["水利", "水利", "火星移民"]:
        page(client, q=q)
    counting.flush_counts()
    html = admin_client.get("/admin/search/searchlog/").content.decode()
    assert "水利" in html and "火星移民" in html
    html = admin_client.get("/admin/search/zeroresultquery/").content.decode()
    assert "火星移民" in html and ">水利<" not in html
    html = admin_client.get("/admin/search/topquery/").content.decode()
    assert html.index("水利") < html.index("火星移民")
    html = admin_client.get("/admin/search/topquery/", {"zero": "1", "days": "7"}).content.decode()
    assert "火星移民" in html and "?q=%E6%B0%B4%E5%88%A9" not in html


def test_snippets_follow_a_smaller_preview_budget_at_once(client, make_article):
    import re

    from miaobi.library.gate import article_preview
    from miaobi.library.models import Genre

    def snippet_and_preview(article):
        html = page(client, q="水利")
        snippet = re.search(r'<p class="snippet">(.*?)</p>', html, re.S).group(1)
        snippet = plain(snippet).strip("…")
        article.refresh_from_db()
        return snippet, " ".join(article_preview(article).plain_text.split())

    genre = Genre.objects.get(slug="jianghua")
    genre.preview_ratio = 0.5
    genre.save()
    article = make_article(title="讲话")
    wide, preview = snippet_and_preview(article)
    assert wide and wide in preview
    genre.preview_ratio = 0.05
    genre.save()
    narrow, preview = snippet_and_preview(article)
    assert narrow in preview and narrow != wide  # from the new, smaller preview: never the cached wider one


def test_an_engine_error_still_gives_a_page(client, make_article, monkeypatch):
    from django.db import DatabaseError

    from miaobi.search import backends

    make_article(title="水利讲话", body=WATER)

    def broken(*args, **kwargs):
        raise DatabaseError("fts5: syntax error near something")

    monkeypatch.setattr(backends.SQLiteFTS5Backend, "candidates", broken)
    monkeypatch.setattr(backends.PostgresBackend, "candidates", broken)
    html = page(client, q="水利")
    assert "这次搜索没有完成" in html
    assert "没有找到" not in html


def test_a_repeated_search_is_answered_from_the_cache_until_the_library_changes(client, make_article):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = make_article(title="水利工作讲话", body=WATER)
    parsed = parse_query("水利")
    assert services.cached_search(parsed).ids == [first.pk]
    with CaptureQueriesContext(connection) as queries:
        assert services.cached_search(parsed).ids == [first.pk]
    assert len(queries) == 0
    second = make_article(title="水利建设讲话", body=WATER)  # publishing retires the kept outcome
    assert set(services.cached_search(parsed).ids) == {first.pk, second.pk}
    for _ in range(2):  # still logged every time, cached or not
        client.get("/search/", {"q": "水利"})
    counting.flush_counts()
    assert SearchLog.objects.filter(query="水利").count() == 2
