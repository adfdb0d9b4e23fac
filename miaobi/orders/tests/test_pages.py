"""The customer's pages and the desk, through HTTP: brief, tracking link, IDOR, uploads, privacy."""
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from miaobi.accounts.models import User
from miaobi.orders.models import Attachment, Order, State
from miaobi.orders.services import post_message, purge_closed_attachments
from miaobi.orders.workflow import CUSTOMER, Actor

from .conftest import docx_bytes, upload

pytestmark = pytest.mark.django_db


def brief(**extra):
    data = {"genre": "", "topic": "在全镇防汛工作会议上的讲话", "occasion": "防汛会议", "audience": "村干部",
            "speaker_role": "镇长", "length_chars": "3000",
            "deadline": (timezone.localtime() + timezone.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "key_points": "隐患排查", "contact_mobile": "13611112222", "contact_wechat": "", "contact_email": "",
            "consent": "on"}
    data.update(extra)
    return data


def test_visitor_orders_and_follows_the_tracking_link(client, catalogue):
    response = client.post("/order/new/", brief())
    html = response.content.decode()
    assert "需求已提交" in html
    order = Order.objects.get()
    assert order.customer is None and order.number in html and f"?t={order.tracking_token}" in html
    stranger = Client()
    assert stranger.get(f"/orders/{order.number}/").status_code == 404
    assert stranger.get(f"/orders/{order.number}/?t=wrong").status_code == 404
    page = stranger.get(f"/orders/{order.number}/?t={order.tracking_token}")
    assert page.status_code == 200 and "已提交" in page.content.decode()


def test_brief_errors_are_chinese(client, catalogue):
    html = client.post("/order/new/", brief(consent="", contact_mobile="", topic="",
                                            deadline="2000-01-01T00:00", length_chars="5")).content.decode()
    for message in ["请阅读并同意隐私说明", "请至少留下一种联系方式", "截止时间至少要在一小时以后", "字数请填写"]:
        assert message in html
    assert not Order.objects.exists()


def test_order_from_an_article_is_prefilled(client, make_article):
    article = make_article(title="在全县秋冬季安全生产会议上的讲话")
    html = client.get(f"/order/new/?ref={article.pk}").content.decode()
    assert "在全县秋冬季安全生产会议上的讲话" in html and "参考范文" in html
    assert "定制代笔此类文章" in client.get(f"/a/{article.pk}/").content.decode()
    assert client.get("/order/new/?ref=abc").status_code == 200
    assert "公文写作" in client.get("/order/new/?topic=公文写作").content.decode()


def test_logged_in_customer_sees_own_orders_only(customer_client, make_order, catalogue):
    mine = make_order()
    other_user = User.objects.create_user(username="13699998888", mobile="13699998888", password="x")
    theirs = make_order(customer=other_user)
    assert customer_client.get(f"/orders/{mine.number}/").status_code == 200
    assert customer_client.get(f"/orders/{theirs.number}/").status_code == 404
    assert customer_client.post(f"/orders/{theirs.number}/do/cancel/").status_code == 404
    assert theirs.number not in customer_client.get("/orders/").content.decode()


def test_attachments_are_served_to_owner_and_staff_only(customer_client, customer, editor_client, make_order):
    order = make_order()
    post_message(order, actor=Actor(CUSTOMER, customer), body="材料见附件",
                 files=[SimpleUploadedFile("领导简历.pdf", b"%PDF-1.4 fake pdf")])
    attachment = Attachment.objects.get()
    path = f"/orders/{order.number}/files/{attachment.pk}/"
    assert customer_client.get(path).status_code == 200
    assert editor_client.get(path).status_code == 200
    assert Client().get(path).status_code == 404
    assert Client().get(f"{path}?t={order.tracking_token}").status_code == 200
    other = User.objects.create_user(username="13600001111", mobile="13600001111", password="x")
    c = Client()
    c.force_login(other)
    assert c.get(path).status_code == 404
    other_order = make_order(customer=other)
    assert customer_client.get(f"/orders/{other_order.number}/files/{attachment.pk}/").status_code == 404
    assert "filename*=UTF-8''" in customer_client.get(path)["Content-Disposition"]


def test_writers_see_only_their_orders(writer, make_order):
    mine, other = make_order(), make_order()
    Order.objects.filter(pk=mine.pk).update(writer=writer)
    c = Client()
    c.force_login(writer)
    html = c.get("/desk/").content.decode()
    assert mine.number in html and other.number not in html
    assert c.get(f"/desk/orders/{other.number}/").status_code == 404
    assert c.get(f"/desk/orders/{mine.number}/").status_code == 200


def test_desk_is_for_staff_only(customer_client, make_order):
    order = make_order()
    assert customer_client.get("/desk/").status_code == 302
    assert customer_client.post(f"/desk/orders/{order.number}/do/deposit/").status_code == 302
    assert Client().get(f"/desk/orders/{order.number}/").status_code == 302


def test_desk_queue_flags_overdue_and_due_soon(editor_client, make_order):
    overdue = make_order()
    Order.objects.filter(pk=overdue.pk).update(deadline=timezone.now() - timezone.timedelta(hours=2))
    soon = make_order(deadline=timezone.now() + timezone.timedelta(hours=5))
    html = editor_client.get("/desk/").content.decode()
    assert html.index(overdue.number) < html.index(soon.number)
    assert "逾期" in html and "即将到期" in html
    assert soon.number in editor_client.get("/desk/?state=submitted").content.decode()
    assert soon.number not in editor_client.get("/desk/?state=quoted").content.decode()


@pytest.mark.parametrize("name, data, message", [
    ("空文件.docx", b"", "是空文件"),
    ("程序.docx", b"MZ\x90\x00" + b"\x00" * 100, "文件类型不支持"),
    ("伪装.pdf", b"\x7fELF\x02\x01" + b"\x00" * 50, "文件类型不支持"),
    ("压缩包.zip", None, "文件类型不支持"),
])
def test_bad_uploads_are_refused(customer_client, make_order, name, data, message):
    order = make_order()
    if data is None:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            z.writestr("virus.exe", b"MZ")
        data = out.getvalue()
    response = customer_client.post(f"/orders/{order.number}/do/message/",
                                     {"body": "附件", "attachments": [SimpleUploadedFile(name, data)]}, follow=True)
    assert message in response.content.decode()
    assert not Attachment.objects.exists()


def test_oversize_and_too_many_files(customer_client, make_order, settings):
    settings.MIAOBI_ATTACHMENT_MAX_BYTES = 1000
    order = make_order()
    big = SimpleUploadedFile("大文件.pdf", b"%PDF-" + b"x" * 2000)
    assert "超过" in customer_client.post(f"/orders/{order.number}/do/message/", {"body": "x", "attachments": [big]},
                                          follow=True).content.decode()
    settings.MIAOBI_ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
    six = [SimpleUploadedFile(f"材料{i}.pdf", b"%PDF-1.4") for i in range(6)]
    assert "最多附 5 个文件" in customer_client.post(f"/orders/{order.number}/do/message/",
                                                    {"body": "x", "attachments": six}, follow=True).content.decode()
    assert not Attachment.objects.exists()


def test_chinese_file_names_are_kept(customer_client, make_order):
    order = make_order()
    customer_client.post(f"/orders/{order.number}/do/message/",
                         {"body": "", "attachments": [SimpleUploadedFile("２０２６年 工作要点（定稿）.docx", docx_bytes())]})
    attachment = Attachment.objects.get()
    assert attachment.original_name == "２０２６年 工作要点（定稿）.docx" and attachment.kind == "docx"
    assert "２０２６年" not in attachment.file.name


def test_unread_counts_for_both_sides(customer_client, editor_client, make_order):
    order = make_order()
    customer_client.post(f"/orders/{order.number}/do/message/", {"body": "请问何时报价？"})
    assert '<td>1</td>' in editor_client.get("/desk/").content.decode()
    editor_client.get(f"/desk/orders/{order.number}/")
    assert '<td>1</td>' not in editor_client.get("/desk/").content.decode()


def test_export_and_erase_my_data(customer_client, customer, staff, make_order):
    from miaobi.orders.workflow import move_order

    order = make_order()
    post_message(order, actor=Actor(CUSTOMER, customer), body="材料", files=[SimpleUploadedFile("a.pdf", b"%PDF-1")])
    data = customer_client.get("/orders/export/").content
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        records = json.loads(z.read("orders.json"))
        assert records[0]["number"] == order.number and records[0]["messages"][0]["body"] == "材料"
        assert any(n.endswith("a.pdf") for n in z.namelist())
    response = customer_client.post(f"/orders/{order.number}/do/erase/", follow=True)
    assert "订单结束" in response.content.decode()
    move_order(order, State.CANCELLED, actor=staff)
    customer_client.post(f"/orders/{order.number}/do/erase/")
    order.refresh_from_db()
    assert order.topic == "（客户已删除）" and not order.messages.exists() and not order.attachments.exists()
    assert order.number and order.state == State.CANCELLED


def test_purge_removes_old_closed_files(make_order, customer, staff, settings):
    from miaobi.orders.workflow import move_order

    order = make_order()
    post_message(order, actor=Actor(CUSTOMER, customer), body="材料", files=[SimpleUploadedFile("a.pdf", b"%PDF-1")])
    path = Attachment.objects.get().file.path
    move_order(order, State.CANCELLED, actor=staff)
    assert purge_closed_attachments() == []
    Order.objects.filter(pk=order.pk).update(closed_at=timezone.now() - timezone.timedelta(days=181))
    assert purge_closed_attachments() == [(order.number, 1)]
    import os

    assert not os.path.exists(path)


def test_claim_a_visitor_order(client, customer_client, catalogue):
    client.post("/order/new/", brief())
    order = Order.objects.get()
    customer_client.get(f"/orders/{order.number}/?t={order.tracking_token}")
    customer_client.post(f"/orders/{order.number}/do/claim/")
    order.refresh_from_db()
    assert order.customer is not None
    assert order.number in customer_client.get("/orders/").content.decode()


def test_full_order_over_http(customer_client, editor_client, make_order):
    order = make_order()
    n = order.number
    editor_client.post(f"/desk/orders/{n}/do/quote/", {"price": "900", "deposit": "300",
                                                       "promised_at": "2030-01-01T10:00", "note": ""})
    customer_client.post(f"/orders/{n}/do/accept/")
    editor_client.post(f"/desk/orders/{n}/do/deposit/")
    editor_client.post(f"/desk/orders/{n}/do/start/")
    editor_client.post(f"/desk/orders/{n}/do/deliver/", {"file": upload(), "note": "初稿"})
    assert "第 1 稿" not in customer_client.get(f"/orders/{n}/").content.decode()  # not handed over yet
    editor_client.post(f"/desk/orders/{n}/do/release/")
    assert "第 1 稿" in customer_client.get(f"/orders/{n}/").content.decode()
    customer_client.post(f"/orders/{n}/do/revise/", {"note": "开头再简短些"})
    editor_client.post(f"/desk/orders/{n}/do/deliver/", {"file": upload(name="二稿.docx"), "note": "二稿"})
    editor_client.post(f"/desk/orders/{n}/do/release/")
    customer_client.post(f"/orders/{n}/do/complete/")
    order.refresh_from_db()
    assert order.state == State.COMPLETED and order.revisions_used == 1 and order.deliveries.count() == 2
    assert "已完成" in customer_client.get(f"/orders/{n}/").content.decode()


def test_refused_moves_show_a_message(customer_client, make_order):
    order = make_order()
    response = customer_client.post(f"/orders/{order.number}/do/accept/", follow=True)
    assert "不能变为" in response.content.decode()


def test_blocked_words_refuse_briefs_and_messages_without_altering_them(client, customer_client, make_order):
    from miaobi.moderation.models import Term
    from miaobi.moderation.services import lexicon_changed

    Term.objects.create(text="代办假证件", category="ads", action="block")
    lexicon_changed()
    html = client.post("/order/new/", brief(key_points="另外承接代办假证件业务")).content.decode()
    assert "代办假证件" in html and not Order.objects.exists()
    assert "另外承接代办假证件业务" in html  # what the customer typed is kept in the form
    order = make_order()
    response = customer_client.post(f"/orders/{order.number}/do/message/", {"body": "代办假证件了解一下"}, follow=True)
    assert "代办假证件" in response.content.decode() and not order.messages.exists()


def test_uploaded_delivery_stays_with_the_studio_until_released(customer_client, editor_client, make_order, staff):
    from miaobi.orders.workflow import move_order

    order = make_order()
    Order.objects.filter(pk=order.pk).update(state=State.WRITING)
    editor_client.post(f"/desk/orders/{order.number}/do/deliver/", {"file": upload(), "note": "初稿"})
    order.refresh_from_db()
    assert order.state == State.WRITING
    attachment = order.deliveries.get().attachment
    path = f"/orders/{order.number}/files/{attachment.pk}/"
    assert customer_client.get(path).status_code == 404
    assert editor_client.get(path).status_code == 200
    assert "交付给客户" in editor_client.get(f"/desk/orders/{order.number}/").content.decode()
    move_order(order, State.DELIVERED, actor=staff)
    assert customer_client.get(path).status_code == 200
