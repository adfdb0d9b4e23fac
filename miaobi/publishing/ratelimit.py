"""API rate limits: N requests per period per token, else per client IP, counted in the Django cache.

MIAOBI_API_RATE (per token, default 300/m) and MIAOBI_API_IP_RATE (per IP, default 60/m) read
like MIAOBI_SEARCH_RATE ("60/m", "1000/h", "off"). Only the current window's counter is kept.
"""
from __future__ import annotations

import os
import time

from django.conf import settings
from django.core.cache import cache

from miaobi.search.ratelimit import Rate, client_ip, parse_rate

DEFAULTS = {"MIAOBI_API_RATE": "300/m", "MIAOBI_API_IP_RATE": "60/m"}


def rate_for(setting: str) -> Rate | None:
    raw = getattr(settings, setting, None) or os.environ.get(setting) or DEFAULTS[setting]
    try:
        return parse_rate(raw)
    except ValueError:
        return parse_rate(DEFAULTS[setting])


def hit(bucket: str, rate: Rate | None) -> int | None:
    """Count one request in `bucket`; None if allowed, else seconds until the window ends."""
    if rate is None:
        return None
    now = time.time()
    window = int(now // rate.seconds)
    key = f"apilimit:{bucket}:{rate.seconds}:{window}"
    cache.add(key, 0, rate.seconds + 5)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, rate.seconds + 5)
        count = 1
    if count <= rate.count:
        return None
    return max(1, int((window + 1) * rate.seconds - now) + 1)


def api_rate_limit(request, token_bucket: str | None) -> int | None:
    """Per token when the caller uses one, else per IP (sessions and visitors)."""
    if token_bucket:
        return hit(token_bucket, rate_for("MIAOBI_API_RATE"))
    return hit(f"ip:{client_ip(request)}", rate_for("MIAOBI_API_IP_RATE"))
