"""The JSON API: articles through the gate, search, tokens, errors, rate limits and customers' orders."""
import json

import pytest
from django.test import Client
from django.utils import timezone

from miaobi.accounts.entitlements import grant_plan
from miaobi.accounts.models import Plan, User
from miaobi.library.gate import text_for_viewer
from miaobi.library.models import Article, Tag
from miaobi.orders.services import create_order
from miaobi.publishing.models import ApiToken
from miaobi.publishing.tokens import create_token, digest

HIDDEN = "清淤土方就近用于改良农田"


def body(response):
    return json.loads(response.content.decode())


def assert_error(response, status, code=None):
    assert response.status_code == status, (response.status_code, response.content[:300])
    data = body(response)
    assert set(data) == {"code", "message"}, data
    assert any("\u4e00" <= ch <= "\u9fff" for ch in data["message"]), data  # a Chinese message
    if code:
        assert data["code"] == code, data
    return data


@pytest.fixture
def member(db, catalogue):
    user = User.objects.create_user("apimember", password="pw-member-2026", email="m@example.cn")
    grant_plan(user, Plan.objects.get(code="month"), source="test")
    return user


def token_client(user, name="测试程序"):
    _row, token = create_token(user, name)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}"), token


# --- articles ----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_list_filters_and_paginates(client, make_article):
    a = make_article(tags=["工会"]) if Tag.objects.filter(name="工会").exists() else make_article()
    b = make_article(genre="xinde")
    make_article(status=Article.Status.DRAFT)
    data = body(client.get("/api/v1/articles?page_size=1"))
    assert data["page_size"] == 1 and data["pages"] == data["count"] >= 2 and len(data["items"]) == 1
    ids = {i["id"] for i in body(client.get("/api/v1/articles?genre=jianghua&page_size=50"))["items"]}
    assert a.pk in ids and b.pk not in ids
    year = timezone.localtime(a.published_at).year
    assert body(client.get(f"/api/v1/articles?year={year}"))["count"] >= 1
    assert body(client.get("/api/v1/articles?year=1999"))["count"] == 0
    assert body(client.get("/api/v1/articles?page=999"))["page"] == body(client.get("/api/v1/articles"))["pages"]


@pytest.mark.django_db
def test_list_filter_by_tag(client, make_article):
    tag = Tag.objects.first()
    tagged = make_article(tags=[tag.name])
    untagged = make_article()
    ids = {i["id"] for i in body(client.get(f"/api/v1/articles?tag={tag.slug}&page_size=50"))["items"]}
    assert tagged.pk in ids and untagged.pk not in ids


@pytest.mark.django_db
@pytest.mark.parametrize("query,code", [("genre=nope", "unknown_genre"), ("tag=nope", "unknown_tag")])
def test_unknown_filters_are_clear_errors(client, catalogue, query, code):
    assert_error(client.get(f"/api/v1/articles?{query}"), 404, code)


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["page=0", "page=abc", "page_size=500", "year=12"])
def test_bad_parameters_are_422_in_the_error_shape(client, catalogue, query):
    assert_error(client.get(f"/api/v1/articles?{query}"), 422, "invalid_input")


@pytest.mark.django_db
def test_detail_gives_visitors_the_preview_and_members_the_full_text(client, make_article, member):
    article = make_article()
    visitor = body(client.get(f"/api/v1/articles/{article.pk}"))
    assert visitor["full"] is False and visitor["access"] == "visitor"
    assert visitor["text"] == text_for_viewer(article, None).visible_text and HIDDEN not in visitor["text"]
    session = Client()
    session.force_login(member)
    full = body(session.get(f"/api/v1/articles/{article.pk}"))
    assert full["full"] is True and full["text"] == article.body
    by_token, _ = token_client(member)
    assert body(by_token.get(f"/api/v1/articles/{article.pk}"))["text"] == article.body


@pytest.mark.django_db
def test_registered_reader_without_unlock_gets_the_preview(make_article, reader_client_factory):
    article = make_article()
    data = body(reader_client_factory().get(f"/api/v1/articles/{article.pk}"))
    assert data["full"] is False and HIDDEN not in data["text"]


@pytest.mark.django_db
def test_drafts_and_missing_articles_are_404(client, make_article, staff_client):
    draft = make_article(status=Article.Status.DRAFT)
    assert_error(client.get(f"/api/v1/articles/{draft.pk}"), 404, "article_not_found")
    assert_error(client.get("/api/v1/articles/999999"), 404, "article_not_found")
    assert_error(client.get(f"/api/v1/articles/{draft.pk}/related"), 404)
    assert staff_client.get(f"/api/v1/articles/{draft.pk}").status_code == 200


@pytest.mark.django_db
def test_genres_tags_latest_related(client, make_article):
    a = make_article()
    make_article()
    genres = body(client.get("/api/v1/genres"))
    assert any(g["slug"] == "jianghua" and g["article_count"] >= 2 for g in genres)
    assert isinstance(body(client.get("/api/v1/tags")), list)
    latest = body(client.get("/api/v1/latest?limit=1"))
    assert len(latest) == 1 and set(latest[0]) == {"id", "title", "url", "genre", "published_at", "word_count"}
    related = body(client.get(f"/api/v1/articles/{a.pk}/related"))
    assert isinstance(related, list)
    assert_error(client.get("/api/v1/latest?limit=0"), 422)


@pytest.mark.django_db
def test_search_finds_and_snippets_come_from_the_preview(client, make_article):
    article = make_article(title="关于农田水利建设的讲话（接口搜索）")
    data = body(client.get("/api/v1/search?q=农田水利"))
    assert data["count"] >= 1 and article.pk in [i["id"] for i in data["items"]]
    assert all(HIDDEN not in i["snippet"] for i in data["items"])
    hidden_search = body(client.get(f"/api/v1/search?q={HIDDEN}"))
    assert all(HIDDEN not in i["snippet"] for i in hidden_search["items"])
    assert_error(client.get("/api/v1/search"), 422, "invalid_input")
    assert_error(client.get("/api/v1/search?q=水利&genre=nope"), 404, "unknown_filter")
    assert_error(client.get("/api/v1/search?q=" + "长" * 500), 422)


# --- tokens ------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_tokens_are_created_shown_once_stored_hashed_and_revoked_in_me(member):
    web = Client()
    web.force_login(member)
    assert "API 令牌" in web.get("/me/").content.decode()
    page = web.post("/me/tokens/", {"action": "create", "name": "写作助手"})
    html = page.content.decode()
    token = html.split('id="new-token">')[1].split("<")[0]
    assert token.startswith("mbk_") and page["Cache-Control"] == "no-store"
    row = ApiToken.objects.get(user=member)
    assert row.digest == digest(token) and token not in (row.digest, row.prefix)
    assert token not in web.get("/me/tokens/").content.decode()  # shown once only
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get("/api/v1/orders").status_code == 200
    web.post("/me/tokens/", {"action": "revoke", "token": str(row.pk)})
    assert_error(api.get("/api/v1/orders"), 401, "invalid_token")


@pytest.mark.django_db
def test_tokens_page_refuses_bad_input(member, django_user_model):
    web = Client()
    web.force_login(member)
    web.post("/me/tokens/", {"action": "create", "name": "  "})
    assert not ApiToken.objects.exists()
    other = django_user_model.objects.create_user("someoneelse", password="x")
    row, _ = create_token(other, "别人的")
    web.post("/me/tokens/", {"action": "revoke", "token": str(row.pk)})
    row.refresh_from_db()
    assert row.revoked_at is None  # cannot revoke someone else's token
    web.post("/me/tokens/", {"action": "revoke", "token": "abc"})
    assert Client().get("/me/tokens/").status_code == 302  # login required


@pytest.mark.django_db
@pytest.mark.parametrize("header,code", [("Bearer mbk_wrong", "invalid_token"), ("Token abc", "bad_authorization"),
                                         ("Bearer", "bad_authorization")])
def test_bad_tokens_are_401(catalogue, header, code):
    assert_error(Client(HTTP_AUTHORIZATION=header).get("/api/v1/genres"), 401, code)


@pytest.mark.django_db
def test_disabled_account_token_stops_working(member):
    api, _ = token_client(member)
    member.is_active = False
    member.save()
    assert_error(api.get("/api/v1/genres"), 401, "invalid_token")


# --- rate limits -------------------------------------------------------------------------------

@pytest.mark.django_db
def test_rate_limit_per_ip_with_retry_after(client, catalogue, settings):
    settings.MIAOBI_API_IP_RATE = "3/m"
    for _ in range(3):
        assert client.get("/api/v1/genres").status_code == 200
    response = client.get("/api/v1/genres")
    assert_error(response, 429, "rate_limited")
    assert 1 <= int(response["Retry-After"]) <= 61
    other_ip = Client(REMOTE_ADDR="10.0.0.9")
    assert other_ip.get("/api/v1/genres").status_code == 200


@pytest.mark.django_db
def test_rate_limit_per_token(member, settings):
    settings.MIAOBI_API_RATE = "2/m"
    settings.MIAOBI_API_IP_RATE = "100/m"
    first, _ = token_client(member, "一号")
    second, _ = token_client(member, "二号")
    assert first.get("/api/v1/genres").status_code == 200
    assert first.get("/api/v1/genres").status_code == 200
    assert_error(first.get("/api/v1/genres"), 429, "rate_limited")
    assert second.get("/api/v1/genres").status_code == 200  # a separate budget per token
    assert Client().get("/api/v1/genres").status_code == 200  # the IP budget is separate too


# --- orders ------------------------------------------------------------------------------------

def brief(**changes):
    data = {"topic": "在全镇防汛工作会议上的讲话", "genre": "jianghua", "length_chars": 3000,
            "deadline": (timezone.now() + timezone.timedelta(days=3)).isoformat(), "key_points": "突出责任落实",
            "contact_mobile": "13800001111", "consent": True}
    data.update(changes)
    return data


def post_json(client, path, data):
    return client.post(path, data=json.dumps(data), content_type="application/json")


@pytest.mark.django_db
def test_customer_creates_and_lists_orders_and_exchanges_messages(member):
    api, _ = token_client(member)
    response = post_json(api, "/api/v1/orders", brief())
    assert response.status_code == 201, response.content
    number = body(response)["number"]
    assert body(response)["state"] == "submitted" and body(response)["genre"] == "讲话稿"
    assert [o["number"] for o in body(api.get("/api/v1/orders"))] == [number]
    assert body(api.get(f"/api/v1/orders/{number}"))["topic"] == "在全镇防汛工作会议上的讲话"
    sent = post_json(api, f"/api/v1/orders/{number}/messages", {"body": "请在周五前交初稿，谢谢。"})
    assert sent.status_code == 201 and body(sent)["author_role"] == "customer"
    thread = body(api.get(f"/api/v1/orders/{number}/messages"))
    assert [m["body"] for m in thread] == ["请在周五前交初稿，谢谢。"]


@pytest.mark.django_db
@pytest.mark.parametrize("changes,status", [
    ({"consent": False}, 400), ({"contact_mobile": ""}, 400), ({"length_chars": 10}, 422),
    ({"deadline": "2001-01-01T00:00:00+08:00"}, 400), ({"genre": "nope"}, 400), ({"topic": ""}, 422),
])
def test_bad_briefs_are_refused_with_clear_errors(member, changes, status):
    api, _ = token_client(member)
    assert_error(post_json(api, "/api/v1/orders", brief(**changes)), status)


@pytest.mark.django_db
def test_malformed_json_is_an_error_in_the_shape(member):
    api, _ = token_client(member)
    response = api.post("/api/v1/orders", data="{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert_error(response, response.status_code)


@pytest.mark.django_db
def test_orders_need_a_login(client, catalogue):
    assert_error(client.get("/api/v1/orders"), 401, "login_required")
    assert_error(post_json(client, "/api/v1/orders", brief()), 401, "login_required")


@pytest.mark.django_db
def test_a_customer_never_sees_another_customers_order(member, django_user_model):
    other = django_user_model.objects.create_user("othercustomer", password="x")
    theirs = create_order(customer=other, topic="别人的订单", length_chars=2000,
                          deadline=timezone.now() + timezone.timedelta(days=2), contact_mobile="13900002222")
    guest = create_order(topic="游客订单", length_chars=2000, deadline=timezone.now() + timezone.timedelta(days=2),
                         contact_mobile="13900003333")
    api, _ = token_client(member)
    assert body(api.get("/api/v1/orders")) == []
    for order in (theirs, guest):
        assert_error(api.get(f"/api/v1/orders/{order.number}"), 404, "order_not_found")
        assert_error(api.get(f"/api/v1/orders/{order.number}/messages"), 404, "order_not_found")
        assert_error(post_json(api, f"/api/v1/orders/{order.number}/messages", {"body": "你好"}), 404)
    assert not theirs.messages.exists()


@pytest.mark.django_db
def test_session_writes_need_the_csrf_token(member):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    assert_error(post_json(browser, "/api/v1/orders", brief()), 403, "csrf_failed")
    browser.get("/api/v1/genres")  # any page: the test client has no cookie yet, so fetch one from a form page
    token_page = browser.get("/me/tokens/")
    csrf = token_page.cookies.get("csrftoken") or browser.cookies.get("csrftoken")
    assert csrf is not None
    ok = browser.post("/api/v1/orders", data=json.dumps(brief()), content_type="application/json",
                      HTTP_X_CSRFTOKEN=csrf.value)
    assert ok.status_code == 201, ok.content


# --- schema and docs ---------------------------------------------------------------------------

@pytest.mark.django_db
def test_openapi_schema_and_local_docs_page(client):
    schema = body(client.get("/api/v1/openapi.json"))
    assert schema["openapi"].startswith("3.") and "/api/v1/articles" in schema["paths"]
    html = client.get("/api/v1/docs").content.decode()
    assert "/api/v1/articles" in html and "/api/v1/openapi.json" in html
    assert "cdn" not in html.lower() and "unpkg" not in html and "jsdelivr" not in html
    assert client.get("/api/v1/docs/").status_code in (301, 302, 404)


@pytest.mark.django_db
def test_admin_lists_tokens_without_their_secret(member, django_user_model):
    _row, token = create_token(member, "后台可见")
    admin_user = django_user_model.objects.create_superuser("tokenadmin", "a@example.cn", "x")
    c = Client()
    c.force_login(admin_user)
    html = c.get("/admin/publishing/apitoken/").content.decode()
    assert "后台可见" in html and token not in html and digest(token) not in html
