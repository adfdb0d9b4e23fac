"""The Redis cache (REDIS_URL) that the site can lose without going down.

django-redis with IGNORE_EXCEPTIONS turns a failed cache call into a miss, so pages are built from
the database. On top of that a breaker per process: after one connection error Redis is left alone
for BREAK_SECONDS (every cache call is an instant miss instead of a connect attempt that may take
the socket timeout), then tried again. The outage is logged once when it starts and once when it
ends, not once per request.

Code that must tell "Redis did not answer" from "the key is missing" (rate-limit counters, the
library generation) asks `cache_unavailable()`.
"""
from __future__ import annotations

import functools
import logging
import threading
import time

from django.core.cache import cache
from django_redis.client import DefaultClient
from django_redis.exceptions import ConnectionInterrupted

log = logging.getLogger("miaobi.cache")

BREAK_SECONDS = 5.0


class _Breaker:
    """Per-process state of the Redis connection: up, or down until a retry time."""

    def __init__(self):
        self._lock = threading.Lock()
        self.down_since: float | None = None
        self.retry_at = 0.0

    def is_open(self) -> bool:
        return self.down_since is not None and time.monotonic() < self.retry_at

    def failed(self, error: BaseException, server: str) -> None:
        with self._lock:
            if self.down_since is None:
                self.down_since = time.monotonic()
                cause = error.__cause__ or error
                log.warning("Redis unreachable at %s (%s: %s); serving from the database without the cache",
                            server, type(cause).__name__, cause)
            self.retry_at = time.monotonic() + BREAK_SECONDS

    def succeeded(self) -> None:
        if self.down_since is None:
            return
        with self._lock:
            if self.down_since is not None:
                log.warning("Redis reachable again after %.0f s; cache back in use", time.monotonic() - self.down_since)
                self.down_since = None


breaker = _Breaker()


def _guarded(method):
    @functools.wraps(method)
    def call(self, *args, **kwargs):
        if breaker.is_open():
            raise ConnectionInterrupted(connection=None)
        try:
            result = method(self, *args, **kwargs)
        except ConnectionInterrupted as exc:
            breaker.failed(exc, self._server_label)
            raise
        breaker.succeeded()
        return result

    return call


class ResilientClient(DefaultClient):
    """django-redis's client with the breaker around every call the site makes."""

    @property
    def _server_label(self) -> str:
        # The URL without a password, for the log.
        return ", ".join(s.rsplit("@", 1)[-1] for s in self._server)


for _name in ("set", "add", "get", "delete", "delete_many", "delete_pattern", "clear", "get_many", "set_many",
              "incr", "decr", "ttl", "expire", "persist", "has_key", "touch", "incr_version", "keys", "iter_keys"):
    setattr(ResilientClient, _name, _guarded(getattr(DefaultClient, _name)))


def cache_unavailable() -> bool:
    """True while this process has found the shared cache unreachable (never with the local-memory cache)."""
    return breaker.down_since is not None and getattr(cache, "_ignore_exceptions", False)

