import re

from django.db import models
from django.utils import timezone

from miaobi.reverse_cache import cached_reverse

_WHITESPACE = re.compile(r"\s+")


def count_words(text: str) -> int:
    """字数 as Chinese editors count it: every character that is not white space."""
    return len(_WHITESPACE.sub("", text))


class Genre(models.Model):
    """文种: 讲话稿, 心得体会 … Each may override the preview budget."""

    name = models.CharField("名称", max_length=30, unique=True)
    slug = models.SlugField("网址标识", max_length=40, unique=True)
    description = models.CharField("简介", max_length=200, blank=True)
    position = models.PositiveSmallIntegerField("排序", default=100)
    preview_ratio = models.FloatField(
        "预览比例", null=True, blank=True,
        help_text="预览最多显示全文的比例（0–1）；留空使用站点默认值 0.3。",
    )
    preview_max_chars = models.PositiveIntegerField(
        "预览字数上限", null=True, blank=True, help_text="留空使用站点默认值 1500。",
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "文种"
        verbose_name_plural = "文种"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return cached_reverse("library:genre", self.slug)


class Tag(models.Model):
    """主题/标签: 主题教育, 工会, 乡村振兴 …"""

    name = models.CharField("名称", max_length=30, unique=True)
    slug = models.SlugField("网址标识", max_length=60, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "主题"
        verbose_name_plural = "主题"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return cached_reverse("library:tag", self.slug)


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Visible to the public: status 已发布 and a publish time that has come."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def newest_first(self):
        return self.order_by("-published_at", "-id")


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        REVIEW = "review", "待审"
        PUBLISHED = "published", "已发布"
        ARCHIVED = "archived", "已归档"

    title = models.CharField("标题", max_length=200)
    body = models.TextField(
        "正文", help_text="按作者原文保存：一段一行，我们从不改动正文。标题行如“一、”“（一）”“1.”“（1）”会被自动识别。",
    )
    genre = models.ForeignKey(Genre, verbose_name="文种", on_delete=models.PROTECT, related_name="articles")
    tags = models.ManyToManyField(Tag, verbose_name="主题", blank=True, related_name="articles")
    source = models.CharField("来源", max_length=100, blank=True, help_text="留空显示站点名称。")
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True,
        help_text="只有“已发布”且发布时间已到的文章对读者可见。",
    )
    published_at = models.DateTimeField("发布时间", default=timezone.now, db_index=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    view_count = models.PositiveIntegerField("阅读量", default=0)
    word_count = models.PositiveIntegerField("字数", default=0, editable=False)
    preview_ratio = models.FloatField("预览比例", null=True, blank=True, help_text="留空使用文种或站点默认值。")
    preview_max_chars = models.PositiveIntegerField("预览字数上限", null=True, blank=True)
    external_key = models.CharField(
        "导入标识", max_length=200, unique=True, null=True, blank=True, editable=False,
        help_text="导入或示例数据的来源标识，用于避免重复导入。",
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-published_at"]),
            models.Index(fields=["genre", "status", "-published_at"]),
            models.Index(fields=["status", "-view_count", "-published_at"], name="library_article_most_read"),  # 阅读排行
        ]
        verbose_name = "文章"
        verbose_name_plural = "文章"

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        # Derived field of this row only; effects on other rows go through services.
        self.word_count = count_words(self.body)
        if kwargs.get("update_fields") is not None and "body" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "word_count"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return cached_reverse("library:article", self.pk)

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()


class RelatedArticle(models.Model):
    """相关阅读, computed by library.related when an article is published or changed."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="related_links")
    related = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    rank = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["article", "rank"]
        constraints = [models.UniqueConstraint(fields=["article", "related"], name="related_unique_pair")]


class ArticleTerms(models.Model):
    """Term counts of one article's segmented text, kept to maintain document frequencies."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, primary_key=True, related_name="terms")
    counts = models.JSONField(default=dict)


class TermStat(models.Model):
    """Document frequency of a term over the indexed articles (the IDF of TF-IDF)."""

    term = models.CharField(max_length=64, primary_key=True)
    doc_count = models.PositiveIntegerField(default=0)


class ArticleKeyword(models.Model):
    """The heaviest TF-IDF terms of an article (unit-normalised weights): an inverted index for candidates."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="keywords")
    term = models.CharField(max_length=64, db_index=True)
    weight = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "term"], name="keyword_unique_term")]
