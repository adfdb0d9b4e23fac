"""Keep the duplicate and originality indexes current with the library (called by signals.py).

`index_article(article)` guarantees: after it returns (inside the caller's transaction), the article's
TextSignature, LshBucket and Fingerprint rows describe its current body; unchanged bodies cost one query.
"""
from __future__ import annotations

from django.db import connection, transaction

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
        insert_fingerprints((h, article.pk, o) for h, o in prints)
    return True


def insert_fingerprints(rows) -> None:
    """INSERT (hash, article_id, offset) rows with executemany: ~700 rows per text, too many for model instances."""
    rows = list(rows)
    if not rows:
        return
    q = connection.ops.quote_name
    sql = (f"INSERT INTO {q(Fingerprint._meta.db_table)} ({q('hash')}, {q('article_id')}, {q('offset')}) "
           f"VALUES (%s, %s, %s)")
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def rebuild(articles, progress=None) -> int:
    """Index every given article (a management command and the migration of an existing library use it)."""
    count = 0
    for article in articles:
        if index_article(article):
            count += 1
        if progress:
            progress()
    return count


def bulk_index(rows, batch: int = 500) -> int:
    """Index (article_id, body) pairs of articles not indexed yet, in batches (loading a large library).
    Rows of articles already indexed are skipped; each batch is one transaction."""
    count, pending = 0, []

    def flush():
        with transaction.atomic():
            signatures, buckets, prints = [], [], []
            for article_id, body in pending:
                signature = sig.minhash(body or "")
                signatures.append(TextSignature(article_id=article_id, text_hash=sig.text_hash(body or ""),
                                                minhash=sig.pack(signature)))
                buckets.extend(LshBucket(key=k, article_id=article_id) for k in sig.lsh_keys(signature))
                prints.extend((h, article_id, o) for h, o in sig.fingerprints(body or "")[0])
            TextSignature.objects.bulk_create(signatures, ignore_conflicts=True)
            LshBucket.objects.bulk_create(buckets, batch_size=5000)
            insert_fingerprints(prints)
        pending.clear()

    done = set(TextSignature.objects.values_list("article_id", flat=True))
    for article_id, body in rows:
        if article_id in done:
            continue
        pending.append((article_id, body))
        count += 1
        if len(pending) >= batch:
            flush()
    if pending:
        flush()
    return count
