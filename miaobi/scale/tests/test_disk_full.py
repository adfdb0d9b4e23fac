"""The upload folder full (a real 256 KB tmpfs): a clear Chinese error, no partial file, no half row,
and what the user typed is still there."""
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from miaobi.importer.models import ImportBatch
from miaobi.orders.models import Attachment, Message, Order
from miaobi.orders.services import create_order

SMALL_PDF = b"%PDF-1.4 small\n" + b"0" * 4_000
LARGE_PDF = b"%PDF-1.4 large\n" + b"1" * 120_000


@pytest.fixture
def full_disk(settings, tmp_path):
    """MEDIA_ROOT on a tmpfs of 256 KB with about 64 KB free."""
    mount = tmp_path / "uploads"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], capture_output=True)
    if result.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.decode().strip()}")
    try:
        (mount / "filler").write_bytes(b"\0" * (192 * 1024))
        settings.MEDIA_ROOT = str(mount)
        yield mount
    finally:
        subprocess.run(["umount", "--lazy", str(mount)], check=True)


def left_on_disk(mount: Path) -> list[str]:
    return sorted(str(p.relative_to(mount)) for p in mount.rglob("*") if p.is_file() and p.name != "filler")


@pytest.fixture
def customer_client(db, django_user_model):
    user = django_user_model.objects.create_user(username="13611113333", mobile="13611113333", password="Qingshan-2026")
    c = Client()
    c.force_login(user)
    c.user = user
    return c


def test_a_message_with_files_on_a_full_disk(customer_client, catalogue, full_disk):
    order = create_order(customer=customer_client.user, topic="在全镇防汛工作会议上的讲话", occasion="防汛会议",
                         audience="村干部", speaker_role="镇长", length_chars=3000, key_points="隐患排查",
                         deadline=timezone.now() + timezone.timedelta(days=3), contact_mobile="13611113333")
    text = "请参考附件中的领导简历和去年的讲话稿。"
    response = customer_client.post(f"/orders/{order.number}/do/message/", {
        "body": text,
        "attachments": [SimpleUploadedFile("简历.pdf", SMALL_PDF), SimpleUploadedFile("讲话稿.pdf", LARGE_PDF)],
    }, follow=True)
    html = response.content.decode()
    assert response.status_code == 200 and "存储空间已满" in html
    assert text in html, "the message box shows the text again"
    assert not Message.objects.filter(order=order).exists() and not Attachment.objects.exists()
    assert left_on_disk(full_disk) == [], "neither the first file nor a partial second one is kept"
    # Once there is room again the same message goes through.
    (full_disk / "filler").unlink()
    customer_client.post(f"/orders/{order.number}/do/message/", {
        "body": text, "attachments": [SimpleUploadedFile("讲话稿.pdf", LARGE_PDF)]})
    attachment = Attachment.objects.get()
    with attachment.file.open("rb") as stored:
        assert stored.read() == LARGE_PDF
    assert attachment.message.body == text


def test_a_new_order_with_files_on_a_full_disk(client, catalogue, full_disk):
    brief = {"genre": "", "topic": "在全镇秋冬季森林防火工作会议上的讲话", "occasion": "防火会议",
             "audience": "村干部", "speaker_role": "镇长", "length_chars": "3000",
             "deadline": (timezone.localtime() + timezone.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
             "key_points": "隐患排查", "contact_mobile": "13611112222", "contact_wechat": "", "contact_email": "",
             "consent": "on", "attachments": [SimpleUploadedFile("材料.pdf", LARGE_PDF)]}
    html = client.post("/order/new/", brief).content.decode()
    assert "存储空间已满" in html
    assert "秋冬季森林防火工作会议" in html, "the brief is shown again, filled in"
    assert not Order.objects.exists(), "no order without the files it was sent with"
    assert left_on_disk(full_disk) == []


def test_a_staff_import_on_a_full_disk(staff_client, catalogue, full_disk):
    text = ("关于做好秋冬季森林防火工作的通知\n各村：\n" + "进入秋冬季以来，气候干燥，火险等级持续偏高。" * 3000).encode()
    response = staff_client.post("/desk/import/", {
        "files": [SimpleUploadedFile("a.txt", "关于测试的说明\n正文".encode()), SimpleUploadedFile("b.txt", text)],
        "genre": "shuzhi", "publish": "on"})
    html = response.content.decode()
    assert "磁盘空间不足" in html
    assert not ImportBatch.objects.exists()
    assert left_on_disk(full_disk) == []
    assert 'value="shuzhi" selected' in html or "selected" in html  # the options chosen are kept
