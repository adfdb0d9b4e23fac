import pytest
from django.test import Client
from django.utils import timezone

from miaobi.accounts.entitlements import grant_plan
from miaobi.accounts.models import Membership, Plan, User


@pytest.fixture
def reader(db):
    return User.objects.create_user(username="13800138000", mobile="13800138000", password="Qingshan-2026")


@pytest.fixture
def reader_client(reader):
    c = Client()
    c.force_login(reader)
    return c


@pytest.fixture
def member(db):
    user = User.objects.create_user(username="member@example.cn", email="member@example.cn", password="Qingshan-2026")
    grant_plan(user, Plan.objects.get(code="month"), source="test")
    return user


@pytest.fixture
def expired_member(db):
    user = User.objects.create_user(username="old@example.cn", email="old@example.cn", password="Qingshan-2026")
    now = timezone.now()
    Membership.objects.create(user=user, plan=Plan.objects.get(code="month"), starts_at=now - timezone.timedelta(days=40),
                              ends_at=now - timezone.timedelta(days=10), source="test")
    return user
