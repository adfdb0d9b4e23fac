"""Every transition, allowed and refused, per role; the log; revisions; auto-completion."""
import pytest
from django.core import mail
from django.utils import timezone

from miaobi.orders.models import Order, OrderEvent, State
from miaobi.orders.services import add_delivery
from miaobi.orders.workflow import (
    CUSTOMER, STAFF, SYSTEM, TRANSITIONS, Actor, TransitionRefused, allowed_moves, autocomplete_delivered, move_order,
    record_balance_payment,
)

from .conftest import upload

pytestmark = pytest.mark.django_db


def quote(order, staff):
    return move_order(order, State.QUOTED, actor=staff, price=800, deposit=400,
                      promised_at=timezone.now() + timezone.timedelta(days=2))


def to_state(order, target, staff, customer_actor):
    """Walk an order along the happy path up to `target`."""
    path = [State.QUOTED, State.ACCEPTED, State.DEPOSIT_PAID, State.WRITING, State.DELIVERED]
    for step in path:
        if order.state == target:
            return order
        if step == State.QUOTED:
            order = quote(order, staff)
        elif step == State.ACCEPTED:
            order = move_order(order, step, actor=customer_actor)
        elif step == State.DELIVERED:
            add_delivery(order, actor=staff, upload=upload())
            order = move_order(order, step, actor=staff)
        else:
            order = move_order(order, step, actor=staff)
    return order


def test_order_numbers_read_mb_date_sequence(make_order):
    first, second = make_order(), make_order()
    day = timezone.localtime(first.created_at).strftime("%Y%m%d")
    assert first.number == f"MB{day}-0001" and second.number == f"MB{day}-0002"


def test_happy_path_logs_every_move(make_order, staff, customer):
    order = make_order()
    me = Actor(CUSTOMER, customer)
    order = to_state(order, State.DELIVERED, staff, me)
    order = move_order(order, State.COMPLETED, actor=me)
    assert order.state == State.COMPLETED and order.closed_at
    moves = list(OrderEvent.objects.filter(order=order).values_list("from_state", "to_state"))
    assert moves == [("", "submitted"), ("submitted", "quoted"), ("quoted", "accepted"), ("accepted", "deposit_paid"),
                     ("deposit_paid", "writing"), ("writing", "delivered"), ("delivered", "completed")]
    assert order.deposit_paid_at and order.first_delivered_at


@pytest.mark.parametrize("source, target", sorted(TRANSITIONS))
def test_each_transition_checks_the_role(make_order, staff, customer, source, target):
    order = make_order()
    Order.objects.filter(pk=order.pk).update(state=source, price=800, deposit=400, deposit_paid_at=timezone.now(),
                                             promised_at=timezone.now())
    order.refresh_from_db()
    roles, _ = TRANSITIONS[(source, target)]
    if target == State.DELIVERED:
        add_delivery(order, actor=staff, upload=upload()) if source in (State.WRITING, State.REVISION_REQUESTED) else None
    actors = {CUSTOMER: Actor(CUSTOMER, customer), STAFF: staff, SYSTEM: Actor(SYSTEM)}
    for role, actor in actors.items():
        Order.objects.filter(pk=order.pk).update(state=source)
        order.refresh_from_db()
        note = "请把第二部分写得更具体" if target == State.REVISION_REQUESTED else ""
        if role in roles:
            assert move_order(order, target, actor=actor, note=note).state == target
        else:
            with pytest.raises(TransitionRefused, match="没有权限"):
                move_order(order, target, actor=actor, note=note)


@pytest.mark.parametrize("source", [s for s in State.values])
def test_moves_outside_the_table_are_refused_and_change_nothing(make_order, staff, source):
    order = make_order()
    Order.objects.filter(pk=order.pk).update(state=source)
    order.refresh_from_db()
    events = OrderEvent.objects.count()
    for target in State.values:
        if (source, target) in TRANSITIONS:
            continue
        with pytest.raises(TransitionRefused, match="不能变为"):
            move_order(order, target, actor=staff)
    order.refresh_from_db()
    assert order.state == source and OrderEvent.objects.count() == events


def test_quote_needs_price_deposit_and_time(make_order, staff):
    order = make_order()
    with pytest.raises(TransitionRefused, match="大于 0"):
        move_order(order, State.QUOTED, actor=staff, price=0, deposit=0, promised_at=timezone.now())
    with pytest.raises(TransitionRefused, match="定金"):
        move_order(order, State.QUOTED, actor=staff, price=100, deposit=200, promised_at=timezone.now())
    with pytest.raises(TransitionRefused, match="承诺交付时间"):
        move_order(order, State.QUOTED, actor=staff, price=100, deposit=50)
    order.refresh_from_db()
    assert order.state == State.SUBMITTED and order.price is None


def test_delivery_needs_a_file_and_revisions_are_limited(make_order, staff, customer, settings):
    settings.MIAOBI_ORDER_REVISIONS = 1
    me = Actor(CUSTOMER, customer)
    order = to_state(make_order(), State.WRITING, staff, me)
    with pytest.raises(TransitionRefused, match="请先上传新的交付稿"):
        move_order(order, State.DELIVERED, actor=staff)
    add_delivery(order, actor=staff, upload=upload())
    order = move_order(order, State.DELIVERED, actor=staff)
    with pytest.raises(TransitionRefused, match="写明需要修改"):
        move_order(order, State.REVISION_REQUESTED, actor=me, note=" ")
    order = move_order(order, State.REVISION_REQUESTED, actor=me, note="第三部分再加两个例子")
    assert order.revisions_used == 1
    add_delivery(order, actor=staff, upload=upload(name="第二稿.docx"))
    order = move_order(order, State.DELIVERED, actor=staff)
    assert (State.REVISION_REQUESTED, "申请修改") not in allowed_moves(order, CUSTOMER)
    with pytest.raises(TransitionRefused, match="免费修改已用完"):
        move_order(order, State.REVISION_REQUESTED, actor=me, note="再改一次")
    assert order.deliveries.count() == 2


def test_refund_only_after_a_deposit(make_order, staff, customer):
    order = make_order()
    order = move_order(order, State.CANCELLED, actor=Actor(CUSTOMER, customer))
    with pytest.raises(TransitionRefused, match="无需退款"):
        move_order(order, State.REFUNDED, actor=staff)


def test_balance_payment_is_logged(make_order, staff, customer):
    order = to_state(make_order(), State.DELIVERED, staff, Actor(CUSTOMER, customer))
    order = record_balance_payment(order, actor=staff)
    assert order.balance_paid_at
    assert OrderEvent.objects.filter(order=order, note__contains="尾款").exists()
    with pytest.raises(TransitionRefused):
        record_balance_payment(order, actor=staff)


def test_autocomplete_after_three_silent_days(make_order, staff, customer):
    quiet = to_state(make_order(), State.DELIVERED, staff, Actor(CUSTOMER, customer))
    fresh = to_state(make_order(), State.DELIVERED, staff, Actor(CUSTOMER, customer))
    Order.objects.filter(pk=quiet.pk).update(delivered_at=timezone.now() - timezone.timedelta(days=4))
    assert autocomplete_delivered() == [quiet.number]
    quiet.refresh_from_db()
    fresh.refresh_from_db()
    assert quiet.state == State.COMPLETED and fresh.state == State.DELIVERED
    assert OrderEvent.objects.get(order=quiet, to_state="completed").actor_role == SYSTEM


def test_state_changes_send_email_to_the_other_side(make_order, staff, customer, django_capture_on_commit_callbacks):
    order = make_order()
    with django_capture_on_commit_callbacks(execute=True):
        quote(order, staff)
    assert [m.to for m in mail.outbox] == [["kehu@example.cn"]]
    assert "已报价" in mail.outbox[0].subject and "?t=" in mail.outbox[0].body
