import io
import zipfile

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from miaobi.accounts.models import User
from miaobi.orders.services import create_order
from miaobi.orders.workflow import STAFF, Actor


def docx_bytes(text: str = "交付稿正文") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", f"<w:document><w:t>{text}</w:t></w:document>")
    return out.getvalue()


def upload(name="交付稿.docx", data=None, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, docx_bytes() if data is None else data, content_type=content_type)


@pytest.fixture
def customer(db):
    return User.objects.create_user(username="13611112222", mobile="13611112222", email="kehu@example.cn",
                                    password="Qingshan-2026")


@pytest.fixture
def customer_client(customer):
    c = Client()
    c.force_login(customer)
    return c


@pytest.fixture
def editor(db):
    return User.objects.create_user(username="bianji", password="Qingshan-2026", is_staff=True, email="bj@example.cn")


@pytest.fixture
def writer(db):
    user = User.objects.create_user(username="xieshou", password="Qingshan-2026", is_staff=True)
    Group.objects.get_or_create(name="写手")[0].user_set.add(user)
    return user


@pytest.fixture
def editor_client(editor):
    c = Client()
    c.force_login(editor)
    return c


@pytest.fixture
def staff(editor):
    return Actor(STAFF, editor)


@pytest.fixture
def make_order(catalogue, customer):
    def make(**overrides):
        brief = dict(topic="在全镇防汛工作会议上的讲话", occasion="镇防汛工作会议", audience="各村干部",
                     speaker_role="镇长", length_chars=3000, deadline=timezone.now() + timezone.timedelta(days=3),
                     key_points="突出隐患排查和转移预案", contact_mobile="13611112222")
        brief.update(overrides)
        owner = brief.pop("customer", customer)
        return create_order(customer=owner, **brief)

    return make
