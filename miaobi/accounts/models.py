from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class MiaobiUserManager(UserManager):
    def get_by_identifier(self, identifier: str):
        """The user whose mobile number or email address is `identifier` (or their username)."""
        from .identity import normalise_identifier

        kind, value = normalise_identifier(identifier)
        if kind == "mobile":
            return self.get(mobile=value)
        if kind == "email":
            return self.get(email__iexact=value)
        return self.get(username=value)


class User(AbstractUser):
    """A reader account: registered with a mobile number or an email address.

    The mobile number is stored unverified (there is no SMS gateway); the email address is verified
    by a link. `paid_unlocks` is the balance of 次卡 unlocks, which never expire.
    """

    mobile = models.CharField("手机号", max_length=20, unique=True, null=True, blank=True)
    email_verified = models.BooleanField("邮箱已验证", default=False)
    paid_unlocks = models.PositiveIntegerField("次卡剩余篇数", default=0)

    objects = MiaobiUserManager()

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci", condition=~models.Q(email="")),
        ]

    @property
    def member_no(self) -> str:
        """The number printed on downloads and shown in /me/: M + six digits."""
        return f"M{self.pk:06d}"

    @property
    def display_name(self) -> str:
        if self.mobile:
            return f"{self.mobile[:3]}****{self.mobile[-4:]}" if len(self.mobile) >= 7 else self.mobile
        return self.email or self.username


class Plan(models.Model):
    """A membership plan: time-based (月卡/季卡/年卡) or a number of unlocks (次卡)."""

    class Kind(models.TextChoices):
        TIME = "time", "会员时长"
        COUNT = "count", "次卡"

    code = models.SlugField("代码", max_length=20, unique=True, help_text="如 month、quarter、year、pack10")
    name = models.CharField("名称", max_length=30)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    days = models.PositiveIntegerField("天数", default=0, help_text="会员时长类：每张增加的天数")
    unlocks = models.PositiveIntegerField("篇数", default=0, help_text="次卡类：每张增加的解锁篇数")
    price = models.DecimalField("参考价格（元）", max_digits=8, decimal_places=2, default=0)
    active = models.BooleanField("在售", default=True)

    class Meta:
        ordering = ["kind", "days", "unlocks"]
        verbose_name = "会员套餐"
        verbose_name_plural = "会员套餐"

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """One grant of member time. A user's membership runs until the latest `ends_at`."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("到期时间", db_index=True)
    source = models.CharField("来源", max_length=40, blank=True, help_text="卡密、后台赠送等")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-ends_at"]
        verbose_name = "会员记录"
        verbose_name_plural = "会员记录"


class Unlock(models.Model):
    """A full text a user may read forever. `kind` says what paid for it."""

    class Kind(models.TextChoices):
        FREE = "free", "免费额度"
        PAID = "paid", "次卡"
        MEMBER = "member", "会员"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unlocks")
    article = models.ForeignKey("library.Article", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "article"], name="unlock_once")]
        verbose_name = "解锁记录"
        verbose_name_plural = "解锁记录"


class Favourite(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favourites")
    article = models.ForeignKey("library.Article", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "article"], name="favourite_once")]


class ReadingEvent(models.Model):
    """Reading history; also counts full-text views against the daily cap."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="readings")
    article = models.ForeignKey("library.Article", on_delete=models.CASCADE, related_name="+")
    full_text = models.BooleanField(default=False)
    day = models.DateField(db_index=True)
    last_read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-last_read_at"]
        constraints = [models.UniqueConstraint(fields=["user", "article", "day"], name="reading_once_a_day")]


class Download(models.Model):
    """Every Word or text file handed out, with the mark printed in it (to trace a leaked file)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="downloads")
    article = models.ForeignKey("library.Article", on_delete=models.SET_NULL, null=True, related_name="+")
    article_title = models.CharField(max_length=200)
    fmt = models.CharField("格式", max_length=8)
    mark = models.CharField("下载标识", max_length=80, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "下载记录"
        verbose_name_plural = "下载记录"


class CodeBatch(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, verbose_name="套餐")
    count = models.PositiveIntegerField("数量")
    valid_until = models.DateTimeField("有效期至")
    note = models.CharField("备注", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    voided_at = models.DateTimeField("作废时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "卡密批次"
        verbose_name_plural = "卡密批次"

    def __str__(self) -> str:
        return f"{self.plan.name} × {self.count}（{timezone.localtime(self.created_at):%Y-%m-%d}）"


class RedemptionCode(models.Model):
    """A 卡密, stored as the SHA-256 of its normalised form; the code itself is shown once."""

    batch = models.ForeignKey(CodeBatch, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField("末四位", max_length=4)
    redeemed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="兑换人")
    redeemed_at = models.DateTimeField("兑换时间", null=True, blank=True)

    class Meta:
        verbose_name = "卡密"
        verbose_name_plural = "卡密"


class RedemptionAttempt(models.Model):
    """Every try at /redeem/, kept to limit wrong tries and to audit redemptions."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    ip = models.GenericIPAddressField(null=True)
    code = models.ForeignKey(RedemptionCode, null=True, on_delete=models.SET_NULL, related_name="attempts")
    outcome = models.CharField(max_length=20)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)


class LoginFailure(models.Model):
    """Failed logins per account or per IP (`key`), to slow and then lock guessing."""

    key = models.CharField(max_length=120, unique=True)
    count = models.PositiveIntegerField(default=0)
    last_at = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)
