"""The order state machine: one table of allowed moves, one function that makes a move.

`move_order` checks that the move is in the table and that the actor's role may make it, applies the
move's own rule (a quote needs a price, revisions are limited …), writes the log entry and queues the
notifications — all in one transaction, on a locked order row. A refused move changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Order, OrderEvent, State

CUSTOMER, STAFF, SYSTEM = "customer", "staff", "system"

# (from, to) -> roles that may make the move, and the button label.
TRANSITIONS: dict[tuple[str, str], tuple[frozenset[str], str]] = {
    (State.SUBMITTED, State.QUOTED): (frozenset({STAFF}), "报价"),
    (State.QUOTED, State.QUOTED): (frozenset({STAFF}), "修改报价"),
    (State.QUOTED, State.ACCEPTED): (frozenset({CUSTOMER}), "接受报价"),
    (State.ACCEPTED, State.DEPOSIT_PAID): (frozenset({STAFF}), "确认已收定金"),
    (State.DEPOSIT_PAID, State.WRITING): (frozenset({STAFF}), "开始撰写"),
    (State.WRITING, State.DELIVERED): (frozenset({STAFF}), "交付"),
    (State.DELIVERED, State.REVISION_REQUESTED): (frozenset({CUSTOMER}), "申请修改"),
    (State.REVISION_REQUESTED, State.DELIVERED): (frozenset({STAFF}), "交付修改稿"),
    (State.DELIVERED, State.COMPLETED): (frozenset({CUSTOMER, SYSTEM}), "确认验收"),
    (State.SUBMITTED, State.CANCELLED): (frozenset({CUSTOMER, STAFF}), "取消订单"),
    (State.QUOTED, State.CANCELLED): (frozenset({CUSTOMER, STAFF}), "取消订单"),
    (State.ACCEPTED, State.CANCELLED): (frozenset({CUSTOMER, STAFF}), "取消订单"),
    (State.DEPOSIT_PAID, State.CANCELLED): (frozenset({STAFF}), "取消订单"),
    (State.WRITING, State.CANCELLED): (frozenset({STAFF}), "取消订单"),
    (State.CANCELLED, State.REFUNDED): (frozenset({STAFF}), "确认已退款"),
}


class TransitionRefused(Exception):
    """A refused move: `message` is Chinese, for the person who tried."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Actor:
    role: str  # customer | staff | system
    user: object | None = None

    @property
    def label(self) -> str:
        return {CUSTOMER: "客户", STAFF: "工作室", SYSTEM: "系统"}[self.role]


def allowed_moves(order: Order, role: str) -> list[tuple[str, str]]:
    """(to_state, label) of the moves `role` may make on `order` now (for buttons)."""
    moves = []
    for (source, target), (roles, label) in TRANSITIONS.items():
        if source == order.state and role in roles and source != target:
            if target == State.REVISION_REQUESTED and order.revisions_used >= settings.MIAOBI_ORDER_REVISIONS:
                continue
            if target == State.REFUNDED and order.deposit_paid_at is None:
                continue
            moves.append((target, label))
    return moves


def unreleased_deliveries(order: Order):
    """Versions uploaded by the studio but not yet handed to the customer (staff see their 查重 first)."""
    deliveries = order.deliveries.all()
    return deliveries.filter(created_at__gt=order.delivered_at) if order.delivered_at else deliveries


def released_deliveries(order: Order):
    """Versions the customer may see and download."""
    if not order.delivered_at:
        return order.deliveries.none()
    return order.deliveries.filter(created_at__lte=order.delivered_at)


def _check_rules(order: Order, target: str, changes: dict, note: str) -> None:
    if target == State.QUOTED:
        price = changes.get("price", order.price)
        deposit = changes.get("deposit", order.deposit)
        promised = changes.get("promised_at", order.promised_at)
        if price is None or Decimal(price) <= 0:
            raise TransitionRefused("报价需要填写大于 0 的金额。")
        if deposit is None or Decimal(deposit) < 0 or Decimal(deposit) > Decimal(price):
            raise TransitionRefused("定金不能为负数，也不能超过报价。")
        if promised is None:
            raise TransitionRefused("报价需要填写承诺交付时间。")
    if target == State.REVISION_REQUESTED:
        if order.revisions_used >= settings.MIAOBI_ORDER_REVISIONS:
            raise TransitionRefused(f"本订单的 {settings.MIAOBI_ORDER_REVISIONS} 次免费修改已用完，如需继续修改请留言与工作室协商。")
        if not note.strip():
            raise TransitionRefused("请写明需要修改的地方。")
    if target == State.DELIVERED and not unreleased_deliveries(order).exists():
        raise TransitionRefused("请先上传新的交付稿（.docx），查看查重报告后再交付给客户。")
    if target == State.REFUNDED and order.deposit_paid_at is None:
        raise TransitionRefused("这个订单没有收过定金，无需退款。")


def move_order(order: Order, target: str, *, actor: Actor, note: str = "", now: datetime | None = None,
               **changes) -> Order:
    """Move `order` to state `target` as `actor`; returns the updated order or raises TransitionRefused."""
    from .tasks import send_state_change_emails  # notifications import this module's types

    now = now or timezone.now()
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        rule = TRANSITIONS.get((locked.state, target))
        if rule is None:
            raise TransitionRefused(
                f"订单当前为“{State(locked.state).label}”，不能变为“{State(target).label}”。")
        roles, _label = rule
        if actor.role not in roles:
            raise TransitionRefused("您没有权限进行这个操作。")
        _check_rules(locked, target, changes, note)
        source = locked.state
        for field, value in changes.items():
            setattr(locked, field, value)
        locked.state = target
        if target == State.REVISION_REQUESTED:
            locked.revisions_used += 1
        if target == State.DELIVERED:
            locked.delivered_at = now
            locked.first_delivered_at = locked.first_delivered_at or now
        if target == State.DEPOSIT_PAID:
            locked.deposit_paid_at = now
        if target in (State.COMPLETED, State.CANCELLED, State.REFUNDED):
            locked.closed_at = now
        locked.save()
        event = OrderEvent.objects.create(order=locked, actor=actor.user, actor_role=actor.role, from_state=source,
                                          to_state=target, note=note, created_at=now)
        transaction.on_commit(lambda: send_state_change_emails(event.pk))  # a job (inline: sent now)
    return locked


def record_balance_payment(order: Order, *, actor: Actor, now: datetime | None = None) -> Order:
    """Staff confirm the balance (尾款) was paid offline; logged, no state change."""
    if actor.role != STAFF:
        raise TransitionRefused("您没有权限进行这个操作。")
    now = now or timezone.now()
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.deposit_paid_at is None or locked.state in (State.CANCELLED, State.REFUNDED):
            raise TransitionRefused("只有已付定金、未取消的订单才能确认尾款。")
        if locked.balance_paid_at:
            raise TransitionRefused("尾款已经确认过了。")
        locked.balance_paid_at = now
        locked.save(update_fields=["balance_paid_at"])
        OrderEvent.objects.create(order=locked, actor=actor.user, actor_role=actor.role, from_state=locked.state,
                                  to_state=locked.state, note=f"确认已收尾款 {locked.balance} 元", created_at=now)
    return locked


def autocomplete_delivered(now: datetime | None = None) -> list[str]:
    """Complete delivered orders nobody answered for MIAOBI_ORDER_AUTOCOMPLETE_DAYS; returns their numbers."""
    now = now or timezone.now()
    cutoff = now - timezone.timedelta(days=settings.MIAOBI_ORDER_AUTOCOMPLETE_DAYS)
    done = []
    for order in Order.objects.filter(state=State.DELIVERED, delivered_at__lte=cutoff):
        last_word = order.messages.filter(author_role=CUSTOMER, created_at__gt=order.delivered_at).exists()
        if last_word:
            continue  # the customer answered; staff should respond, not the clock
        try:
            move_order(order, State.COMPLETED, actor=Actor(SYSTEM), now=now,
                       note=f"交付后 {settings.MIAOBI_ORDER_AUTOCOMPLETE_DAYS} 天未反馈，系统自动验收")
        except TransitionRefused:
            continue  # moved by someone else meanwhile
        done.append(order.number)
    return done
