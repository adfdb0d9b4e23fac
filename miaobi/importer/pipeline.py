"""Prepare an import's files in worker processes while this process writes the database.

Per file, more than half of the work needs no database: decoding and parsing, the MinHash signature,
the originality fingerprints, screening against the lexicon, the integrity lint (services.prepare_item).
A batch hands that to a pool of forked processes and keeps the database half (duplicate checks, the
article's transaction, the indexes) here, in file order, so results, duplicates within the batch and
the report are what the one-process import gives.

When no pool is used (it is never required):
- the batch is small (the first INLINE_FIRST files go inline; most uploads end there);
- MIAOBI_IMPORT_WORKERS is 0, or the machine has a single core;
- this process runs other threads (a web server or job worker thread): forking a threaded process can
  copy a lock held by another thread, so only a single-threaded process (the command line) forks.
A worker that dies (killed, out of memory) costs nothing: its files are prepared here instead.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections import deque
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from django.conf import settings

log = logging.getLogger(__name__)
INLINE_FIRST = 8     # files prepared here before a pool is worth its start
MAX_WORKERS = 4
AHEAD_PER_WORKER = 4  # files in flight per worker: bounds memory (a file may be 50 MB)

_job = None  # (options, tag_names, lexicon) of the running batch, inherited by forked workers


def import_workers() -> int:
    """MIAOBI_IMPORT_WORKERS (settings, from the environment), else one process per core (max 4) on a machine
    with two or more: this process mostly waits for the database and for them."""
    value = getattr(settings, "MIAOBI_IMPORT_WORKERS", None)
    if value is not None:
        return max(0, int(value))
    cores = os.cpu_count() or 1
    return min(MAX_WORKERS, cores) if cores >= 2 else 0


def _prepare(path: str, name: str, data: bytes):
    from .services import prepare_item

    options, tag_names, lexicon = _job
    return prepare_item(path, name, data, options, tag_names, lexicon)


class Pipeline:
    def __init__(self, options, tag_names: list[str], lexicon, workers: int | None = None):
        self.job = (options, tag_names, lexicon)
        self.workers = import_workers() if workers is None else workers
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        global _job
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        _job = None
        return False

    def _can_fork(self) -> bool:
        return (self.workers > 0 and threading.active_count() == 1
                and "fork" in multiprocessing.get_all_start_methods())

    def _start_pool(self) -> None:
        global _job
        _job = self.job
        self.pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("fork"))

    def _inline(self, path: str, name: str, data: bytes):
        from .services import prepare_item

        return prepare_item(path, name, data, *self.job)

    def prepared(self, items):
        """Yield a services.Prepared per item, in the items' order."""
        from .services import Prepared, finished_item, read_item

        pending: deque = deque()  # (item, data, future or Prepared)
        seen = 0
        for item in items:
            if item.skipped or item.error:
                pending.append((item, None, Prepared(finished_item(item))))
            else:
                data = read_item(item)
                if isinstance(data, dict):  # could not be read
                    pending.append((item, None, Prepared(data)))
                else:
                    seen += 1
                    if self.pool is None and seen > INLINE_FIRST and self._can_fork():
                        self._start_pool()
                    if self.pool is None:
                        pending.append((item, None, self._inline(item.path, item.name, data)))
                    else:
                        pending.append((item, data, self._submit(item, data)))
            while pending and (not isinstance(pending[0][2], Future) or pending[0][2].done()
                               or len(pending) > self.workers * AHEAD_PER_WORKER):
                yield self._finish(*pending.popleft())
        while pending:
            yield self._finish(*pending.popleft())

    def _submit(self, item, data):
        try:
            return self.pool.submit(_prepare, item.path, item.name, data)
        except (BrokenProcessPool, RuntimeError):
            self._abandon_pool()
            return self._inline(item.path, item.name, data)

    def _finish(self, item, data, outcome):
        if not isinstance(outcome, Future):
            return outcome  # prepared already
        try:
            return outcome.result()
        except (BrokenProcessPool, CancelledError):
            log.warning("import worker process died; preparing the remaining files in this process")
            self._abandon_pool()
            return self._inline(item.path, item.name, data)
        except Exception:
            log.exception("import failed preparing %s", item.path)
            from .services import Prepared

            return Prepared({"path": item.path, "status": "error", "reason": "读取文件时出错（文件可能已损坏）"})

    def _abandon_pool(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = None
        self.workers = 0
