"""Readers register with a mobile number or an email, log in, change and reset passwords, leave."""
import re

import pytest
from django.core import mail
from django.utils import timezone

from miaobi.accounts.models import LoginFailure, User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed, mobile, email", [
    ("13912345678", "13912345678", ""),
    ("+86 139-1234-5678", "13912345678", ""),
    ("１３９１２３４５６７８", "13912345678", ""),
    ("Wang.Li@Example.CN", None, "Wang.Li@example.cn"),
])
def test_register_with_mobile_or_email(client, catalogue, typed, mobile, email):
    response = client.post("/accounts/register/", {"identifier": typed, "password1": "Huaxia-2026!",
                                                    "password2": "Huaxia-2026!"})
    assert response.status_code == 302 and response["Location"] == "/me/"
    user = User.objects.get()
    assert user.mobile == mobile and user.email == email
    assert "本月免费额度" in client.get("/me/").content.decode()


def test_email_registration_sends_a_verification_link(client, catalogue):
    client.post("/accounts/register/", {"identifier": "li@example.cn", "password1": "Huaxia-2026!",
                                        "password2": "Huaxia-2026!"})
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/verify/\S+/)", mail.outbox[0].body).group(1)
    assert "验证成功" in client.get(link).content.decode()
    assert User.objects.get().email_verified
    assert client.get("/accounts/verify/garbage/").status_code == 400


@pytest.mark.parametrize("data, message", [
    ({"identifier": "12345", "password1": "Huaxia-2026!", "password2": "Huaxia-2026!"}, "请输入 11 位手机号或有效的邮箱地址"),
    ({"identifier": "13912345678", "password1": "Huaxia-2026!", "password2": "Other-2026!"}, "两次输入的密码不一致"),
    ({"identifier": "13912345678", "password1": "12345678", "password2": "12345678"}, "密码"),
    ({"identifier": "", "password1": "", "password2": ""}, "这个字段是必填项"),
])
def test_registration_errors_are_chinese(client, catalogue, data, message):
    response = client.post("/accounts/register/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.exists()


def test_duplicate_registration_is_refused(client, reader):
    response = client.post("/accounts/register/", {"identifier": "138 0013 8000", "password1": "Huaxia-2026!",
                                                   "password2": "Huaxia-2026!"})
    assert "已经注册过了" in response.content.decode()


@pytest.mark.parametrize("identifier", ["13800138000", "+8613800138000", "138-0013-8000"])
def test_login_with_mobile(client, reader, identifier):
    response = client.post("/accounts/login/", {"identifier": identifier, "password": "Qingshan-2026"})
    assert response.status_code == 302
    assert client.get("/me/").status_code == 200


def test_login_with_email_any_case(client, member):
    response = client.post("/accounts/login/", {"identifier": "MEMBER@example.cn", "password": "Qingshan-2026"})
    assert response.status_code == 302


def test_wrong_password_then_slowed_then_locked(client, reader):
    for _ in range(3):
        html = client.post("/accounts/login/", {"identifier": "13800138000", "password": "wrong"}).content.decode()
        assert "手机号/邮箱或密码不正确" in html or "秒后再试" in html
    response = client.post("/accounts/login/", {"identifier": "13800138000", "password": "Qingshan-2026"})
    assert response.status_code == 429 and "秒后再试" in response.content.decode()
    # Time passes between tries, but the failures go on: the account is locked.
    for row in LoginFailure.objects.all():
        row.count = 5
        row.last_at = timezone.now() - timezone.timedelta(minutes=1)
        row.save()
    response = client.post("/accounts/login/", {"identifier": "13800138000", "password": "wrong"})
    assert response.status_code == 429
    assert re.search(r"请于 \d\d:\d\d 后再试", response.content.decode())
    response = client.post("/accounts/login/", {"identifier": "13800138000", "password": "Qingshan-2026"})
    assert response.status_code == 429


def test_failures_per_ip_also_count(client, reader):
    for n in range(4):
        client.post("/accounts/login/", {"identifier": f"1390000000{n}", "password": "x"},
                    REMOTE_ADDR="10.9.9.9")
    response = client.post("/accounts/login/", {"identifier": "13800138000", "password": "Qingshan-2026"},
                           REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 429


@pytest.mark.parametrize("target, expected", [
    ("/a/1/", "/a/1/"), ("https://evil.example/", "/me/"), ("//evil.example/", "/me/"),
    ("javascript:alert(1)", "/me/"), ("/\\evil.example", "/me/"),
])
def test_next_never_redirects_off_site(client, reader, target, expected):
    response = client.post(f"/accounts/login/?next={target}", {"identifier": "13800138000", "password": "Qingshan-2026"})
    assert response["Location"] == expected


def test_logout_needs_post(reader_client):
    assert reader_client.get("/accounts/logout/").status_code == 405
    reader_client.post("/accounts/logout/")
    assert reader_client.get("/me/").status_code == 302


def test_change_password(reader_client, reader):
    response = reader_client.post("/accounts/password/", {"old_password": "Qingshan-2026", "new_password1": "Hongye-2027?",
                                                          "new_password2": "Hongye-2027?"})
    assert response.status_code == 302
    reader.refresh_from_db()
    assert reader.check_password("Hongye-2027?")


def test_password_reset_by_email(client, member):
    client.post("/accounts/reset/", {"email": "member@example.cn"})
    assert len(mail.outbox) == 1
    path = re.search(r"http://testserver(/accounts/reset/\S+/\S+/)", mail.outbox[0].body).group(1)
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else path
    response = client.post(form_url, {"new_password1": "Hongye-2027?", "new_password2": "Hongye-2027?"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password("Hongye-2027?")


def test_delete_account(reader_client, reader):
    assert "密码不正确" in reader_client.post("/accounts/delete/", {"password": "nope"}).content.decode()
    response = reader_client.post("/accounts/delete/", {"password": "Qingshan-2026"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=reader.pk).exists()


def test_forms_need_csrf(catalogue):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/accounts/login/", {"identifier": "a", "password": "b"}).status_code == 403


def test_staff_log_in_to_the_admin_with_a_username(client, catalogue):
    User.objects.create_superuser("admin", password="Admin-pass-2026")
    response = client.post("/admin/login/?next=/admin/", {"username": "admin", "password": "Admin-pass-2026"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
