"""API rate limits: N requests per period per token, else per client IP, counted in the Django cache.

MIAOBI_API_RATE (per token, default 300/m) and MIAOBI_API_IP_RATE (per IP, default 60/m) read
like MIAOBI_SEARCH_RATE ("60/m", "1000/h", "off"). Only the current window's counter is kept;
with Redis unreachable each worker counts on its own (miaobi/search/ratelimit.py says why).
"""
from __future__ import annotations

import os

from django.conf import settings

from miaobi.search.ratelimit import Rate, client_ip, over_limit, parse_rate

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
    return over_limit(f"apilimit:{bucket}", rate)


def api_rate_limit(request, token_bucket: str | None) -> int | None:
    """Per token when the caller uses one, else per IP (sessions and visitors)."""
    if token_bucket:
        return hit(token_bucket, rate_for("MIAOBI_API_RATE"))
    return hit(f"ip:{client_ip(request)}", rate_for("MIAOBI_API_IP_RATE"))
