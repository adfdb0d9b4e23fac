"""Desk pages: import (staff only), originality check, near-duplicate comparison; delivery reports."""
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from miaobi.importer.models import NearDuplicate
from miaobi.library.models import Article

from .helpers import SPEECH_BODY, SPEECH_TITLE, make_docx
from .texts import LIB_ONLINE, LIB_RIVER, LIB_SCHOOL, planted_text

pytestmark = pytest.mark.django_db


def files(*pairs):
    return [SimpleUploadedFile(name, data) for name, data in pairs]


def test_import_page_is_staff_only(client, reader_client_factory, catalogue):
    for visitor in (client, reader_client_factory()):
        response = visitor.get("/desk/import/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
        response = visitor.post("/desk/import/", {"files": files(("a.txt", "关于测试的说明\n正文".encode()))})
        assert response.status_code == 302
    assert Article.objects.count() == 0


def test_import_page_form_upload(staff_client, catalogue):
    page = staff_client.get("/desk/import/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'multiple' in html and "miaobi/importer.js" in html and "<script>" not in html
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../evil.txt", "关于越界的文本\n正文")
    response = staff_client.post("/desk/import/", {
        "files": files(("讲话.txt", f"{SPEECH_TITLE}\n{SPEECH_BODY}".encode("gbk")), ("old.doc", b"\xd0\xcf\x11\xe0"),
                       ("batch.zip", archive.getvalue())),
        "genre": "", "publish": "",
    })
    assert response.status_code == 200
    html = response.content.decode()
    assert SPEECH_TITLE in html and "已导入" in html
    assert "不支持 .doc 格式，请另存为 .docx 后再导入" in html
    assert "压缩包内的文件路径不安全" in html
    article = Article.objects.get()
    assert article.body == SPEECH_BODY and article.status == Article.Status.DRAFT


def test_import_page_json_per_file(staff_client, catalogue):
    data = make_docx("2024年度个人述职报告", [("一、履职情况", "Heading 1"), ("全年牵头完成三项改革任务。", None)])
    response = staff_client.post("/desk/import/", {"files": files(("a.docx", data)), "genre": "shuzhi", "tags": ["组织建设"]},
                                 HTTP_ACCEPT="application/json")
    result = response.json()["results"][0]
    assert result["status"] == "imported" and result["label"] == "已导入"
    article = Article.objects.get(pk=result["article"])
    assert [t.name for t in article.tags.all()] == ["组织建设"] and article.genre.slug == "shuzhi"
    again = staff_client.post("/desk/import/", {"files": files(("copy.docx", data))}, HTTP_ACCEPT="application/json")
    assert again.json()["results"][0] == {**again.json()["results"][0], "status": "duplicate", "article": article.pk}


def test_originality_page(staff_client, client, make_article):
    for body in (LIB_RIVER, LIB_SCHOOL, LIB_ONLINE):
        make_article(body=body)
    assert client.get("/desk/originality/").status_code == 302
    response = staff_client.post("/desk/originality/", {"text": planted_text()})
    html = response.content.decode()
    assert response.status_code == 200 and "重复率" in html and "截污纳管工程" in html and "level-" in html
    upload = SimpleUploadedFile("x.doc", b"\xd0\xcf\x11\xe0")
    assert "不支持 .doc 格式" in staff_client.post("/desk/originality/", {"file": upload}).content.decode()
    assert "请粘贴文本或上传文件" in staff_client.post("/desk/originality/", {"text": " "}).content.decode()


def test_near_duplicate_side_by_side_and_keep_one(staff_client, make_article):
    old = make_article(title="原有的讲话", body=SPEECH_BODY)
    edited = SPEECH_BODY.replace("降雨偏少", "降水偏少")
    response = staff_client.post("/desk/import/", {"files": files(("new.txt", f"{SPEECH_TITLE}\n{edited}".encode()))},
                                 HTTP_ACCEPT="application/json")
    result = response.json()["results"][0]
    assert result["status"] == "near_duplicate" and result["similar_to"] == old.pk
    pair = NearDuplicate.objects.get()
    page = staff_client.get(f"/desk/import/duplicates/{pair.pk}/").content.decode()
    assert "<del>雨</del>" in page and "<ins>水</ins>" in page
    assert f"#{result['article']}" in staff_client.get("/desk/import/duplicates/").content.decode()
    staff_client.post(f"/desk/import/duplicates/{pair.pk}/resolve/", {"keep": "old"})
    assert not Article.objects.filter(pk=result["article"]).exists() and Article.objects.filter(pk=old.pk).exists()


# --- order deliveries ----------------------------------------------------------------------------------

@pytest.fixture
def writing_order(catalogue, staff_user):
    from miaobi.orders.models import State
    from miaobi.orders.services import create_order
    from miaobi.orders.workflow import STAFF, Actor, move_order

    order = create_order(customer=None, topic="关于社区阅读推广的情况汇报", occasion="", audience="", speaker_role="",
                         length_chars=1500, deadline=timezone.now() + timezone.timedelta(days=3), key_points="",
                         contact_mobile="13611112222")
    staff = Actor(STAFF, staff_user)
    move_order(order, State.QUOTED, actor=staff, price=800, deposit=400,
               promised_at=timezone.now() + timezone.timedelta(days=2))
    order.refresh_from_db()
    from miaobi.orders.workflow import CUSTOMER
    move_order(order, State.ACCEPTED, actor=Actor(CUSTOMER, None))
    for state in (State.DEPOSIT_PAID, State.WRITING):
        move_order(order, state, actor=staff)
    order.refresh_from_db()
    return order, staff


def test_delivery_gets_an_originality_report(writing_order, make_article, staff_client):
    from miaobi.orders.services import add_delivery

    for body in (LIB_RIVER, LIB_SCHOOL, LIB_ONLINE):
        make_article(body=body)
    order, staff = writing_order
    paragraphs = [(line, None) for line in planted_text().split("\n")]
    delivery = add_delivery(order, actor=staff, upload=SimpleUploadedFile("交付稿.docx", make_docx("关于社区阅读推广的情况汇报", paragraphs)))
    delivery.refresh_from_db()
    report = delivery.originality
    print(f"\ndelivery report: {report['percent']}% from {len(report['sources'])} sources")
    assert 20 <= report["percent"] <= 35 and len(report["sources"]) == 3
    html = staff_client.get(f"/desk/orders/{order.number}/").content.decode()
    assert "查重报告" in html and f"重复率 {report['percent']}%" in html and report["sources"][0]["title"] in html


def test_a_damaged_delivery_is_kept_with_an_error_report(writing_order):
    from miaobi.orders.services import add_delivery

    order, staff = writing_order
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    delivery = add_delivery(order, actor=staff, upload=SimpleUploadedFile("稿.docx", data.getvalue()))
    delivery.refresh_from_db()
    assert delivery.pk and "error" in delivery.originality
