"""Is this process able to serve? The database and the cache, each checked with one cheap round trip."""
from __future__ import annotations

import logging
import uuid

from django.core.cache import cache
from django.db import connection

log = logging.getLogger(__name__)

PROBE_KEY = "miaobi:healthz"


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    """A value written must be read back: a cache that swallows errors (Redis down) reads None."""
    token = uuid.uuid4().hex
    cache.set(PROBE_KEY, token, 30)
    if cache.get(PROBE_KEY) != token:
        raise RuntimeError("the cache did not return the value just written")


CHECKS = {"database": check_database, "cache": check_cache}


def health() -> tuple[bool, dict[str, str]]:
    """(all fine, {"database": "ok" | "error", ...}); failures are logged with their reason."""
    parts = {}
    for name, check in CHECKS.items():
        try:
            check()
            parts[name] = "ok"
        except Exception as exc:  # any failure means "not healthy": say which part, log why
            log.error("health check: %s failed: %s: %s", name, type(exc).__name__, exc)
            parts[name] = "error"
    return all(v == "ok" for v in parts.values()), parts
