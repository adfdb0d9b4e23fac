"""Keep the duplicate and originality indexes current with the library (called by signals.py).

`index_article(article)` guarantees: after it returns (inside the caller's transaction), the article's
TextSignature, LshBucket and Fingerprint rows describe its current body; unchanged bodies cost one query.

Inside `deferred_fingerprints()` (a batch import) the Fingerprint rows of each article are queued instead
(a FingerprintBacklog row, in the article's own transaction) and written for the whole batch at once:
~600 rows per text land on as many random pages of the hash-ordered index, so writing a batch's rows in one
sorted pass writes each page once instead of once per file. The duplicate index (signature, LSH buckets)
is still written per article: later files of the batch are checked against it. `flush_backlog()` writes
whatever is queued, also what a run cut short left behind.

Two tiers: new rows go to RecentFingerprint, a small table, and are moved into Fingerprint in one sorted
pass once it holds MERGE_AT rows (merge_recent, also run by a periodic job). At 100,000 texts an import's
rows written straight into the 68-million-row index touched one page each: 3.5 s of a 6 s import of 200
files. Readers (originality.py) look in both; deletes and rebuilds clear both.
"""
from __future__ import annotations

import contextvars
from contextlib import contextmanager

from django.db import connection, transaction

from miaobi.library.models import Article

from . import signatures as sig
from .models import Fingerprint, FingerprintBacklog, LshBucket, RecentFingerprint, TextSignature

FLUSH_EVERY = 500  # articles per backlog pass: bounds memory and a pass's transaction
MERGE_AT = 2_000_000  # recent rows (~3,000 texts, ~70 MB) that trigger a merge into the main index
TIERS = (Fingerprint, RecentFingerprint)
COLUMNS = ("hash", "offset", "article_id")
_deferred: contextvars.ContextVar[dict | None] = contextvars.ContextVar("deferred_fingerprints", default=None)


def index_article(article, *, created: bool = False) -> bool:
    """(Re)index one article's body; returns False when its text had not changed.
    `created`: the article was just inserted (no rows to look up or replace)."""
    text = article.body or ""
    digest = sig.text_hash(text)  # the signatures of a body just checked by the importer are remembered
    current = None if created else (
        TextSignature.objects.filter(article_id=article.pk).values_list("text_hash", flat=True).first())
    if current == digest:
        return False
    signature = sig.minhash(text)
    prints, _, _ = sig.fingerprints(text)
    with transaction.atomic(savepoint=False):  # all or nothing with the caller's transaction (the article's save)
        if current is None:  # a new article (the import's case): nothing to replace
            TextSignature.objects.create(article_id=article.pk, text_hash=digest, minhash=sig.pack(signature))
        else:
            TextSignature.objects.filter(article_id=article.pk).update(text_hash=digest, minhash=sig.pack(signature))
            LshBucket.objects.filter(article_id=article.pk).delete()
            delete_fingerprints([article.pk])
        insert_rows(LshBucket, ("key", "article_id"), ((k, article.pk) for k in set(sig.lsh_keys(signature))))
        queued = _deferred.get()
        if queued is None:
            insert_rows(RecentFingerprint, COLUMNS, ((h, o, article.pk) for h, o in prints))
        else:
            FingerprintBacklog.objects.bulk_create([FingerprintBacklog(article_id=article.pk)], ignore_conflicts=True)
            queued[article.pk] = (digest, prints)
    return True


@contextmanager
def deferred_fingerprints():
    """Queue the fingerprints of articles indexed inside the block; write them every FLUSH_EVERY articles
    and when the block ends (also when it ends with an error: every queued article is committed)."""
    queued: dict = {}
    token = _deferred.set(queued)
    try:
        flush_backlog()  # what an interrupted run left
        yield lambda: flush_backlog(queued) if len(queued) >= FLUSH_EVERY else None
    finally:
        _deferred.reset(token)
        flush_backlog(queued)


def flush_backlog(queued: dict | None = None) -> int:
    """Write the Fingerprint rows of every article in the backlog (one transaction per FLUSH_EVERY articles);
    rows computed when the article was indexed are used if its text has not changed since. Returns the count."""
    queued = {} if queued is None else queued
    count = 0
    while True:
        with transaction.atomic():
            ids = list(FingerprintBacklog.objects.select_for_update().values_list("article_id", flat=True)[:FLUSH_EVERY])
            if not ids:
                break
            rows = []
            signatures = dict(TextSignature.objects.filter(article_id__in=ids).values_list("article_id", "text_hash"))
            missing = {pk for pk in ids if pk not in queued or queued[pk][0] != signatures.get(pk)}
            bodies = dict(Article.objects.filter(pk__in=missing).values_list("pk", "body")) if missing else {}
            for pk in ids:  # a body gone meanwhile (the article deleted) gives no rows
                prints = sig.fingerprints(bodies.get(pk) or "")[0] if pk in missing else queued[pk][1]
                rows.extend((h, o, pk) for h, o in prints)
            delete_fingerprints(missing)  # rows of a run cut short, if any
            insert_rows(RecentFingerprint, COLUMNS, rows)
            FingerprintBacklog.objects.filter(article_id__in=ids).delete()
        for pk in ids:
            queued.pop(pk, None)
        count += len(ids)
    if count:
        merge_recent()
    return count


def delete_fingerprints(article_ids) -> None:
    ids = list(article_ids)
    if ids:
        for model in TIERS:
            model.objects.filter(article_id__in=ids).delete()


def fingerprint_rows(article_id: int) -> list[tuple[int, int]]:
    """(hash, offset) of one article's fingerprints, from both tiers, sorted."""
    return sorted(row for model in TIERS
                  for row in model.objects.filter(article_id=article_id).values_list("hash", "offset"))


def merge_recent(*, at_least: int | None = None) -> int:
    """Move the recent tier into the main index in one sorted pass when it holds `at_least` rows (default
    MERGE_AT; 0: always). Returns the rows moved. Safe to repeat and to run beside readers: one transaction."""
    at_least = MERGE_AT if at_least is None else at_least
    if at_least > 0 and not RecentFingerprint.objects.all()[at_least - 1:at_least].exists():
        return 0
    recent = connection.ops.quote_name(RecentFingerprint._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        moved = insert_sorted_from(recent)
        cursor.execute(f"DELETE FROM {recent}")
    return moved


def insert_rows(model, columns, rows) -> None:
    """Write plain tuples (~600 fingerprints per text: too many for model instances), sorted by primary key so
    neighbouring rows land on the same index pages."""
    write_rows(connection.ops.quote_name(model._meta.db_table), columns, sorted(rows))


def write_rows(table: str, columns, rows) -> None:
    """Append tuples to a (quoted) table. PostgreSQL: COPY (an INSERT per row costs the client more than the
    server); SQLite: executemany of one prepared INSERT."""
    if not rows:
        return
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})", rows)


def insert_sorted_from(source: str) -> int:
    """Every row of `source` (a quoted table with the fingerprint columns) inserted into the main index in
    key order, so each index page is written once: the merge of the recent tier and a staged build."""
    q = connection.ops.quote_name
    names = ", ".join(q(c) for c in COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {q(Fingerprint._meta.db_table)} ({names}) SELECT {names} FROM {source} "
                       f"ORDER BY {names}")
        return max(cursor.rowcount, 0)


def rebuild(articles, progress=None) -> int:
    """Index every given article (a management command and the migration of an existing library use it)."""
    count = 0
    for article in articles:
        if index_article(article):
            count += 1
        if progress:
            progress()
    return count


STAGED_FROM = 5_000  # texts: from here on bulk_index writes fingerprints in one sorted pass at the end


def bulk_index(rows, batch: int = 500, *, staged: bool | None = None) -> int:
    """Index (article_id, body) pairs of articles not indexed yet, in batches (loading a large library).
    Rows of articles already indexed are skipped; each batch is one transaction.

    Fingerprints (~690 per text) land at random places of the hash-ordered index: written batch by batch,
    every batch rewrites most index pages (indexing 100,000 texts so wrote tens of GB). `staged` (default:
    when the rows are many, i.e. a list of STAGED_FROM or more, or any iterator) appends them to a
    temporary table instead and inserts them sorted once at the end, the way a database builds an index.
    Each batch also queues its articles in the backlog (same transaction as their signatures), cleared with
    that final insert: a run cut short leaves them to flush_backlog(), never half indexed."""
    count, pending = 0, []
    if staged is None:
        staged = not isinstance(rows, (list, tuple)) or len(rows) >= STAGED_FROM
    stage = _Stage() if staged else None

    def flush():
        with transaction.atomic():
            signatures, buckets, prints = [], [], []
            for article_id, body in pending:
                signature = sig.minhash(body or "")
                signatures.append(TextSignature(article_id=article_id, text_hash=sig.text_hash(body or ""),
                                                minhash=sig.pack(signature)))
                buckets.extend((k, article_id) for k in set(sig.lsh_keys(signature)))
                prints.extend((h, o, article_id) for h, o in sig.fingerprints(body or "")[0])
            TextSignature.objects.bulk_create(signatures, ignore_conflicts=True)
            insert_rows(LshBucket, ("key", "article_id"), buckets)
            if stage is None:
                insert_rows(RecentFingerprint, COLUMNS, prints)
            else:
                FingerprintBacklog.objects.bulk_create(
                    [FingerprintBacklog(article_id=article_id) for article_id, _ in pending], ignore_conflicts=True)
                stage.add(prints, [article_id for article_id, _ in pending])
        pending.clear()

    done = set(TextSignature.objects.values_list("article_id", flat=True))
    try:
        for article_id, body in rows:
            if article_id in done:
                continue
            pending.append((article_id, body))
            count += 1
            if len(pending) >= batch:
                flush()
        if pending:
            flush()
        if stage is not None:
            stage.finish()
    finally:
        if stage is not None:
            stage.drop()
    if count:  # fresh statistics, or PostgreSQL's planner may scan the whole table for a look-up
        with connection.cursor() as cursor:
            for model in (TextSignature, LshBucket, *TIERS):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return count


class _Stage:
    """A temporary table of fingerprint rows (no index: appends are cheap), moved into the index sorted."""

    name = "importer_fingerprint_stage"

    def __init__(self):
        self.articles: list[int] = []
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.name}")
            cursor.execute(f"CREATE TEMPORARY TABLE {self.name} (hash integer, \"offset\" integer, article_id bigint)")

    def add(self, prints, article_ids) -> None:
        write_rows(self.name, COLUMNS, list(prints))
        self.articles.extend(article_ids)

    def finish(self) -> None:
        """One sorted insert, and the backlog of the staged articles cleared, in one transaction."""
        with transaction.atomic():
            insert_sorted_from(self.name)
            for i in range(0, len(self.articles), 1000):
                FingerprintBacklog.objects.filter(article_id__in=self.articles[i:i + 1000]).delete()

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.name}")


def rebuild_all() -> int:
    """Drop and rebuild the duplicate and originality indexes of every article (after a change of the
    signature scheme, or to repair); returns how many were indexed. Safe to repeat: same end state."""
    FingerprintBacklog.objects.all().delete()
    for model in TIERS:
        model.objects.all().delete()
    LshBucket.objects.all().delete()
    TextSignature.objects.all().delete()
    return bulk_index(article_bodies())


def article_bodies(chunk: int = 1000):
    """(pk, body) of every article, read a chunk at a time by key: no read cursor stays open while
    bulk_index writes (on SQLite an open reader keeps the WAL from being checkpointed: it grew to
    11 GB indexing 100,000 texts)."""
    last = 0
    while True:
        rows = list(Article.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "body")[:chunk])
        if not rows:
            return
        yield from rows
        last = rows[-1][0]

