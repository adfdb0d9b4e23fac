"""Copying the whole site's database into another one: how an SQLite site moves to PostgreSQL.

Steps: the target (empty) gets the schema by `migrate`, run in a child process whose default database
IS the target (the data migrations use the default manager, so `migrate --database` would write some of
their rows into the source); the rows the migrations wrote (plans, lexicon, content types) are deleted;
then every model's rows are copied table by table, parents first, with their primary keys, in one
transaction on each side (the source read as one snapshot); sequences are reset and row counts compared.

Derived data needs no rebuild: the search index (search_document, search_text), related reading
(library_relatedarticle, articleterms, termstat, articlekeyword) and the importer's duplicate and
originality indexes are ordinary tables, copied as rows. Their vendor-specific parts are kept by the
target database itself: on SQLite, triggers fill the FTS5 tables from search_text; on PostgreSQL,
search_text's tsvector columns are generated. PostgreSQL targets are ANALYZEd for the planner.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.core.management.color import no_style
from django.db import connections, transaction
from django.db.migrations.executor import MigrationExecutor

from .database import SUPPORTED, OpsError, count_rows, database_at, stored_models, table_names, vendor_label

BATCH = 1000


@dataclass
class CopyReport:
    source_vendor: str
    target_vendor: str
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def copy_database(target_url: str, *, force: bool = False, source: str = "default", progress=None) -> CopyReport:
    """Copy every row of the `source` database into the (empty) database at `target_url`.

    Guarantees: the source is only read; a non-empty target is refused unless `force` (which drops its
    tables first); on success the target holds exactly the source's rows, primary keys included, and
    new rows get fresh ids. On failure the target's copy transaction is rolled back (its schema stays).
    """
    started = time.monotonic()
    source_connection = connections[source]
    _check_source(source)
    with database_at(target_url) as target:
        target_connection = connections[target]
        if target_connection.vendor not in SUPPORTED:
            raise OpsError(f"cannot copy into a {target_connection.vendor} database (SQLite and PostgreSQL only)")
        if _same_database(source_connection.settings_dict, target_connection.settings_dict):
            raise OpsError("the target is the site's own database")
        _prepare_target(target, force)
        _migrate(target_url)
        models = stored_models()
        report = CopyReport(source_connection.vendor, target_connection.vendor)
        with transaction.atomic(using=source), transaction.atomic(using=target):
            if source_connection.vendor == "postgresql":
                with source_connection.cursor() as cursor:  # first statement: one snapshot for every table
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            _empty_tables(target, models)
            for model in models:
                report.rows[model._meta.label] = _copy_rows(model, source, target)
                if progress:
                    progress(model._meta.label, report.rows[model._meta.label])
            with target_connection.cursor() as cursor:
                for sql in target_connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(sql)
        copied = count_rows(target, models)
        wrong = [f"{label}: {copied.get(label)} of {n}" for label, n in report.rows.items() if copied.get(label) != n]
        if wrong:
            raise OpsError("rows missing in the target after the copy: " + "; ".join(wrong[:10]))
        if target_connection.vendor == "postgresql":
            with target_connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    report.seconds = time.monotonic() - started
    return report


def _check_source(alias: str) -> None:
    connection = connections[alias]
    if connection.vendor not in SUPPORTED:
        raise OpsError(f"cannot copy from a {connection.vendor} database (SQLite and PostgreSQL only)")
    if connection.vendor == "sqlite" and not Path(connection.settings_dict["NAME"]).is_file():
        raise OpsError(f"no SQLite database at {connection.settings_dict['NAME']}: nothing to copy")
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise OpsError("the site's database has unapplied migrations: run `miaobi migrate` first")


def _same_database(a: dict, b: dict) -> bool:
    if a["ENGINE"] != b["ENGINE"]:
        return False
    if "sqlite" in a["ENGINE"]:
        return Path(a["NAME"]).resolve() == Path(b["NAME"]).resolve()
    return (a["NAME"], a.get("HOST") or "", str(a.get("PORT") or "")) == (b["NAME"], b.get("HOST") or "", str(b.get("PORT") or ""))


def _prepare_target(alias: str, force: bool) -> None:
    connection = connections[alias]
    if connection.vendor == "sqlite":
        path = Path(connection.settings_dict["NAME"])
        if not path.exists():
            return
        if not force and table_names(alias):
            raise OpsError(f"{path} already holds tables: refusing to overwrite it (add --force to replace it)")
        connection.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    tables = table_names(alias)
    if tables and not force:
        raise OpsError(f"the target database already holds {len(tables)} tables: refusing to overwrite it "
                       "(create an empty database, or add --force to drop its tables)")
    if tables:
        quoted = ", ".join(connection.ops.quote_name(t) for t in tables)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {quoted} CASCADE")


def _migrate(target_url: str) -> None:
    env = dict(os.environ, DATABASE_URL=target_url, DJANGO_SETTINGS_MODULE="miaobi.settings")
    result = subprocess.run([sys.executable, "-m", "django", "migrate", "--noinput", "-v", "0"],
                            env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise OpsError(f"migrating the target failed: {result.stderr.strip()[-2000:]}")


def _empty_tables(alias: str, models) -> None:
    """Delete the rows the target's migrations wrote: the source's own rows replace them."""
    connection = connections[alias]
    tables = [m._meta.db_table for m in models]
    with connection.cursor() as cursor:
        for sql in connection.ops.sql_flush(no_style(), tables, allow_cascade=False):
            cursor.execute(sql)


def _copy_rows(model, source: str, target: str) -> int:
    connection = connections[target]
    fields = [f for f in model._meta.concrete_fields if f.column and not getattr(f, "generated", False)]
    # values_list + get_db_prep_save, not bulk_create: auto_now fields would be stamped with the copy time.
    rows = model._base_manager.using(source).order_by("pk").values_list(*(f.attname for f in fields))
    prepared = ([f.get_db_prep_save(value, connection) for f, value in zip(fields, row)]
                for row in rows.iterator(chunk_size=BATCH))
    quote = connection.ops.quote_name
    table, columns = quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: some 20 times faster than INSERTs for the millions of index rows of a big library.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for values in prepared:
                    copy.write_row(values)
                    count += 1
            return count
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
        batch = []
        for values in prepared:
            batch.append(values)
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def describe(report: CopyReport) -> str:
    total = sum(report.rows.values())
    return (f"copied {total} rows of {len(report.rows)} tables from {vendor_label(report.source_vendor)} to "
            f"{vendor_label(report.target_vendor)} in {report.seconds:.1f} s "
            f"({report.rows.get('library.Article', 0)} articles, {report.rows.get('orders.Order', 0)} orders, "
            f"{report.rows.get('accounts.User', 0)} users); row counts verified.")
