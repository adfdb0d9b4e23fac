"""Email on every state change and new message, to the other side, unless they opted out.

The emails are sent by jobs (orders/tasks.py) queued when the change commits; the job takes the event's
or message's id and builds the email when it runs. Each email has a key (`order-event:<id>:customer`),
so a retried job sends only what the mail server refused before, and nobody is mailed twice.
"""
from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse

from miaobi.jobs.outbox import send_once

from .models import Message, NotificationSetting, Order, OrderEvent, State


def _wants_email(user) -> bool:
    if user is None:
        return True
    setting = NotificationSetting.objects.filter(user=user).first()
    return setting is None or setting.email_enabled


def _customer_address(order: Order) -> str | None:
    if order.customer and not _wants_email(order.customer):
        return None
    if order.customer and order.customer.email:
        return order.customer.email
    return order.contact_email or None


def _studio_addresses(order: Order) -> list[str]:
    addresses = list(settings.MIAOBI_STUDIO_EMAILS)
    if order.writer and order.writer.email and _wants_email(order.writer):
        addresses.append(order.writer.email)
    return sorted(set(addresses))


def _send(key: str, subject: str, body: str, to: list[str]) -> None:
    """Send once per key; an SMTP error propagates so the job retries (the change itself is committed)."""
    if to:
        send_once(key, EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, to))


def customer_link(order: Order) -> str:
    return f"{settings.MIAOBI_SITE_URL}{reverse('orders:detail', args=[order.number])}?t={order.tracking_token}"


def send_state_change_emails(event_id: int) -> None:
    """Tell the other side of an order's state change (the event's actor is not told)."""
    event = OrderEvent.objects.select_related("order__customer", "order__writer").filter(pk=event_id).first()
    if event is None:
        return  # the order was erased meanwhile
    order = event.order
    state = State(event.to_state).label
    text = f"订单 {order.number}（{order.topic}）状态更新为：{state}。"
    if event.note:
        text += f"\n说明：{event.note}"
    if event.actor_role != "customer":
        _send(f"order-event:{event.pk}:customer", f"【订单{state}】{order.number}",
              f"{text}\n\n查看订单：{customer_link(order)}\n", [a for a in [_customer_address(order)] if a])
    if event.actor_role != "staff":
        _send(f"order-event:{event.pk}:studio", f"【订单{state}】{order.number}",
              f"{text}\n\n工作台：{settings.MIAOBI_SITE_URL}{reverse('orders:desk_detail', args=[order.number])}\n",
              _studio_addresses(order))


def send_message_emails(message_id: int) -> None:
    """Tell the other side of a new message in an order's thread."""
    message = Message.objects.select_related("order__customer", "order__writer").filter(pk=message_id).first()
    if message is None:
        return
    order = message.order
    preview = message.body[:200]
    if message.author_role == "customer":
        _send(f"order-message:{message.pk}:studio", f"【新留言】{order.number}",
              f"客户留言：\n{preview}\n\n工作台：{settings.MIAOBI_SITE_URL}"
              f"{reverse('orders:desk_detail', args=[order.number])}\n", _studio_addresses(order))
    else:
        to = _customer_address(order)
        _send(f"order-message:{message.pk}:customer", f"【新留言】{order.number}",
              f"工作室留言：\n{preview}\n\n查看订单：{customer_link(order)}\n", [to] if to else [])
