"""Reads for the desk: the queue and the studio's figures."""
from __future__ import annotations

from collections import Counter
from decimal import Decimal

from django.db.models import Avg, Count, Q
from django.utils import timezone

from .access import is_writer_only
from .models import CLOSED_STATES, Order, OrderEvent, State


def desk_queue(user, *, state: str = "", writer: str = "", show_closed: bool = False):
    """Orders the staff member may see, soonest deadline first."""
    orders = Order.objects.select_related("writer", "genre", "customer").annotate(
        customer_messages=Count("messages", filter=Q(messages__author_role="customer")))
    if is_writer_only(user):
        orders = orders.filter(writer=user)
    if state in State.values:
        orders = orders.filter(state=state)
    elif not show_closed:
        orders = orders.exclude(state__in=CLOSED_STATES)
    if writer == "none":
        orders = orders.filter(writer__isnull=True)
    elif writer.isdigit():
        orders = orders.filter(writer_id=int(writer))
    return orders.order_by("deadline", "id")


def studio_figures(now=None) -> dict:
    """Orders by state, confirmed revenue per month, deposit-to-first-delivery time, on-time share, revisions."""
    now = now or timezone.now()
    by_state = Counter(dict(Order.objects.values_list("state").annotate(n=Count("id")).values_list("state", "n")))
    revenue: dict[str, Decimal] = {}
    for paid_at, deposit in Order.objects.filter(deposit_paid_at__isnull=False).values_list("deposit_paid_at", "deposit"):
        key = timezone.localtime(paid_at).strftime("%Y-%m")
        revenue[key] = revenue.get(key, Decimal(0)) + (deposit or 0)
    for paid_at, price, deposit in Order.objects.filter(balance_paid_at__isnull=False).values_list(
            "balance_paid_at", "price", "deposit"):
        key = timezone.localtime(paid_at).strftime("%Y-%m")
        revenue[key] = revenue.get(key, Decimal(0)) + (price or 0) - (deposit or 0)
    delivered = Order.objects.filter(first_delivered_at__isnull=False, deposit_paid_at__isnull=False)
    durations = [(o.first_delivered_at - o.deposit_paid_at).total_seconds() / 3600
                 for o in delivered.only("first_delivered_at", "deposit_paid_at")]
    on_time = [o.first_delivered_at <= o.deadline for o in delivered.only("first_delivered_at", "deadline")]
    finished = Order.objects.filter(state=State.COMPLETED)
    return {
        "by_state": [(State(s).label, by_state.get(s, 0)) for s in State.values],
        "revenue": sorted(revenue.items(), reverse=True)[:12],
        "avg_hours_to_first_delivery": round(sum(durations) / len(durations), 1) if durations else None,
        "on_time_share": round(100 * sum(on_time) / len(on_time)) if on_time else None,
        "revisions_per_order": round(finished.aggregate(a=Avg("revisions_used"))["a"] or 0, 2),
        "events_today": OrderEvent.objects.filter(created_at__date=timezone.localdate(now)).count(),
    }
