"""Persistent indexes for duplicate and originality checks (stored in the database, shared by every worker).

TextSignature: one row per article (exact-text hash + packed MinHash, 512 bytes).
LshBucket: BANDS rows per article, looked up by key: a near-duplicate check reads a few rows, never the corpus.
Fingerprint: winnowed 13-gram hashes of every article body with their offsets (the originality index).
NearDuplicate: an imported draft that looks like an existing article, waiting for an editor.
"""
from django.db import models
from django.utils import timezone

from miaobi.library.models import Article


class TextSignature(models.Model):
    article = models.OneToOneField(Article, on_delete=models.CASCADE, primary_key=True, related_name="+")
    text_hash = models.CharField(max_length=64, db_index=True)
    minhash = models.BinaryField()


class LshBucket(models.Model):
    key = models.BigIntegerField(db_index=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")


class Fingerprint(models.Model):
    hash = models.BigIntegerField(db_index=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    offset = models.PositiveIntegerField()  # into the article body's letters-only form (signatures.letters)


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
