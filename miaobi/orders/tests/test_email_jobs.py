"""Order emails are jobs: taken by id, sent once per event, retried when the mail server fails."""
import smtplib
from datetime import datetime

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from miaobi.jobs.models import SentEmail
from miaobi.jobs.testing import queued_jobs
from miaobi.orders.models import OrderEvent
from miaobi.orders.services import post_message
from miaobi.orders.tasks import autocomplete_orders, send_state_change_emails
from miaobi.orders.workflow import CUSTOMER, Actor

from .test_workflow import quote

pytestmark = pytest.mark.django_db


def test_a_refused_email_is_retried_and_sent_once(make_order, staff, customer, django_capture_on_commit_callbacks,
                                                  monkeypatch):
    real, attempts = EmailBackend.send_messages, []

    def refuses_once(self, messages):
        attempts.append(1)
        if len(attempts) == 1:
            raise smtplib.SMTPServerDisconnected("connection unexpectedly closed")
        return real(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refuses_once)
    order = make_order()
    with queued_jobs() as jobs:
        with django_capture_on_commit_callbacks(execute=True):
            quote(order, staff)
        assert jobs.names() == ["send_state_change_emails"] and mail.outbox == []  # queued when the move committed
        assert jobs.run() == 2  # the first try fails, the retry sends
    assert len(attempts) == 2 and [m.to for m in mail.outbox] == [["kehu@example.cn"]]
    event = OrderEvent.objects.get(order=order, to_state="quoted")
    assert SentEmail.objects.get(key=f"order-event:{event.pk}:customer").sent_at


def test_the_same_email_job_twice_sends_nothing_the_second_time(make_order, staff, customer,
                                                               django_capture_on_commit_callbacks):
    order = make_order()
    with django_capture_on_commit_callbacks(execute=True):
        quote(order, staff)
    assert len(mail.outbox) == 1  # inline: sent at once
    event = OrderEvent.objects.get(order=order, to_state="quoted")
    send_state_change_emails(event.pk)
    send_state_change_emails.call_local(event.pk)
    assert len(mail.outbox) == 1 and SentEmail.objects.count() == 1


def test_a_message_email_is_a_job_too(make_order, customer, django_capture_on_commit_callbacks, settings):
    settings.MIAOBI_STUDIO_EMAILS = ["studio@example.cn"]
    order = make_order()
    with django_capture_on_commit_callbacks(execute=True):
        message = post_message(order, actor=Actor(CUSTOMER, customer), body="请把第二部分写得再具体一些。")
    assert [m.to for m in mail.outbox] == [["studio@example.cn"]] and "请把第二部分" in mail.outbox[0].body
    assert SentEmail.objects.filter(key=f"order-message:{message.pk}:studio").exists()


def test_an_email_of_an_erased_order_is_not_sent(make_order, staff, customer):
    send_state_change_emails(987654)  # no such event: nothing to send, nothing raised
    assert mail.outbox == []


def test_hourly_autocompletion_is_the_command_s_function(monkeypatch):
    called = []
    monkeypatch.setattr("miaobi.orders.workflow.autocomplete_delivered", lambda: called.append(1) or [])
    autocomplete_orders.call_local()
    assert called == [1]
    runs = autocomplete_orders.task_class().validate_datetime  # the periodic schedule: minute 7 of every hour
    assert runs(datetime(2026, 1, 1, 5, 7)) and runs(datetime(2026, 1, 1, 23, 7)) and not runs(datetime(2026, 1, 1, 5, 8))
