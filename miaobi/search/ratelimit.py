"""Rate limits for anonymous searches: N requests per period per client IP, counted in the Django cache.

settings.MIAOBI_SEARCH_RATE (env MIAOBI_SEARCH_RATE) reads "30/m": a count, then s, m, h or d
(also "30/min", "100/hour"); "off" disables the limit. A value that cannot be read falls back to
the default and is logged (in English), never an error page. With REDIS_URL every worker shares
the counters; with the per-process default cache each worker counts on its own.

When Redis does not answer, `count_hit` counts in this process's memory instead: the limit still
applies, per worker (so at most workers × N get through), exactly as with the embedded default.
Not the database: during an outage it already serves every page the cache used to, and a write
per search or API call would add to that load (SQLite serialises writes). Login throttling and
卡密 tries are not counted here: they stay in the database (accounts), durable across a Redis
restart and part of the audit log.
"""
from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache

log = logging.getLogger(__name__)
# Counters while the shared cache is unreachable (see the module docstring).
_local_counters = LocMemCache("miaobi-ratelimit-fallback", {"OPTIONS": {"MAX_ENTRIES": 20000}})

DEFAULT_RATE = "30/m"
_PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600,
            "d": 86400, "day": 86400}
_RATE = re.compile(r"^\s*(\d{1,9})\s*/\s*(\d{0,6})\s*([a-z]+)\s*$")


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def parse_rate(value: str | None) -> Rate | None:
    """"30/m" → Rate(30, 60); "off" → None (no limit). Raises ValueError on anything else."""
    text = (value or "").strip().lower()
    if text in {"off", "none", "0", "unlimited"}:
        return None
    match = _RATE.match(text)
    if not match or match.group(3) not in _PERIODS or int(match.group(1)) < 1:
        raise ValueError(f"cannot read rate {value!r}: expected e.g. '30/m', '500/h' or 'off'")
    multiple = int(match.group(2) or 1)
    return Rate(int(match.group(1)), max(1, multiple) * _PERIODS[match.group(3)])


def configured_rate(setting: str = "MIAOBI_SEARCH_RATE", factor: int = 1) -> Rate | None:
    raw = getattr(settings, setting, DEFAULT_RATE)
    try:
        rate = parse_rate(raw)
    except ValueError as exc:
        log.warning("%s: %s; using %s", setting, exc, DEFAULT_RATE)
        rate = parse_rate(DEFAULT_RATE)
    return Rate(rate.count * factor, rate.seconds) if rate else None


def client_ip(request) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is whatever the client writes unless a trusted proxy sets it.
    return (request.META.get("REMOTE_ADDR") or "unknown")[:64]


def retry_after(request, bucket: str, rate: Rate | None) -> int | None:
    """Count this request; None if allowed, else the seconds until the window ends."""
    if rate is None:
        return None
    return over_limit(f"ratelimit:{bucket}:{client_ip(request)}", rate)


def over_limit(bucket_key: str, rate: Rate) -> int | None:
    """Count one hit in the current window of `bucket_key`; None if within `rate`, else seconds to wait."""
    now = time.time()
    window = int(now // rate.seconds)
    count = count_hit(f"{bucket_key}:{rate.seconds}:{window}", rate.seconds + 5)
    if count <= rate.count:
        return None
    return max(1, int((window + 1) * rate.seconds - now) + 1)


def count_hit(key: str, timeout: int) -> int:
    """Add one to the counter `key` (created with `timeout`) and return it; never fails.

    In the shared cache (Redis: every worker counts together); in this process's memory while the
    shared cache is unreachable, since django-redis then answers None instead of raising.
    """
    count = _incr(cache, key, timeout)
    if count is None:
        count = _incr(_local_counters, key, timeout)
    return count


def _incr(store, key: str, timeout: int) -> int | None:
    store.add(key, 0, timeout)
    try:
        return store.incr(key)
    except ValueError:  # expired between add and incr
        store.set(key, 1, timeout)
        return 1
