"""Keep the duplicate and originality indexes current with the library (called by signals.py).

`index_article(article)` guarantees: after it returns (inside the caller's transaction), the article's
TextSignature, LshBucket and Fingerprint rows describe its current body; unchanged bodies cost one query.
"""
from __future__ import annotations

from django.db import transaction

from . import signatures as sig
from .models import Fingerprint, LshBucket, TextSignature


def index_article(article) -> bool:
    """(Re)index one article's body; returns False when its text had not changed."""
    text = article.body or ""
    digest = sig.text_hash(text)
    current = TextSignature.objects.filter(article_id=article.pk).values_list("text_hash", flat=True).first()
    if current == digest:
        return False
    signature = sig.minhash(text)
    prints, _, _ = sig.fingerprints(text)
    with transaction.atomic():
        TextSignature.objects.update_or_create(article_id=article.pk,
                                               defaults={"text_hash": digest, "minhash": sig.pack(signature)})
        LshBucket.objects.filter(article_id=article.pk).delete()
        LshBucket.objects.bulk_create([LshBucket(key=k, article_id=article.pk) for k in sig.lsh_keys(signature)])
        Fingerprint.objects.filter(article_id=article.pk).delete()
        Fingerprint.objects.bulk_create(
            [Fingerprint(hash=h, article_id=article.pk, offset=o) for h, o in prints], batch_size=2000)
    return True


def rebuild(articles, progress=None) -> int:
    """Index every given article (a management command and the migration of an existing library use it)."""
    count = 0
    for article in articles:
        if index_article(article):
            count += 1
        if progress:
            progress()
    return count
