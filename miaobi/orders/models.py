import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


def new_tracking_token() -> str:
    return secrets.token_urlsafe(32)


class State(models.TextChoices):
    SUBMITTED = "submitted", "已提交"
    QUOTED = "quoted", "已报价"
    ACCEPTED = "accepted", "已接受报价"
    DEPOSIT_PAID = "deposit_paid", "已付定金"
    WRITING = "writing", "撰写中"
    DELIVERED = "delivered", "已交付"
    REVISION_REQUESTED = "revision_requested", "修改中"
    COMPLETED = "completed", "已完成"
    CANCELLED = "cancelled", "已取消"
    REFUNDED = "refunded", "已退款"


CLOSED_STATES = {State.COMPLETED, State.CANCELLED, State.REFUNDED}


class Order(models.Model):
    """A custom-writing order (定制代笔): the brief, the quote, payments, deliveries and its state."""

    number = models.CharField("订单号", max_length=20, unique=True)
    tracking_token = models.CharField(max_length=64, unique=True, default=new_tracking_token, editable=False)
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="orders", verbose_name="客户")
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.SUBMITTED, db_index=True)

    genre = models.ForeignKey("library.Genre", null=True, blank=True, on_delete=models.SET_NULL, verbose_name="文种")
    topic = models.CharField("标题或主题", max_length=200)
    occasion = models.CharField("场合", max_length=200, blank=True)
    audience = models.CharField("对象", max_length=200, blank=True)
    speaker_role = models.CharField("讲话人身份", max_length=100, blank=True)
    length_chars = models.PositiveIntegerField("字数要求", default=3000)
    deadline = models.DateTimeField("截止时间", db_index=True)
    key_points = models.TextField("要点与要求", blank=True)
    references = models.ManyToManyField("library.Article", blank=True, related_name="+", verbose_name="参考范文")
    contact_mobile = models.CharField("手机号", max_length=20, blank=True)
    contact_wechat = models.CharField("微信号", max_length=40, blank=True)
    contact_email = models.EmailField("邮箱", blank=True)

    writer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="assigned_orders", verbose_name="写手")
    price = models.DecimalField("报价（元）", max_digits=10, decimal_places=2, null=True, blank=True)
    deposit = models.DecimalField("定金（元）", max_digits=10, decimal_places=2, null=True, blank=True)
    promised_at = models.DateTimeField("承诺交付时间", null=True, blank=True)
    deposit_paid_at = models.DateTimeField("定金确认时间", null=True, blank=True)
    balance_paid_at = models.DateTimeField("尾款确认时间", null=True, blank=True)
    revisions_used = models.PositiveSmallIntegerField("已修改次数", default=0)
    first_delivered_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    customer_read_at = models.DateTimeField(null=True, blank=True)
    staff_read_at = models.DateTimeField(null=True, blank=True)
    anonymised_at = models.DateTimeField("客户删除资料时间", null=True, blank=True)
    created_at = models.DateTimeField("下单时间", default=timezone.now)

    class Meta:
        ordering = ["deadline"]
        verbose_name = "定制订单"
        verbose_name_plural = "定制订单"

    def __str__(self) -> str:
        return f"{self.number} {self.topic}"

    @property
    def balance(self):
        if self.price is None:
            return None
        return self.price - (self.deposit or 0)

    @property
    def is_closed(self) -> bool:
        return self.state in CLOSED_STATES

    @property
    def is_overdue(self) -> bool:
        return not self.is_closed and self.state != State.DELIVERED and self.deadline < timezone.now()

    @property
    def is_due_soon(self) -> bool:
        now = timezone.now()
        return not self.is_closed and self.state != State.DELIVERED and now <= self.deadline < now + timezone.timedelta(hours=24)


class OrderEvent(models.Model):
    """The transition log: who moved the order, when, from which state to which, and why."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_role = models.CharField(max_length=20)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


class Message(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    author_role = models.CharField(max_length=20)  # customer | staff | system
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


def attachment_path(instance, filename: str) -> str:
    # Random names: the original (possibly Chinese, possibly hostile) name is kept in the row only.
    return f"orders/{timezone.now():%Y%m}/{secrets.token_hex(16)}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    kind = models.CharField(max_length=10)  # sniffed: docx pdf png …
    created_at = models.DateTimeField(default=timezone.now)


class Delivery(models.Model):
    """A version of the written text (.docx) handed to the customer."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="deliveries")
    version = models.PositiveSmallIntegerField()
    attachment = models.OneToOneField(Attachment, on_delete=models.CASCADE, related_name="delivery")
    note = models.TextField("交付说明", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    originality = models.JSONField("查重报告", null=True, blank=True)

    class Meta:
        ordering = ["version"]
        constraints = [models.UniqueConstraint(fields=["order", "version"], name="delivery_version_once")]


class NotificationSetting(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="order_notifications")
    email_enabled = models.BooleanField("订单邮件提醒", default=True)
