"""Rate limits for anonymous searches: N requests per period per client IP, counted in the Django cache.

settings.MIAOBI_SEARCH_RATE (env MIAOBI_SEARCH_RATE) reads "30/m": a count, then s, m, h or d
(also "30/min", "100/hour"); "off" disables the limit. A value that cannot be read falls back to
the default and is logged (in English), never an error page. With REDIS_URL every worker shares
the counters; with the per-process default cache each worker counts on its own.
"""
from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)

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
    now = time.time()
    window = int(now // rate.seconds)
    key = f"ratelimit:{bucket}:{client_ip(request)}:{rate.seconds}:{window}"
    cache.add(key, 0, rate.seconds + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, rate.seconds + 5)
        count = 1
    if count <= rate.count:
        return None
    return max(1, int((window + 1) * rate.seconds - now) + 1)
