"""Send an email at most once per key, so a retried or duplicated job never mails anyone twice."""
from __future__ import annotations

import logging

from django.core.mail import EmailMessage
from django.utils import timezone

from .models import SentEmail

log = logging.getLogger(__name__)

# Options of every email job: emails go before imports and index rebuilds (priority), and an SMTP error
# is retried three times, a minute apart.
EMAIL_JOB = {"retries": 3, "retry_delay": 60, "priority": 10}


def send_once(key: str, message: EmailMessage) -> bool:
    """Send `message` unless an email with `key` was sent (or is being sent) already; True if sent now.

    The key is claimed (a unique row) before the message goes to the server and released when the
    server refuses it, so the job's retry sends it; a second job with the same key sends nothing.
    Trade-off: a worker killed between the claim and the server's answer loses that one email rather
    than risking a duplicate (the row stays without `sent_at`, visible in the admin).
    """
    claim, created = SentEmail.objects.get_or_create(key=key)
    if not created:
        log.info("email %s already sent, skipped", key)
        return False
    try:
        message.send()
    except Exception:
        claim.delete()
        raise
    SentEmail.objects.filter(pk=claim.pk).update(sent_at=timezone.now())
    return True
