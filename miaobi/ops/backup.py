"""Backups: one .tar.gz holding a consistent database snapshot, the uploaded files, the generated secret
key (if the data dir holds one) and manifest.json (sha256 and size of every member, version, counts).

Consistency: SQLite is copied with the online backup API (a snapshot of the live WAL database, writers
keep writing); PostgreSQL with pg_dump inside an exported REPEATABLE READ snapshot, so the row counts in
the manifest describe exactly the dumped data. Uploaded files are read after the database: a file
uploaded meanwhile may be in the archive without a row (harmless); stop the site for a perfect copy.

An archive is written to a temporary file beside OUT and renamed at the end: an interrupted backup leaves
no half archive under OUT's name. Restores are in restore.py.
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from .database import SUPPORTED, OpsError, count_rows, database_at, postgres_env, stored_models, vendor_label

log = logging.getLogger(__name__)

FORMAT = "miaobi-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
UPLOADS = "uploads"
SECRET_KEY_MEMBER = "secret_key"
CHUNK = 1024 * 1024


def miaobi_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("miaobi")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "unknown"


def create_backup(out: str | os.PathLike, *, using: str = "default") -> dict:
    """Write a backup archive to `out` and return its manifest.

    Guarantees: `out` appears only once complete (temporary file + rename, mode 0600: it holds password
    hashes and the secret key); every member's sha256 and size are in the manifest; nothing in the site
    changes.
    """
    out = Path(out).resolve()
    if out.is_dir():
        raise OpsError(f"{out} is a folder: give the name of the archive to write, e.g. {out / 'miaobi.tar.gz'}")
    if not out.parent.is_dir():
        raise OpsError(f"folder {out.parent} does not exist")
    connection = connections[using]
    if connection.vendor not in SUPPORTED:
        raise OpsError(f"cannot back up a {connection.vendor} database (SQLite and PostgreSQL only)")
    if connection.in_atomic_block:
        raise OpsError("a backup cannot run inside a database transaction")

    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        db_member = DATABASE_MEMBER[connection.vendor]
        if connection.vendor == "sqlite":
            counts, migrations = _snapshot_sqlite(connection, work / db_member)
        else:
            counts, migrations = _dump_postgres(using, work / db_member)
        partial = work / "archive.tar.gz"
        members = []
        with open(partial, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
                members.append(_add_file(tar, work / db_member, db_member))
                members.extend(_add_uploads(tar, Path(settings.MEDIA_ROOT)))
                key_file = Path(settings.DATA_DIR) / "secret_key"
                if key_file.is_file():
                    members.append(_add_file(tar, key_file, SECRET_KEY_MEMBER))
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "miaobi_version": miaobi_version(),
                    "created_at": timezone.now().isoformat(timespec="seconds"),
                    "database": {"vendor": connection.vendor, "member": db_member, "migrations": migrations},
                    "counts": counts,
                    "members": members,
                }
                _add_bytes(tar, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
            raw.flush()
            os.fsync(raw.fileno())
        partial.chmod(0o600)
        os.replace(partial, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    log.info("backup written to %s (%s, %d members)", out, vendor_label(connection.vendor), len(members))
    return manifest


# --- the database ------------------------------------------------------------------------------

def _snapshot_sqlite(connection, target: Path) -> tuple[dict, list[str]]:
    source_path = Path(connection.settings_dict["NAME"])
    if not source_path.is_file():
        raise OpsError(f"no SQLite database at {source_path}: nothing to back up (run `miaobi migrate` first?)")
    source = sqlite3.connect(source_path)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # one step: a consistent snapshot, even while the site writes (WAL)
            # A self-contained file (no -wal beside it), checked before it goes into the archive.
            copy.execute("PRAGMA journal_mode=DELETE")
            problems = sqlite_problems(copy)
            if problems:
                raise OpsError(f"the database fails SQLite's integrity check ({'; '.join(problems[:3])}); "
                               "repair it before a backup")
        finally:
            copy.close()
    finally:
        source.close()
    with database_at(f"sqlite:///{target}") as alias:
        return count_rows(alias, stored_models()), _applied_migrations(alias)


def sqlite_problems(db: sqlite3.Connection) -> list[str]:
    """PRAGMA quick_check's findings, less its false "NULL value in T.C" reports on WITHOUT ROWID tables
    (SQLite 3.40 reports them for the importer's composite-key tables): each is checked with a query."""
    problems, real_nulls = [], {}
    for (line,) in db.execute("PRAGMA quick_check").fetchall():
        if line == "ok":
            continue
        null = re.fullmatch(r"NULL value in (\w+)\.(\w+)", line)
        if null:
            if line not in real_nulls:  # reported once per row: one query per column
                query = f'SELECT 1 FROM "{null[1]}" WHERE "{null[2]}" IS NULL LIMIT 1'
                real_nulls[line] = db.execute(query).fetchone() is not None
            if not real_nulls[line] or line in problems:
                continue
        problems.append(line)
    return problems


def _dump_postgres(using: str, target: Path) -> tuple[dict, list[str]]:
    connection = connections[using]
    if not shutil.which("pg_dump"):
        raise OpsError("pg_dump is not installed (Debian: apt-get install postgresql-client)")
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        counts = count_rows(using, stored_models())
        migrations = _applied_migrations(using)
        # pg_dump reads the very snapshot the counts came from (it stays valid while this transaction is open).
        result = subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
             f"--file={target}"],
            env=postgres_env(connection.settings_dict), capture_output=True, text=True,
        )
        if result.returncode != 0:
            raise OpsError(f"pg_dump failed: {result.stderr.strip()}")
    return counts, migrations


def _applied_migrations(alias: str) -> list[str]:
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [f"{app}.{name}" for app, name in cursor.fetchall()]


# --- members -----------------------------------------------------------------------------------

class _HashingReader:
    """A file that hashes what tarfile reads from it, so every file is read once."""

    def __init__(self, file):
        self.file = file
        self.sha256 = hashlib.sha256()

    def read(self, size=-1):
        data = self.file.read(size)
        self.sha256.update(data)
        return data


def _tarinfo(name: str, size: int, mtime: float, mode: int = 0o600) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(mtime), mode
    return info


def _add_file(tar: tarfile.TarFile, path: Path, name: str) -> dict:
    with open(path, "rb") as file:
        stat = os.fstat(file.fileno())
        reader = _HashingReader(file)
        tar.addfile(_tarinfo(name, stat.st_size, stat.st_mtime), reader)  # a file that shrinks meanwhile: OSError
    return {"name": name, "size": stat.st_size, "sha256": reader.sha256.hexdigest()}


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    tar.addfile(_tarinfo(name, len(data), timezone.now().timestamp()), io.BytesIO(data))


def _add_uploads(tar: tarfile.TarFile, root: Path) -> list[dict]:
    """Regular files under MEDIA_ROOT (links are not followed); a file deleted meanwhile is skipped."""
    members = []
    if not root.is_dir():
        return members
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file():
                continue
            relative = path.relative_to(root).as_posix()
            try:
                members.append(_add_file(tar, path, f"{UPLOADS}/{relative}"))
            except FileNotFoundError:
                log.warning("upload %s disappeared during the backup; not included", relative)
    return members
