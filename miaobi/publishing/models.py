"""Personal API tokens and privacy-friendly daily counters for the stats dashboard."""
from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    """A personal API token: only its SHA-256 digest is stored; the token is shown once, at creation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("名称", max_length=60)
    prefix = models.CharField("前缀", max_length=12)  # the first characters, to tell tokens apart
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class DailySalt(models.Model):
    """The salt of one day's visitor hashes; deleted after the day, so old hashes cannot be linked to IPs."""

    day = models.DateField(primary_key=True)
    salt = models.CharField(max_length=64)


class DailyVisitor(models.Model):
    """One unique visitor on one day: a salted hash of IP and user agent, never the IP itself."""

    day = models.DateField()
    digest = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "digest"], name="visitor_once_a_day")]


class DailyCount(models.Model):
    """A counter per day: kind "view" (key: article id), "referrer" (key: host), "genre" and "tag" (key: id)."""

    day = models.DateField(db_index=True)
    kind = models.CharField(max_length=12)
    key = models.CharField(max_length=100)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "kind", "key"], name="daily_count_unique")]
        indexes = [models.Index(fields=["kind", "day"])]
