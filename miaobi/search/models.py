from django.db import models
from django.utils import timezone

from miaobi.library.models import Article


class SearchDocument(models.Model):
    """One published article in the search index: the few facts a query needs per match.

    Small rows on purpose: a query reads this for up to 1,000 candidates (the guard on publish
    time, facets, date order), and an article row, with its body, is many pages long on SQLite.
    Rows exist for published articles only (scheduled ones too: queries hide those until their
    time); services.py writes them in the transaction that changed the article.
    """

    article = models.OneToOneField(Article, primary_key=True, on_delete=models.CASCADE, related_name="+")
    genre_id = models.IntegerField()
    year = models.PositiveSmallIntegerField()  # of the publish time, in the site's time zone
    published_at = models.DateTimeField(db_index=True)
    tag_ids = models.CharField(max_length=200, blank=True, default="")  # "3 7 12": tag facets without a join

    class Meta:
        db_table = "search_document"
        verbose_name = "索引文档"
        verbose_name_plural = "索引文档"


class SearchText(models.Model):
    """The tokens the engines index for one article: normalised, pre-segmented, space-joined.

    The database does the indexing (migration 0002): on SQLite, triggers keep the FTS5 tables
    search_fts and search_head_fts (external content = this table) in step with every insert,
    update and delete; on PostgreSQL, generated tsvector columns `document` (weights A/B/C/D) and
    `head` (title and tags) with GIN indexes. Note: Django rebuilds a SQLite table to alter it,
    which drops its triggers: a migration that alters this model must recreate them (see 0002).
    """

    article = models.OneToOneField(Article, primary_key=True, on_delete=models.CASCADE, related_name="+")
    title_tokens = models.TextField()  # title words, then the title's characters
    tag_tokens = models.TextField()    # tag names and the genre name
    body_tokens = models.TextField()   # body words (search mode: words and their parts)
    chars = models.TextField()         # distinct characters of title and body: single-character queries
    facets = models.TextField()        # g<genre id> t<tag id>… y<year>: filters inside the FTS5 query

    class Meta:
        db_table = "search_text"
        verbose_name = "索引文本"
        verbose_name_plural = "索引文本"


class SearchLog(models.Model):
    """One search as typed by a reader (normalised), for staff: what people look for and do not find."""

    query = models.CharField("搜索词", max_length=100, db_index=True)
    result_count = models.PositiveIntegerField("结果数")
    latency_ms = models.PositiveIntegerField("耗时（毫秒）")
    filtered = models.BooleanField("带筛选", default=False)
    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["result_count", "-created_at"])]
        verbose_name = "搜索记录"
        verbose_name_plural = "搜索记录"

    def __str__(self) -> str:
        return f"{self.query} ({self.result_count})"


class ZeroResultQuery(SearchLog):
    """The admin's list of searches that found nothing (a proxy: same rows, filtered)."""

    class Meta:
        proxy = True
        verbose_name = "无结果搜索"
        verbose_name_plural = "无结果搜索"


class TopQuery(SearchLog):
    """The admin's aggregate of the most frequent queries (a proxy: same rows, grouped)."""

    class Meta:
        proxy = True
        verbose_name = "热门搜索"
        verbose_name_plural = "热门搜索"
