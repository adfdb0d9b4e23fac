"""The embedded default's shared cache: files under the data directory, seen by every worker.

Django's FileBasedCache lists the whole folder on every write to decide whether to cull; with
tens of thousands of cached pages that listing costs more than the write. Here a process culls at
most once a minute.
"""
from __future__ import annotations

import time

from django.core.cache.backends.filebased import FileBasedCache

CULL_EVERY_SECONDS = 60


class SharedFileCache(FileBasedCache):
    _last_cull = 0.0

    def _cull(self):
        now = time.monotonic()
        if now - self._last_cull < CULL_EVERY_SECONDS:
            return
        self._last_cull = now
        super()._cull()
