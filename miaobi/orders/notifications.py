"""Email on every state change and new message, to the other side, unless they opted out."""
from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from .models import Message, NotificationSetting, Order, OrderEvent, State

log = logging.getLogger(__name__)


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


def _send(subject: str, body: str, to: list[str]) -> None:
    if not to:
        return
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    except OSError as exc:  # a mail server outage must not undo the order change
        log.error("order email %r to %s failed: %s", subject, to, exc)


def customer_link(order: Order) -> str:
    return f"{settings.MIAOBI_SITE_URL}{reverse('orders:detail', args=[order.number])}?t={order.tracking_token}"


def notify_state_change(order: Order, event: OrderEvent) -> None:
    state = State(event.to_state).label
    text = f"订单 {order.number}（{order.topic}）状态更新为：{state}。"
    if event.note:
        text += f"\n说明：{event.note}"
    if event.actor_role != "customer":
        _send(f"【订单{state}】{order.number}", f"{text}\n\n查看订单：{customer_link(order)}\n", [a for a in [_customer_address(order)] if a])
    if event.actor_role != "staff":
        _send(f"【订单{state}】{order.number}", f"{text}\n\n工作台：{settings.MIAOBI_SITE_URL}{reverse('orders:desk_detail', args=[order.number])}\n",
              _studio_addresses(order))


def notify_message(order: Order, message: Message) -> None:
    preview = message.body[:200]
    if message.author_role == "customer":
        _send(f"【新留言】{order.number}", f"客户留言：\n{preview}\n\n工作台：{settings.MIAOBI_SITE_URL}"
              f"{reverse('orders:desk_detail', args=[order.number])}\n", _studio_addresses(order))
    else:
        to = _customer_address(order)
        _send(f"【新留言】{order.number}", f"工作室留言：\n{preview}\n\n查看订单：{customer_link(order)}\n", [to] if to else [])
