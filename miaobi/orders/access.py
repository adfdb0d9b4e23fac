"""Who is looking at an order: its customer, the studio, or nobody (a 404, never a hint)."""
from __future__ import annotations

import hmac

from django.contrib.auth.models import Group

from .models import Order
from .workflow import CUSTOMER, STAFF, Actor

WRITERS_GROUP = "写手"


def is_writer_only(user) -> bool:
    """Writers see only the orders assigned to them; editors and the owner see all."""
    return (user.is_staff and not user.is_superuser
            and user.groups.filter(name=WRITERS_GROUP).exists())


def writers():
    group = Group.objects.filter(name=WRITERS_GROUP).first()
    return group.user_set.filter(is_active=True) if group else []


def staff_actor(user, order: Order) -> Actor | None:
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return None
    if is_writer_only(user) and order.writer_id != user.pk:
        return None
    return Actor(STAFF, user)


def customer_actor(request, order: Order) -> Actor | None:
    """The order's customer: its logged-in owner, or whoever holds its tracking token."""
    user = request.user
    if user.is_authenticated and order.customer_id and order.customer_id == user.pk:
        return Actor(CUSTOMER, user)
    token = request.GET.get("t") or request.POST.get("t") or request.session.get(f"order-token-{order.number}", "")
    if token and hmac.compare_digest(token.encode(), order.tracking_token.encode()):
        request.session[f"order-token-{order.number}"] = token  # later pages need not carry it
        return Actor(CUSTOMER, user if user.is_authenticated else None)
    return None
