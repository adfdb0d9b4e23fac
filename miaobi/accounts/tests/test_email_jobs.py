"""Account emails are jobs taking the user's id: built (token included) when the job runs, sent once."""
import re

import pytest
from django.core import mail

from miaobi.accounts.tasks import verification_email
from miaobi.jobs.testing import queued_jobs

pytestmark = pytest.mark.django_db


def test_a_queued_password_reset_makes_its_token_when_it_runs(client, member):
    with queued_jobs() as jobs:
        client.post("/accounts/reset/", {"email": "member@example.cn"})
        assert mail.outbox == [] and jobs.names() == ["password_reset_email"]
        (task,) = jobs.huey.pending()
        assert task.args[0] == member.pk and all(isinstance(a, (int, str)) for a in task.args)  # ids, no objects
        jobs.run()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["member@example.cn"]
    path = re.search(r"http://testserver(/accounts/reset/\S+/\S+/)", mail.outbox[0].body).group(1)
    assert client.get(path, follow=True).status_code == 200
    assert mail.outbox[0].subject == "testserver：重置密码"


def test_the_same_verification_request_is_mailed_once(member):
    member.email_verified = False
    member.save()
    verification_email(member.pk, "http://testserver", "request-1")
    verification_email(member.pk, "http://testserver", "request-1")  # a retried or duplicated job
    verification_email(member.pk, "http://testserver", "request-2")  # the reader asked again
    assert len(mail.outbox) == 2 and "/accounts/verify/" in mail.outbox[0].body


def test_no_verification_email_once_verified(member):
    member.email_verified = True
    member.save()
    verification_email(member.pk, "http://testserver", "request-3")
    assert mail.outbox == []
