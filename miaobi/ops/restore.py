"""Restoring a backup (backup.py) into an empty site: the database, the uploaded files, the secret key.

Order of work, so that a bad archive or a refusal changes nothing: (1) the target must be empty (no
tables, no uploaded file) unless `force`; (2) every member is unpacked into a staging folder inside the
data dir and its size and sha256 compared with the manifest; (3) the archive must suit this site
(same database vendor, no migration this release does not know); only then (4) the database, the
files and the key are put in place, and (5) the restored row counts are compared with the manifest.
Stop the web and worker processes first: a restore replaces the database under them.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connections
from django.db.migrations.loader import MigrationLoader

from .backup import DATABASE_MEMBER, FORMAT, FORMAT_VERSION, MANIFEST, SECRET_KEY_MEMBER, UPLOADS, sqlite_problems
from .database import SUPPORTED, OpsError, count_rows, postgres_env, stored_models, table_names, vendor_label

log = logging.getLogger(__name__)

COPY_COMMAND = "miaobi copydb --to URL"


@dataclass
class RestoreReport:
    manifest: dict
    files: int = 0
    secret_key: bool = False
    notes: list[str] = field(default_factory=list)


def restore_backup(archive: str | os.PathLike, *, force: bool = False, using: str = "default") -> RestoreReport:
    """Restore `archive` into this site's database and data dir.

    Guarantees: a damaged or foreign archive is refused before anything is written; existing data is
    never overwritten without `force`; on success every table holds the manifest's row count.
    """
    archive = Path(archive)
    if not archive.is_file():
        raise OpsError(f"{archive}: no such file")
    connection = connections[using]
    if connection.vendor not in SUPPORTED:
        raise OpsError(f"cannot restore into a {connection.vendor} database (SQLite and PostgreSQL only)")
    if not force:
        _refuse_existing_data(using)

    data_dir = Path(settings.DATA_DIR)
    staging = Path(tempfile.mkdtemp(prefix=".miaobi-restore-", dir=data_dir))
    try:
        manifest = _unpack_verified(archive, staging)
        _check_suits_site(manifest, connection.vendor)
        report = RestoreReport(manifest=manifest)
        report.notes.extend(_migration_notes(manifest))
        db_file = staging / manifest["database"]["member"]
        if connection.vendor == "sqlite":
            _restore_sqlite(using, db_file, force)
        else:
            _restore_postgres(using, db_file, force)
        report.files = _restore_uploads(staging / UPLOADS, Path(settings.MEDIA_ROOT), staging)
        if (staging / SECRET_KEY_MEMBER).is_file():
            _restore_secret_key(staging / SECRET_KEY_MEMBER, data_dir / "secret_key")
            report.secret_key = True
            if os.environ.get("SECRET_KEY"):
                report.notes.append("SECRET_KEY is set in the environment: it overrides the restored key file")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _compare_counts(using, manifest["counts"])
    log.info("restored %s (%d files)", archive, report.files)
    return report


# --- (1) the target is empty ---------------------------------------------------------------------

def _refuse_existing_data(using: str) -> None:
    connection = connections[using]
    missing_file = connection.vendor == "sqlite" and not Path(connection.settings_dict["NAME"]).exists()
    tables = [] if missing_file else table_names(using)  # connecting would create the file
    if tables:
        raise OpsError(f"the database already holds {len(tables)} tables: refusing to overwrite it "
                       "(restore into an empty database, or add --force to replace everything)")
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir() and any(p.is_file() for p in media.rglob("*")):
        raise OpsError(f"{media} already holds uploaded files: refusing to overwrite them "
                       "(restore into an empty data dir, or add --force to replace everything)")


# --- (2) unpack and verify -------------------------------------------------------------------------

def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return (not path.is_absolute() and ".." not in path.parts and name == path.as_posix()
            and (name in (MANIFEST, SECRET_KEY_MEMBER, *DATABASE_MEMBER.values())
                 or (path.parts[0] == UPLOADS and len(path.parts) > 1)))


def _unpack_verified(archive: Path, staging: Path) -> dict:
    """Every member into `staging`, hashed on the way; the manifest must list exactly these, intact."""
    found: dict[str, tuple[int, str]] = {}
    manifest_bytes = None
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                if not member.isfile() or not _safe_name(member.name):
                    raise OpsError(f"damaged or foreign archive: unexpected member {member.name!r}")
                if member.name in found or (member.name == MANIFEST and manifest_bytes is not None):
                    raise OpsError(f"damaged archive: member {member.name!r} appears twice")
                source = tar.extractfile(member)
                if member.name == MANIFEST:
                    manifest_bytes = source.read()
                    continue
                target = staging / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest, size = hashlib.sha256(), 0
                with open(target, "wb") as out:
                    while chunk := source.read(1024 * 1024):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                found[member.name] = (size, digest.hexdigest())
    except (tarfile.TarError, EOFError, zlib.error) as exc:
        raise OpsError(f"damaged archive {archive} (not a complete .tar.gz: {exc}). Nothing was restored.") from exc
    except OSError as exc:
        if exc.errno:  # e.g. the disk is full: the archive itself may be fine
            raise OpsError(f"cannot unpack {archive}: {exc}. Nothing was restored.") from exc
        raise OpsError(f"damaged archive {archive} (not a .tar.gz: {exc}). Nothing was restored.") from exc
    if manifest_bytes is None:
        raise OpsError(f"{archive} is not a Miaobi backup (no {MANIFEST})")
    try:
        manifest = json.loads(manifest_bytes)
        listed = {m["name"]: (int(m["size"]), m["sha256"]) for m in manifest["members"]}
        manifest["database"]["member"], manifest["counts"]
    except (ValueError, KeyError, TypeError) as exc:
        raise OpsError(f"damaged archive: unreadable {MANIFEST} ({exc!r})") from exc
    if manifest.get("format") != FORMAT:
        raise OpsError(f"{archive} is not a Miaobi backup")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise OpsError(f"backup format {manifest.get('format_version')} is not supported by this release "
                       f"(it reads format {FORMAT_VERSION})")
    problems = [f"{name}: missing" for name in sorted(set(listed) - set(found))]
    problems += [f"{name}: not in the manifest" for name in sorted(set(found) - set(listed))]
    for name in sorted(set(found) & set(listed)):
        (size, sha), (want_size, want_sha) = found[name], listed[name]
        if size != want_size or sha != want_sha:
            problems.append(f"{name}: checksum mismatch")
    if manifest["database"]["member"] not in found:
        problems.append(f"{manifest['database']['member']}: database missing")
    if problems:
        shown = "; ".join(problems[:10]) + (f"; and {len(problems) - 10} more" if len(problems) > 10 else "")
        raise OpsError(f"damaged archive {archive}: {shown}. Nothing was restored.")
    return manifest


# --- (3) the archive suits this site ---------------------------------------------------------------

def _check_suits_site(manifest: dict, vendor: str) -> None:
    theirs = manifest["database"].get("vendor")
    if theirs != vendor:
        raise OpsError(
            f"this backup holds a {vendor_label(theirs)} database but this site uses {vendor_label(vendor)}. "
            f"Restore it into a {vendor_label(theirs)} site first (DATABASE_URL "
            f"{'unset' if theirs == 'sqlite' else 'set to a PostgreSQL database'}), then move the data across with "
            f"`{COPY_COMMAND}` (see docs/deploy.md)."
        )
    known = _known_migrations()
    unknown = sorted(set(manifest["database"].get("migrations", [])) - known)
    if unknown:
        raise OpsError(f"this backup was made by a newer Miaobi ({manifest.get('miaobi_version')}): "
                       f"migrations unknown to this release: {', '.join(unknown[:5])}. "
                       "Install the release that made it, then restore.")


def _known_migrations() -> set[str]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {f"{app}.{name}" for app, name in loader.disk_migrations}


def _migration_notes(manifest: dict) -> list[str]:
    pending = _known_migrations() - set(manifest["database"].get("migrations", []))
    if pending:
        return [f"this release has {len(pending)} migrations newer than the backup: run `miaobi migrate`"]
    return []


# --- (4) put in place -----------------------------------------------------------------------------

def _restore_sqlite(using: str, snapshot: Path, force: bool) -> None:
    check = sqlite3.connect(snapshot)
    try:
        problems = sqlite_problems(check)
    except sqlite3.DatabaseError as exc:
        raise OpsError(f"the database in the archive is not readable by SQLite ({exc})") from exc
    finally:
        check.close()
    if problems:
        raise OpsError(f"the database in the archive fails SQLite's integrity check ({'; '.join(problems[:3])})")
    connection = connections[using]
    connection.close()
    target = Path(connection.settings_dict["NAME"])
    target.parent.mkdir(parents=True, exist_ok=True)
    incoming = target.with_name(f".{target.name}.restoring")
    shutil.copyfile(snapshot, incoming)
    with open(incoming, "rb") as f:
        os.fsync(f.fileno())
    # A -wal or -shm file left from the old database would be replayed into the new one: remove them.
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(incoming, target)


def _restore_postgres(using: str, dump: Path, force: bool) -> None:
    if not shutil.which("pg_restore"):
        raise OpsError("pg_restore is not installed (Debian: apt-get install postgresql-client)")
    connection = connections[using]
    tables = table_names(using)
    if tables and force:
        quoted = ", ".join(connection.ops.quote_name(t) for t in tables)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {quoted} CASCADE")
    connection.close()
    result = subprocess.run(
        ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
         f"--dbname={connection.settings_dict['NAME']}", str(dump)],
        env=postgres_env(connection.settings_dict), capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise OpsError(f"pg_restore failed (nothing restored, it runs in one transaction): {result.stderr.strip()}")


def _restore_uploads(incoming: Path, media: Path, staging: Path) -> int:
    files = sum(1 for p in incoming.rglob("*") if p.is_file()) if incoming.is_dir() else 0
    if media.exists():
        media.rename(staging / "replaced-uploads")  # deleted with the staging folder once all is in place
    if incoming.is_dir():
        os.replace(incoming, media)
    else:
        media.mkdir(parents=True)
    return files


def _restore_secret_key(incoming: Path, target: Path) -> None:
    replacement = target.with_name(f".{target.name}.restoring")
    shutil.copyfile(incoming, replacement)
    replacement.chmod(0o600)
    os.replace(replacement, target)


# --- (5) verify -----------------------------------------------------------------------------------

def _compare_counts(using: str, expected: dict) -> None:
    connections[using].close()
    actual = count_rows(using, stored_models())
    wrong = [f"{label}: {actual.get(label)} rows, backup had {n}" for label, n in sorted(expected.items())
             if label in actual and actual[label] != n]
    if wrong:
        raise OpsError("the restored database differs from the backup's manifest: " + "; ".join(wrong[:10]))
