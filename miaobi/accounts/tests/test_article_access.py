"""The article page for each kind of reader: the call to action, unlocking, the full text, /me/."""
import pytest

from miaobi.accounts.entitlements import unlock_article

pytestmark = pytest.mark.django_db
LAST_WORDS = "谢谢大家"


def test_visitor_gets_register_link(client, make_article):
    article = make_article()
    html = client.get(f"/a/{article.pk}/").content.decode()
    assert "免费获取全文" in html and f"/accounts/register/?next=/a/{article.pk}/" in html
    assert LAST_WORDS not in html


def test_reader_unlocks_with_free_quota(reader_client, make_article):
    article = make_article()
    html = reader_client.get(f"/a/{article.pk}/").content.decode()
    assert f'action="/a/{article.pk}/unlock/"' in html and "本月剩余免费额度 3 篇" in html
    response = reader_client.post(f"/a/{article.pk}/unlock/", follow=True)
    html = response.content.decode()
    assert LAST_WORDS in html and "本月还可免费获取 2 篇" in html
    assert "下载 Word" in html
    assert "剩余 <strong>2</strong> / 3 篇" in reader_client.get("/me/").content.decode()


def test_reader_without_quota_is_offered_codes(reader_client, reader, make_article):
    for _ in range(3):
        unlock_article(reader, make_article(reindex=False))
    article = make_article()
    html = reader_client.get(f"/a/{article.pk}/").content.decode()
    assert "免费额度已用完" in html and "/redeem/" in html
    response = reader_client.post(f"/a/{article.pk}/unlock/", follow=True)
    assert "免费额度已用完" in response.content.decode()
    assert LAST_WORDS not in response.content.decode()


def test_visitor_unlock_goes_to_login(client, make_article):
    article = make_article()
    assert client.post(f"/a/{article.pk}/unlock/")["Location"].startswith("/accounts/login/")


def test_member_reads_in_full_and_sees_history(make_article, member):
    from django.test import Client

    c = Client()
    c.force_login(member)
    article = make_article()
    assert LAST_WORDS in c.get(f"/a/{article.pk}/").content.decode()
    c.post(f"/a/{article.pk}/favourite/")
    me = c.get("/me/").content.decode()
    assert "会员到期时间" in me and article.title in me and "全文" in me


def test_unlock_and_favourite_of_a_draft_are_404(reader_client, make_article):
    draft = make_article(status="draft")
    assert reader_client.post(f"/a/{draft.pk}/unlock/").status_code == 404
    assert reader_client.post(f"/a/{draft.pk}/favourite/").status_code == 404


def test_logged_in_article_page_stays_cheap(reader_client, make_article, django_assert_max_num_queries):
    article = make_article()
    reader_client.get(f"/a/{article.pk}/")
    with django_assert_max_num_queries(12):
        reader_client.get(f"/a/{article.pk}/")
