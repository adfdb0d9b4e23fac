"""What background jobs remember so that running one twice changes nothing the second time."""
from django.db import models
from django.utils import timezone


class SentEmail(models.Model):
    """One email per key (e.g. `order-event:42:customer`): claimed before it goes to the mail server,
    released if the server refuses it (the job retries), stamped `sent_at` once the server took it."""

    key = models.CharField("标识", max_length=200, unique=True)
    claimed_at = models.DateTimeField("开始发送", default=timezone.now)
    sent_at = models.DateTimeField("已发送", null=True, blank=True)

    class Meta:
        ordering = ["-claimed_at"]
        verbose_name = "已发送邮件"
        verbose_name_plural = "已发送邮件"

    def __str__(self) -> str:
        return self.key
