"""Writes on orders other than state moves (workflow.py): briefs, messages, files, deliveries, privacy."""
from __future__ import annotations

import io
import json
import logging
import zipfile
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from miaobi.moderation.services import screen_text
from miaobi.scale.storage import StorageFull

from .models import CLOSED_STATES, Attachment, Delivery, Message, Order, OrderEvent, State
from .tasks import send_message_emails
from .uploads import UploadRefused, check_upload
from .workflow import STAFF, Actor, TransitionRefused

log = logging.getLogger(__name__)


class BriefRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _screen(*texts: str) -> None:
    """Refuse input that holds a `block` term of the lexicon; the text itself is never altered."""
    screening = screen_text("\n".join(t for t in texts if t))
    if screening.blocked:
        raise BriefRefused(screening.block_message)


def next_order_number(now: datetime) -> str:
    day = timezone.localtime(now).strftime("%Y%m%d")
    prefix = f"MB{day}-"
    last = Order.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True).first()
    sequence = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{sequence:04d}"


def create_order(*, customer=None, references=(), now: datetime | None = None, **brief) -> Order:
    """Create an order from a validated brief; numbers read MB + date + daily sequence (MB20261125-0007)."""
    now = now or timezone.now()
    _screen(brief.get("topic", ""), brief.get("occasion", ""), brief.get("audience", ""),
            brief.get("speaker_role", ""), brief.get("key_points", ""))
    for _attempt in range(5):
        try:
            with transaction.atomic():
                order = Order.objects.create(number=next_order_number(now), customer=customer, created_at=now, **brief)
                order.references.set(references)
                OrderEvent.objects.create(order=order, actor=customer, actor_role="customer", from_state="",
                                          to_state=State.SUBMITTED, note="提交需求", created_at=now)
                return order
        except IntegrityError:
            continue  # another order took the number a moment ago
    raise RuntimeError("could not allocate an order number after 5 tries")


def _store_files(order: Order, message: Message | None, files, *, only=None) -> list[Attachment]:
    if len(files) > settings.MIAOBI_ATTACHMENTS_PER_MESSAGE:
        raise UploadRefused(f"每条留言最多附 {settings.MIAOBI_ATTACHMENTS_PER_MESSAGE} 个文件。")
    kinds = [check_upload(f, only=only) for f in files]  # all checked before any is stored
    stored = []
    try:
        for upload, kind in zip(files, kinds):
            stored.append(Attachment.objects.create(order=order, message=message, file=upload,
                                                    original_name=(upload.name or "文件")[:255], size=upload.size,
                                                    kind=kind))
    except StorageFull:
        # The caller's transaction drops the rows; the files already written must go too.
        for attachment in stored:
            attachment.file.storage.delete(attachment.file.name)
        raise UploadRefused("服务器存储空间已满，文件未能保存（留言也未发送）。请稍后重试，或联系客服。") from None
    return stored


def post_message(order: Order, *, actor: Actor, body: str, files=()) -> Message:
    """Add a message (and up to 5 checked attachments) to the order's thread and tell the other side."""
    body = body or ""
    if not body.strip() and not files:
        raise BriefRefused("留言内容不能为空。")
    if len(body) > 5000:
        raise BriefRefused("留言太长了，请控制在 5000 字以内，或作为附件发送。")
    if actor.role != STAFF:
        _screen(body)
    with transaction.atomic():
        message = Message.objects.create(order=order, author=actor.user, author_role=actor.role, body=body)
        _store_files(order, message, list(files))
        read_field = "staff_read_at" if actor.role == STAFF else "customer_read_at"
        Order.objects.filter(pk=order.pk).update(**{read_field: message.created_at})
        transaction.on_commit(lambda: send_message_emails(message.pk))  # a job (inline: sent now)
    return message


def add_delivery(order: Order, *, actor: Actor, upload, note: str = "") -> Delivery:
    """Store a new version of the text (.docx only) for the order, with its originality report (查重,
    in `Delivery.originality`, shown to staff on the desk); the state move is separate."""
    from miaobi.importer.deliveries import check_delivery

    if actor.role != STAFF:
        raise TransitionRefused("您没有权限进行这个操作。")
    if order.state not in (State.WRITING, State.REVISION_REQUESTED):
        raise TransitionRefused("只有“撰写中”或“修改中”的订单可以上传交付稿。")
    with transaction.atomic():
        attachment = _store_files(order, None, [upload], only={"docx"})[0]
        version = (order.deliveries.count() or 0) + 1
        delivery = Delivery.objects.create(order=order, version=version, attachment=attachment, note=note,
                                           created_by=actor.user)
    check_delivery(delivery)  # never raises: a failed check is stored as {"error": ...}
    return delivery


def mark_read(order: Order, role: str) -> None:
    field = "staff_read_at" if role == STAFF else "customer_read_at"
    Order.objects.filter(pk=order.pk).update(**{field: timezone.now()})


def unread_count(order: Order, role: str) -> int:
    """Messages from the other side since this side last read the thread."""
    last = order.staff_read_at if role == STAFF else order.customer_read_at
    others = order.messages.exclude(author_role=STAFF if role == STAFF else "customer")
    return others.filter(created_at__gt=last).count() if last else others.count()


def claim_order(order: Order, user) -> None:
    """A visitor who ordered, now logged in, attaches the order to their account."""
    if order.customer_id and order.customer_id != user.pk:
        raise TransitionRefused("这个订单已关联到其他账户。")
    Order.objects.filter(pk=order.pk).update(customer=user)


def export_customer_data(user) -> bytes:
    """A zip of every order of `user`: orders.json plus their attachments and deliveries (PIPL access)."""
    out = io.BytesIO()
    records = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for order in Order.objects.filter(customer=user).prefetch_related("messages", "attachments", "events"):
            files = []
            for attachment in order.attachments.all():
                name = f"{order.number}/{attachment.pk}-{attachment.original_name.replace('/', '_')}"
                try:
                    with attachment.file.open("rb") as fh:
                        archive.writestr(name, fh.read())
                    files.append(name)
                except FileNotFoundError:
                    files.append(f"{name} (已按保存期限删除)")
            records.append({
                "number": order.number, "state": order.state, "topic": order.topic, "occasion": order.occasion,
                "audience": order.audience, "speaker_role": order.speaker_role, "length_chars": order.length_chars,
                "deadline": order.deadline.isoformat(), "key_points": order.key_points,
                "contact": {"mobile": order.contact_mobile, "wechat": order.contact_wechat, "email": order.contact_email},
                "price": str(order.price) if order.price is not None else None,
                "deposit": str(order.deposit) if order.deposit is not None else None,
                "created_at": order.created_at.isoformat(),
                "events": [{"at": e.created_at.isoformat(), "from": e.from_state, "to": e.to_state, "note": e.note}
                           for e in order.events.all()],
                "messages": [{"at": m.created_at.isoformat(), "from": m.author_role, "body": m.body}
                             for m in order.messages.all()],
                "files": files,
            })
        archive.writestr("orders.json", json.dumps(records, ensure_ascii=False, indent=2))
    return out.getvalue()


def _delete_files(order: Order) -> int:
    removed = 0
    for attachment in order.attachments.all():
        if attachment.file and attachment.file.storage.exists(attachment.file.name):
            attachment.file.storage.delete(attachment.file.name)
            removed += 1
    return removed


@transaction.atomic
def erase_customer_data(order: Order, user) -> None:
    """Delete a closed order's personal data at the customer's request.

    The brief, contact details, messages and files go; the number, state, amounts and log stay, because
    the studio must keep its accounts.
    """
    if order.customer_id != user.pk:
        raise TransitionRefused("您没有权限进行这个操作。")
    if order.state not in CLOSED_STATES:
        raise TransitionRefused("订单结束（已完成、已取消或已退款）后才能删除资料。")
    _delete_files(order)
    order.attachments.all().delete()
    order.messages.all().delete()
    Order.objects.filter(pk=order.pk).update(
        topic="（客户已删除）", occasion="", audience="", speaker_role="", key_points="", contact_mobile="",
        contact_wechat="", contact_email="", anonymised_at=timezone.now())
    log.info("order %s: customer data erased at the customer's request", order.number)


def purge_closed_attachments(now: datetime | None = None) -> list[tuple[str, int]]:
    """Delete files of orders closed more than MIAOBI_ORDER_RETENTION_DAYS ago; returns (number, files)."""
    now = now or timezone.now()
    cutoff = now - timezone.timedelta(days=settings.MIAOBI_ORDER_RETENTION_DAYS)
    report = []
    for order in Order.objects.filter(state__in=CLOSED_STATES, closed_at__lte=cutoff, attachments__isnull=False).distinct():
        removed = _delete_files(order)
        order.attachments.all().delete()
        report.append((order.number, removed))
    return report
