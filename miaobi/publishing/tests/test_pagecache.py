"""The anonymous page cache: fast for visitors, and never a way around the gate."""
import pytest
from django.test import Client

from miaobi.accounts.entitlements import grant_plan
from miaobi.accounts.models import Plan, User
from miaobi.conftest import SPEECH
from miaobi.library import services
from miaobi.library.models import Article
from miaobi.publishing import counting
from miaobi.siteconfig.selectors import current_site_settings
from miaobi.siteconfig.services import update_site_settings

pytestmark = pytest.mark.django_db

HIDDEN = "只有会员才能读到的这一句"  # planted in the part of the body a visitor never receives


def long_article(make_article):
    body = SPEECH + "\n" + "\n".join(f"（{i}）第{i}项工作要一抓到底，久久为功。" * 3 for i in range(1, 30))
    body += f"\n{HIDDEN}。\n" + "\n".join(f"四、第{i}个方面要持续用力，抓出成效。" for i in range(1, 20))
    return make_article(body=body)


@pytest.fixture
def member_client(db):
    user = User.objects.create_user(username="13800000001", mobile="13800000001", password="Qingshan-2026")
    grant_plan(user, Plan.objects.get(code="month"), source="test")
    client = Client()
    client.force_login(user)
    return client


def test_second_visit_is_served_from_the_cache(client, make_article):
    article = make_article()
    first = client.get(article.get_absolute_url())
    second = client.get(article.get_absolute_url())
    assert first.status_code == second.status_code == 200
    assert "X-Page-Cache" not in first and second["X-Page-Cache"] == "hit"
    assert first.content == second.content
    assert second["Content-Type"].startswith("text/html")


def test_lists_are_cached_per_page_and_other_parameters_bypass(client, make_article):
    for _ in range(3):
        make_article()
    client.get("/latest/")
    assert client.get("/latest/")["X-Page-Cache"] == "hit"
    assert "X-Page-Cache" not in client.get("/latest/?page=2")
    assert "X-Page-Cache" not in client.get("/latest/?utm_source=x")
    assert "X-Page-Cache" not in client.get("/latest/?utm_source=x")


def test_a_cached_page_still_counts_the_reading(client, make_article):
    article = make_article()
    for _ in range(3):
        client.get(article.get_absolute_url())
    counting.flush_counts()
    article.refresh_from_db()
    assert article.view_count == 3


def test_an_edit_retires_the_cached_page_at_once(client, make_article):
    article = make_article(title="原来的标题")
    client.get(article.get_absolute_url())
    article.title = "改过的标题"
    article.save()
    services.article_changed(article)
    response = client.get(article.get_absolute_url())
    assert "X-Page-Cache" not in response
    assert "改过的标题" in response.content.decode()


def test_an_unpublished_article_is_not_served_from_the_cache(client, make_article):
    article = make_article()
    client.get(article.get_absolute_url())
    services.set_status([article], Article.Status.ARCHIVED)
    assert client.get(article.get_absolute_url()).status_code == 404


def test_an_edit_outside_the_services_also_retires_it(client, make_article):
    article = make_article(title="旧标题")
    client.get("/latest/")
    fresh = Article.objects.get(pk=article.pk)
    fresh.title = "新标题"
    fresh.save()  # a bare save() (admin inline, shell): the signal retires cached pages
    assert "新标题" in client.get("/latest/").content.decode()


def test_site_settings_change_retires_cached_pages(client, make_article):
    make_article()
    client.get("/")
    row = current_site_settings()
    row.site_name = "新的站名"
    update_site_settings(row)
    assert "新的站名" in client.get("/").content.decode()


def test_a_members_full_text_is_never_stored_for_visitors(client, member_client, make_article):
    article = long_article(make_article)
    member_page = member_client.get(article.get_absolute_url())
    assert HIDDEN in member_page.content.decode()  # the member reads it all
    assert "X-Page-Cache" not in member_client.get(article.get_absolute_url())
    visitor_page = client.get(article.get_absolute_url())
    assert HIDDEN not in visitor_page.content.decode()
    assert HIDDEN not in client.get(article.get_absolute_url()).content.decode()


def test_a_visitors_cached_preview_is_never_served_to_a_member(client, member_client, make_article):
    article = long_article(make_article)
    client.get(article.get_absolute_url())
    assert client.get(article.get_absolute_url())["X-Page-Cache"] == "hit"
    page = member_client.get(article.get_absolute_url())
    assert "X-Page-Cache" not in page and HIDDEN in page.content.decode()


def test_staff_preview_as_visitor_is_not_cached(staff_client, make_article):
    article = make_article()
    staff_client.get(article.get_absolute_url() + "?as=visitor")
    assert "X-Page-Cache" not in staff_client.get(article.get_absolute_url() + "?as=visitor")


def test_a_visitor_with_a_session_cookie_bypasses_the_cache(client, make_article):
    article = make_article()
    client.get(article.get_absolute_url())
    client.cookies["sessionid"] = "whatever"
    assert "X-Page-Cache" not in client.get(article.get_absolute_url())


def test_responses_that_set_a_cookie_are_not_stored(client, make_article, settings):
    article = make_article()
    from miaobi.publishing.pagecache import AnonymousPageCache

    class FakeResponse:
        status_code, streaming, cookies = 200, False, {"csrftoken": "x"}

        def has_header(self, name):
            return False

        def get(self, name, default=""):
            return default

    request = type("R", (), {"META": {}})()
    assert not AnonymousPageCache.storable(request, FakeResponse())
    assert client.get(article.get_absolute_url()).status_code == 200


def test_hosts_do_not_share_cached_pages(client, make_article, settings):
    settings.ALLOWED_HOSTS = ["a.example", "b.example", "testserver"]
    article = make_article()
    client.get(article.get_absolute_url(), HTTP_HOST="a.example")
    page = client.get(article.get_absolute_url(), HTTP_HOST="b.example")
    assert "X-Page-Cache" not in page
    assert "b.example" in page.content.decode() and "a.example" not in page.content.decode()


def test_turned_off_with_zero_seconds(client, make_article, settings):
    settings.MIAOBI_PAGE_CACHE_SECONDS = 0
    article = make_article()
    client.get(article.get_absolute_url())
    assert "X-Page-Cache" not in client.get(article.get_absolute_url())


def test_pages_are_shared_by_workers_and_retired_by_another_workers_change(client, make_article):
    from django.core.cache import caches

    from miaobi.library import fragments

    article = make_article()
    client.get(article.get_absolute_url())
    assert client.get(article.get_absolute_url())["X-Page-Cache"] == "hit"
    # Another worker publishes: it writes a new generation to the shared cache. This worker sees it
    # once its one-second memo has passed (simulated by forgetting the memo).
    caches["shared"].set(fragments.GENERATION_KEY, fragments.generation() + 1000, None)
    fragments.forget_local_memo()
    assert "X-Page-Cache" not in client.get(article.get_absolute_url())


def test_a_visitors_search_page_is_cached_and_still_logged(client, make_article):
    from miaobi.search.models import SearchLog

    make_article(title="水利工作讲话")
    first = client.get("/search/", {"q": "水利"})
    second = client.get("/search/", {"q": "水利"})
    assert "X-Page-Cache" not in first and second["X-Page-Cache"] == "hit"
    assert first.content == second.content
    client.get("/search/", {"q": "水利", "page": "1"})  # paging is not a new search
    assert "X-Page-Cache" not in client.get("/search/", {"q": "水利", "utm": "x"})  # unknown parameter
    counting.flush_counts()
    assert list(SearchLog.objects.values_list("query", "result_count")) == [("水利", 1)] * 3


def test_a_cached_search_still_counts_against_the_rate_limit(client, make_article, settings):
    settings.MIAOBI_SEARCH_RATE = "3/m"
    make_article(title="水利工作讲话")
    statuses = [client.get("/search/", {"q": "水利"}).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


def test_a_members_search_is_neither_served_nor_stored(client, member_client, make_article):
    article = long_article(make_article)
    client.get("/search/", {"q": "只有会员"})
    page = member_client.get("/search/", {"q": "只有会员"})
    assert "X-Page-Cache" not in page
    assert "X-Page-Cache" not in member_client.get("/search/", {"q": "只有会员"})
    assert article.title in page.content.decode()


def test_a_cached_page_answers_a_visitors_conditional_get(client, make_article):
    article = make_article()
    client.get(article.get_absolute_url())
    cached = client.get(article.get_absolute_url())
    assert cached["X-Page-Cache"] == "hit" and cached["ETag"]
    assert cached["X-Frame-Options"] == "DENY" and "Cookie" in cached["Vary"]
    assert cached["Content-Security-Policy"] and cached["X-Request-Id"]
    again = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=cached["ETag"])
    assert again.status_code == 304 and again["ETag"] == cached["ETag"] and not again.content
    counting.flush_counts()
    article.refresh_from_db()
    assert article.view_count == 3  # the 304 is a reading too


def test_a_logged_out_flash_message_bypasses_the_cache(client, make_article):
    article = make_article()
    client.get(article.get_absolute_url())
    client.cookies["messages"] = "x"
    assert "X-Page-Cache" not in client.get(article.get_absolute_url())
