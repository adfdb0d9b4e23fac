"""The lexicon (terms, whitelist) and the flags raised on stored objects for editors.

Moderation never edits text: a flag records where a term was found (offsets into the field as it was
screened, the matched words and a little context) and what an editor decided.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.exceptions import ValidationError
from django.contrib.contenttypes.models import ContentType
from django.db import models

from .matching import ACTION_LABELS, CATEGORY_LABELS
from .normalize import normalise_term


class Category(models.TextChoices):
    POLITICAL = "political", CATEGORY_LABELS["political"]
    VULGAR = "vulgar", CATEGORY_LABELS["vulgar"]
    ADS = "ads", CATEGORY_LABELS["ads"]
    ILLEGAL = "illegal", CATEGORY_LABELS["illegal"]
    OUTDATED = "outdated", CATEGORY_LABELS["outdated"]
    CUSTOM = "custom", CATEGORY_LABELS["custom"]


class Action(models.TextChoices):
    BLOCK = "block", ACTION_LABELS["block"]
    REVIEW = "review", ACTION_LABELS["review"]
    FLAG = "flag", ACTION_LABELS["flag"]


# The action a term gets when an import line names only its category.
DEFAULT_ACTIONS = {
    Category.POLITICAL: Action.REVIEW, Category.VULGAR: Action.REVIEW, Category.ADS: Action.REVIEW,
    Category.ILLEGAL: Action.BLOCK, Category.OUTDATED: Action.FLAG, Category.CUSTOM: Action.REVIEW,
}


def _check_normalized(instance, model, label: str) -> None:
    """Form validation: the matching form must not be empty nor taken by another entry."""
    normalized = normalise_term(instance.text or "")
    if not normalized:
        raise ValidationError({"text": "去掉空格和符号后什么也不剩，请输入文字。"})
    clash = model.objects.filter(normalized=normalized).exclude(pk=instance.pk).first()
    if clash:
        raise ValidationError({"text": f"与已有的{label}“{clash.text}”相同（忽略全半角、繁简、大小写和空格符号后）。"})


class Term(models.Model):
    """A lexicon term. `text` is kept as the editor wrote it; `normalized` is its matching form (unique)."""

    text = models.CharField("词语", max_length=100)
    normalized = models.CharField("匹配形式", max_length=100, unique=True, editable=False)
    category = models.CharField("类别", max_length=20, choices=Category.choices, default=Category.CUSTOM, db_index=True)
    action = models.CharField(
        "处理方式", max_length=10, choices=Action.choices, default=Action.REVIEW,
        help_text="拦截：拒绝提交；待审：发布前须编辑放行；提示：允许，列出供编辑参考。",
    )
    replacement = models.CharField("建议改为", max_length=100, blank=True, help_text="过时提法的现行说法等，仅作提示。")
    note = models.CharField("备注", max_length=200, blank=True)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["category", "normalized"]
        verbose_name = "敏感词"
        verbose_name_plural = "敏感词库"

    def __str__(self) -> str:
        return self.text

    def clean(self):
        _check_normalized(self, Term, "词语")

    def save(self, *args, **kwargs):
        self.normalized = normalise_term(self.text)
        super().save(*args, **kwargs)


class WhitelistEntry(models.Model):
    """A whitelist entry: a term hit lying wholly inside a whitelist hit is not raised."""

    text = models.CharField("词语", max_length=100)
    normalized = models.CharField("匹配形式", max_length=100, unique=True, editable=False)
    note = models.CharField("备注", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        ordering = ["normalized"]
        verbose_name = "白名单词语"
        verbose_name_plural = "白名单"

    def __str__(self) -> str:
        return self.text

    def clean(self):
        _check_normalized(self, WhitelistEntry, "白名单词语")

    def save(self, *args, **kwargs):
        self.normalized = normalise_term(self.text)
        super().save(*args, **kwargs)


class LexiconState(models.Model):
    """One row: a random token replaced on every lexicon change, so every process rebuilds its automaton."""

    revision = models.CharField(max_length=32)


class FlagQuerySet(models.QuerySet):
    def for_object(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)

    def blocking(self):
        """Flags that keep their object from being published: review/block hits not cleared by an editor."""
        return self.filter(
            is_current=True, action__in=[Action.REVIEW, Action.BLOCK],
            status__in=[Flag.Status.OPEN, Flag.Status.REJECTED],
        )


class Flag(models.Model):
    """A term found in a stored object's text field, for an editor to approve (放行) or reject (驳回)."""

    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        APPROVED = "approved", "已放行"
        REJECTED = "rejected", "已驳回"

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, verbose_name="对象类型")
    object_id = models.PositiveBigIntegerField("对象编号")
    target = GenericForeignKey("content_type", "object_id")
    field = models.CharField("字段", max_length=50)
    term = models.ForeignKey(Term, null=True, blank=True, on_delete=models.SET_NULL, related_name="flags", verbose_name="词条")
    term_text = models.CharField("命中词条", max_length=100)
    category = models.CharField("类别", max_length=20, choices=Category.choices)
    action = models.CharField("处理方式", max_length=10, choices=Action.choices)
    replacement = models.CharField("建议改为", max_length=100, blank=True)
    start = models.PositiveIntegerField("起点")
    end = models.PositiveIntegerField("终点")
    excerpt = models.CharField("命中原文", max_length=300)
    context_before = models.CharField("前文", max_length=100, blank=True)
    context_after = models.CharField("后文", max_length=100, blank=True)
    fingerprint = models.CharField(max_length=40, db_index=True, editable=False)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    is_current = models.BooleanField("仍在文中", default=True, help_text="最近一次检查时，文中仍有这处命中。")
    created_at = models.DateTimeField("发现时间", auto_now_add=True)
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="处理人",
    )

    objects = FlagQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "content_type", "object_id", "field", "start"]
        indexes = [models.Index(fields=["content_type", "object_id", "status"])]
        verbose_name = "审核提示"
        verbose_name_plural = "审核队列"

    def __str__(self) -> str:
        return f"{self.term_text} @ {self.field}[{self.start}:{self.end}]"
