"""Slow, then lock, repeated failed logins per account and per IP (kept in the database, shared by workers)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import LoginFailure

FREE_FAILURES = 3  # then each try must wait SLOW_SECONDS after the last failure
SLOW_SECONDS = 30
LOCK_AFTER = 6
FORGET_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class Refusal:
    retry_at: datetime
    message: str


def _keys(identifier: str, ip: str | None) -> list[str]:
    keys = [f"id:{identifier.strip().lower()[:100]}"]
    if ip:
        keys.append(f"ip:{ip}")
    return keys


def login_refusal(identifier: str, ip: str | None, now: datetime | None = None) -> Refusal | None:
    """If logins for this account or IP must wait, when and why (a Chinese message); else None."""
    now = now or timezone.now()
    for row in LoginFailure.objects.filter(key__in=_keys(identifier, ip)):
        if row.last_at < now - FORGET_AFTER:
            continue
        if row.locked_until and row.locked_until > now:
            when = timezone.localtime(row.locked_until)
            return Refusal(row.locked_until, f"登录失败次数过多，账户已暂时锁定，请于 {when:%H:%M} 后再试。")
        if row.count >= FREE_FAILURES:
            retry = row.last_at + timedelta(seconds=SLOW_SECONDS)
            if retry > now:
                seconds = int((retry - now).total_seconds()) + 1
                return Refusal(retry, f"登录失败次数较多，请 {seconds} 秒后再试。")
    return None


def record_login_failure(identifier: str, ip: str | None, now: datetime | None = None) -> None:
    now = now or timezone.now()
    lock_minutes = settings.MIAOBI_LOGIN_LOCK_MINUTES
    with transaction.atomic():
        for key in _keys(identifier, ip):
            row, created = LoginFailure.objects.select_for_update().get_or_create(key=key, defaults={"last_at": now})
            if row.last_at < now - FORGET_AFTER:
                row.count = 0
                row.locked_until = None
            row.count = (row.count or 0) + 1
            row.last_at = now
            if row.count >= LOCK_AFTER:
                row.locked_until = now + timedelta(minutes=lock_minutes)
            row.save()


def record_login_success(identifier: str, ip: str | None) -> None:
    # A success clears the account's count; the IP's count stays (one IP may guess many accounts).
    LoginFailure.objects.filter(key=_keys(identifier, ip)[0]).delete()
