"""Import batches: uploaded files staged on disk, imported by a background job that can be cut short.

Guarantees:
- staging writes every file or none (a full disk is a Chinese StagingError, the batch is not created);
- each file's article and its ImportFile note commit in one transaction: a worker killed mid-batch
  leaves whole articles only, and the next run skips every file already noted, so no file is imported
  twice (a text already in the library would be reported as a duplicate anyway);
- running a batch again, or two runs at once, changes nothing more: the latest run owns the batch
  (`runner`), an older one stops at its next file, and a finished batch is left alone;
- the staged files are deleted when the batch is done; until then a retry or a restart can resume it;
- a file on which MAX_TRIES runs died (a crash, not a bad file: those are reported) is skipped as an
  error, so one poisonous file cannot stop a batch forever.
"""
from __future__ import annotations

import logging
import shutil
import uuid
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import ImportBatch, ImportFile
from .services import ImportOptions, OptionError, import_item, resolve_genre, resolve_tags
from .sources import Item, count_items, iter_stored, max_bytes

log = logging.getLogger(__name__)
State = ImportBatch.State
MAX_TRIES = 3  # runs that may start on one file before it is reported as an error and skipped


class StagingError(Exception):
    """The server could not keep the uploaded files; str() is Chinese. Nothing was imported."""


def _new_batch(options: ImportOptions, user) -> ImportBatch:
    resolve_genre(options.genre)  # a bad genre or tag raises OptionError before anything is written
    resolve_tags(options.tags)
    kept = {k: v for k, v in asdict(options).items() if k != "dry_run"}
    return ImportBatch.objects.create(created_by=user, options=kept)


def _staged(batch: ImportBatch, write) -> ImportBatch:
    """Run `write(folder) -> files` and finish the batch record, or remove every trace on an OSError."""
    folder = batch.staging_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        files = write(folder)
    except OSError as exc:
        log.error("import batch %s: could not stage files in %s: %s", batch.pk, folder, exc)
        shutil.rmtree(folder, ignore_errors=True)
        batch.delete()
        raise StagingError("服务器无法保存上传的文件（磁盘空间不足或没有写入权限），没有导入任何文件，请稍后重试。") from exc
    batch.files = files
    batch.total = sum(1 if "error" in f else count_items(folder / f["stored"]) for f in files)
    batch.save(update_fields=["files", "total"])
    return batch


def stage_uploads(uploads, options: ImportOptions, *, user=None) -> ImportBatch:
    """Keep uploaded files (a .zip stays whole) in a new queued batch; OptionError or StagingError."""
    batch = _new_batch(options, user)

    def write(folder: Path) -> list[dict]:
        files = []
        for n, upload in enumerate(uploads, start=1):
            name = Path(upload.name or "upload").name or "upload"
            suffix = Path(name).suffix.lower()[:16]
            if upload.size is not None and upload.size > max_bytes() and suffix != ".zip":
                files.append({"name": name, "error": f"文件过大，单个文件上限 {max_bytes() // 1024 // 1024} MB"})
                continue
            stored = f"{n:04d}{suffix}"
            with open(folder / stored, "wb") as fh:
                for chunk in upload.chunks():
                    fh.write(chunk)
            files.append({"name": name, "stored": stored})
        return files

    return _staged(batch, write)


def stage_paths(paths, options: ImportOptions, *, user=None) -> ImportBatch:
    """Copy files, folders and archives given on the command line into a new queued batch, so the
    worker reads what was there when the command ran (folders keep their symlinks, checked later)."""
    batch = _new_batch(options, user)

    def write(folder: Path) -> list[dict]:
        files = []
        for n, given in enumerate(paths, start=1):
            source = Path(given)
            stored = f"{n:04d}{source.suffix.lower()[:16] if source.is_file() else ''}"
            if source.is_dir():
                shutil.copytree(source, folder / stored, symlinks=True)
            elif source.is_file():
                shutil.copyfile(source, folder / stored)
            else:
                files.append({"name": str(given), "error": "文件不存在"})
                continue
            files.append({"name": str(given), "stored": stored})
        return files

    return _staged(batch, write)


def batch_items(batch: ImportBatch):
    """The batch's files in a fixed order (archives expanded): position n is always the same file."""
    folder = batch.staging_dir()
    for entry in batch.files:
        if "error" in entry:
            yield Item(entry["name"], Path(entry["name"]).name, error=entry["error"])
        else:
            yield from iter_stored(folder / entry["stored"], entry["name"])


def _note(batch_id: int, seq: int, result: dict) -> None:
    written = result["status"] in ("imported", "near_duplicate")  # a duplicate's "article" is the older one
    ImportFile.objects.create(batch_id=batch_id, seq=seq, path=result["path"][:500], status=result["status"],
                              article_id=result.get("article") if written else None, result=result)


def run_batch(batch_id: int) -> str | None:
    """Import every file of the batch not imported yet; returns the final state, or None when there was
    nothing to do (finished, deleted) or a newer run took the batch over."""
    token = uuid.uuid4().hex
    if not ImportBatch.objects.filter(pk=batch_id, state__in=[State.QUEUED, State.RUNNING]).update(
            state=State.RUNNING, runner=token, updated_at=timezone.now()):
        return None
    batch = ImportBatch.objects.get(pk=batch_id)
    options = ImportOptions(**batch.options)
    try:
        genre, extra_tags = resolve_genre(options.genre), resolve_tags(options.tags)
    except OptionError as exc:  # the genre or a tag was deleted since the upload
        return _finish(batch, token, State.FAILED, error=str(exc))
    done = set(batch.results.values_list("seq", flat=True))
    seen: dict[str, str] = {}
    count = 0
    for seq, item in enumerate(batch_items(batch)):
        count += 1
        if seq in done:
            continue
        tries = _start_file(batch_id, token, seq)
        if tries is None:
            log.info("import batch %s taken over by another run; stopping this one", batch_id)
            return None
        if tries > MAX_TRIES:  # every run so far died on this file: skip it rather than never finish
            log.error("import batch %s: file %s (%s) skipped after %s interrupted tries",
                      batch_id, seq, item.path, MAX_TRIES)
            _note_once(batch_id, seq, {"path": item.path, "status": "error",
                                       "reason": "导入此文件时处理进程多次中断，已跳过（文件可能损坏或过大）"})
            continue
        noted = []

        def record(result, seq=seq, noted=noted):
            _note(batch_id, seq, result)
            noted.append(seq)

        result = import_item(item, options, genre=genre, extra_tags=extra_tags, seen=seen, record=record)
        if not noted:
            _note_once(batch_id, seq, result)
    return _finish(batch, token, State.DONE, total=count)


def _start_file(batch_id: int, token: str, seq: int) -> int | None:
    """The heartbeat before each file: how many runs have now started on file `seq` (a run that dies
    on it leaves the count behind), or None when a newer run owns the batch."""
    with transaction.atomic():
        row = (ImportBatch.objects.select_for_update().filter(pk=batch_id, runner=token)
               .values_list("current", "current_tries").first())
        if row is None:
            return None
        tries = row[1] + 1 if row[0] == seq else 1
        ImportBatch.objects.filter(pk=batch_id).update(current=seq, current_tries=tries, updated_at=timezone.now())
    return tries


def _note_once(batch_id: int, seq: int, result: dict) -> None:
    try:
        with transaction.atomic():
            _note(batch_id, seq, result)
    except IntegrityError:
        pass  # another run noted this file a moment ago


def _finish(batch: ImportBatch, token: str, state: str, *, error: str = "", total: int | None = None) -> str | None:
    now = timezone.now()
    changes = {"state": state, "error": error, "finished_at": now, "updated_at": now}
    if total is not None:
        changes["total"] = total
    if not ImportBatch.objects.filter(pk=batch.pk, runner=token).update(**changes):
        return None
    shutil.rmtree(batch.staging_dir(), ignore_errors=True)
    log.info("import batch %s %s", batch.pk, state)
    return state


def start_batch(batch: ImportBatch) -> None:
    """Queue the batch's job (with MIAOBI_JOBS=inline it runs now, before this returns)."""
    from .tasks import import_batch

    import_batch(batch.pk)


def resume_unfinished_batches(stale_after: timedelta | None = None, *, queued: bool = True) -> list[int]:
    """Queue again every batch not finished (with `stale_after`: only those without progress for that
    long; `queued=False`: only those a job had started); returns their ids. Safe to call any time: a
    duplicate run changes nothing."""
    batches = ImportBatch.objects.filter(state__in=[State.QUEUED, State.RUNNING] if queued else [State.RUNNING])
    if stale_after is not None:
        batches = batches.filter(updated_at__lt=timezone.now() - stale_after)
    ids = list(batches.order_by("pk").values_list("pk", flat=True))
    for pk in ids:
        start_batch(ImportBatch(pk=pk))
    return ids


def is_stalled(batch: ImportBatch, after: timedelta = timedelta(minutes=2)) -> bool:
    """Unfinished and without progress for a while: its job was lost (a killed process); offer to resume."""
    return not batch.finished and batch.updated_at < timezone.now() - after
