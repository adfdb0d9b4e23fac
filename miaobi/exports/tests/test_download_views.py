"""Downloads: entitled readers only, a 60-second signed link, the daily cap, a traceable mark."""
import io
from urllib.parse import unquote

import docx
import pytest
from django.core import signing
from django.test import Client

from miaobi.accounts.entitlements import grant_plan, unlock_article
from miaobi.accounts.models import Download, Plan, User
from miaobi.exports.docx_export import read_mark

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_client(db):
    user = User.objects.create_user(username="m@example.cn", email="m@example.cn", password="Qingshan-2026")
    grant_plan(user, Plan.objects.get(code="year"), source="test")
    c = Client()
    c.force_login(user)
    c.user = user
    return c


def fetch(client, article, fmt="docx"):
    start = client.get(f"/a/{article.pk}/download/{fmt}/")
    assert start.status_code == 302, start.content.decode()[:500]
    return client.get(start["Location"])


def test_member_downloads_a_word_file_with_a_mark(member_client, make_article):
    article = make_article(title="在全县农田水利建设推进会上的讲话")
    response = fetch(member_client, article)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    assert "在全县农田水利建设推进会上的讲话.docx" in unquote(response["Content-Disposition"])
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "谢谢大家" in text
    download = Download.objects.get()
    assert read_mark(response.content) == download.mark
    assert download.mark.startswith(member_client.user.member_no)


def test_text_download(member_client, make_article):
    article = make_article()
    response = fetch(member_client, article, "txt")
    body = response.content.decode("utf-8-sig")
    assert "谢谢大家" in body and "下载标识：" in body


def test_visitor_is_sent_to_login_and_locked_reader_is_refused(client, make_article, reader_client_factory):
    article = make_article()
    assert client.get(f"/a/{article.pk}/download/docx/")["Location"].startswith("/accounts/login/")
    locked = reader_client_factory()
    response = locked.get(f"/a/{article.pk}/download/docx/")
    assert response.status_code == 403 and "获取全文后才能下载" in response.content.decode()
    unlock_article(locked.user, article)
    assert fetch(locked, article).status_code == 200


def test_links_expire_after_60_seconds(member_client, make_article, monkeypatch):
    article = make_article()
    link = member_client.get(f"/a/{article.pk}/download/docx/")["Location"]
    import time as real_time

    later = real_time.time() + 61
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    response = member_client.get(link)
    assert response.status_code == 410
    html = response.content.decode()
    assert "已经过期" in html and f"/a/{article.pk}/download/docx/" in html
    assert not Download.objects.exists()


def test_links_belong_to_one_reader(member_client, make_article, reader_client_factory):
    article = make_article()
    link = member_client.get(f"/a/{article.pk}/download/docx/")["Location"]
    other = reader_client_factory()
    unlock_article(other.user, article)
    assert other.get(link).status_code == 403
    token = signing.dumps({"u": member_client.user.pk, "a": article.pk, "f": "docx"}, salt="other")
    assert member_client.get(f"/a/{article.pk}/docx?t={token}").status_code == 403


def test_daily_download_cap(member_client, make_article, settings):
    settings.MIAOBI_DAILY_DOWNLOAD_CAP = 2
    article = make_article()
    assert fetch(member_client, article).status_code == 200
    assert fetch(member_client, article, "txt").status_code == 200
    response = member_client.get(f"/a/{article.pk}/download/docx/")
    assert response.status_code == 403 and "下载次数已达上限" in response.content.decode()


def test_unknown_format_and_draft_are_404(member_client, make_article):
    article = make_article()
    assert member_client.get(f"/a/{article.pk}/download/pdf/").status_code == 404
    draft = make_article(status="draft")
    assert member_client.get(f"/a/{draft.pk}/download/docx/").status_code == 404


def test_staff_trace_a_leaked_file(member_client, make_article, staff_client):
    article = make_article()
    data = fetch(member_client, article).content
    upload = io.BytesIO(data)
    upload.name = "leaked.docx"
    html = staff_client.post("/desk/trace/", {"file": upload}).content.decode()
    assert member_client.user.member_no in html and article.title in html
    assert member_client.get("/desk/trace/").status_code == 302  # staff only
