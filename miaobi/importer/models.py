"""Persistent indexes for duplicate and originality checks (stored in the database, shared by every worker).

TextSignature: one row per article (exact-text hash + packed MinHash, 512 bytes).
LshBucket: BANDS rows per article, looked up by key: a near-duplicate check reads a few rows, never the corpus.
Fingerprint: winnowed 13-gram hashes of every article body with their offsets (the originality index).
NearDuplicate: an imported draft that looks like an existing article, waiting for an editor.
ImportBatch, ImportFile: a batch of files imported by a background job, and each file's outcome.
"""
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone

from miaobi.library.models import Article


class TextSignature(models.Model):
    article = models.OneToOneField(Article, on_delete=models.CASCADE, primary_key=True, related_name="+")
    text_hash = models.CharField(max_length=64, db_index=True)
    minhash = models.BinaryField()


class LshBucket(models.Model):
    pk = models.CompositePrimaryKey("key", "article")
    key = models.BigIntegerField()
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")


class Fingerprint(models.Model):
    """The originality index: winnowed fingerprints of every article, ordered by hash (the look-up)."""

    pk = models.CompositePrimaryKey("hash", "offset", "article")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    hash = models.IntegerField()  # signed 32-bit (signatures.fingerprints)
    offset = models.IntegerField()  # into the article body's letters-only form (signatures.letters)


class RecentFingerprint(models.Model):
    """Fingerprints written since the last merge into Fingerprint (index.merge_recent): the same rows, in a
    table small enough that writing a new article's ~690 rows touches few pages. (At 100,000 texts, writing
    an import's rows straight into the big index cost more than the rest of the import.) Checks read both."""

    pk = models.CompositePrimaryKey("hash", "offset", "article")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    hash = models.IntegerField()
    offset = models.IntegerField()


class FingerprintBacklog(models.Model):
    """An article whose Fingerprint rows are still to be written: a batch import writes them for many files at
    once (index.deferred_fingerprints), and a run cut short leaves its backlog here for the next to finish."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, primary_key=True, related_name="+")


class NearDuplicate(models.Model):
    """疑似重复: `article` (an imported draft) resembles `similar_to`; an editor keeps one."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+", verbose_name="导入的文章")
    similar_to = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+", verbose_name="相似的文章")
    similarity = models.FloatField("相似度")
    created_at = models.DateTimeField(default=timezone.now)
    resolved = models.BooleanField("已处理", default=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "疑似重复"
        verbose_name_plural = "疑似重复"

    def __str__(self) -> str:
        return f"疑似重复 #{self.similar_to_id}"


class ImportBatch(models.Model):
    """Files uploaded together (or given to `miaobi import --queue`), imported by a background job.

    The files wait in `staging_dir()` until the batch is done; each file's outcome is an ImportFile row
    written in the same transaction as its article, so a job cut short resumes where it stopped.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "导入中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="提交人")
    created_at = models.DateTimeField("提交时间", default=timezone.now)
    updated_at = models.DateTimeField("最近进展", default=timezone.now)  # heartbeat of the running job
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.QUEUED)
    options = models.JSONField("导入选项", default=dict)  # ImportOptions fields: genre, tags, publish, source
    files = models.JSONField("文件", default=list)  # [{"name": shown name, "stored": name in staging_dir()}]
    total = models.PositiveIntegerField("文件数", default=0)  # archive members counted one by one
    runner = models.CharField(max_length=32, blank=True, editable=False)  # the job run that owns the batch
    current = models.PositiveIntegerField(null=True, editable=False)  # position of the file being imported
    current_tries = models.PositiveSmallIntegerField(default=0, editable=False)  # runs that started on it
    error = models.TextField("错误", blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "导入批次"
        verbose_name_plural = "导入批次"

    def __str__(self) -> str:
        return f"导入批次 #{self.pk}"

    def staging_dir(self) -> Path:
        return Path(settings.MEDIA_ROOT) / "imports" / str(self.pk)

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)


class ImportFile(models.Model):
    """The outcome of one file of a batch (the dict `import_item` returns), at most one per position."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="results")
    seq = models.PositiveIntegerField()  # position in the batch's (deterministic) order of files
    path = models.CharField(max_length=500)
    status = models.CharField(max_length=20)
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    result = models.JSONField(default=dict)

    class Meta:
        ordering = ["batch", "seq"]
        constraints = [models.UniqueConstraint(fields=["batch", "seq"], name="import_file_once_per_batch")]
