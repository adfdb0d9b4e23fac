"""卡密: redemption codes sold outside the site. Generated in batches, shown once, stored hashed."""
from __future__ import annotations

import csv
import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TextIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .entitlements import EntitlementError, grant_plan
from .models import CodeBatch, Plan, RedemptionAttempt, RedemptionCode, User

# No 0/O, 1/I/L: codes are read aloud and typed from screenshots.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 16
_SEPARATORS = re.compile(r"[\s\-_—–·.]+")


def format_code(raw: str) -> str:
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def normalise_code(typed: str) -> str:
    """What the user typed, forgiving case, spaces, dashes and full-width characters."""
    text = unicodedata.normalize("NFKC", typed or "").upper()
    return _SEPARATORS.sub("", text)


def hash_code(normalised: str) -> str:
    return hashlib.sha256(normalised.encode()).hexdigest()


@dataclass
class GeneratedBatch:
    batch: CodeBatch
    codes: list[str]  # formatted XXXX-XXXX-XXXX-XXXX, never stored


@transaction.atomic
def generate_codes(*, plan: Plan, count: int, valid_until: datetime | None = None, note: str = "",
                   created_by: User | None = None) -> GeneratedBatch:
    """Create a batch of `count` codes for `plan`; returns the codes, which are not kept in clear."""
    if not 1 <= count <= 10000:
        raise ValueError("count must be between 1 and 10000")
    valid_until = valid_until or timezone.now() + timedelta(days=365)
    batch = CodeBatch.objects.create(plan=plan, count=count, valid_until=valid_until, note=note, created_by=created_by)
    codes, rows = [], []
    seen = set()
    while len(codes) < count:
        raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        digest = hash_code(raw)
        if digest in seen:
            continue
        seen.add(digest)
        codes.append(format_code(raw))
        rows.append(RedemptionCode(batch=batch, code_hash=digest, hint=raw[-4:]))
    RedemptionCode.objects.bulk_create(rows, batch_size=1000)
    return GeneratedBatch(batch, codes)


def write_codes_csv(generated: GeneratedBatch, out: TextIO) -> None:
    writer = csv.writer(out)
    writer.writerow(["code", "plan", "valid_until", "batch"])
    valid = timezone.localtime(generated.batch.valid_until).strftime("%Y-%m-%d %H:%M")
    for code in generated.codes:
        writer.writerow([code, generated.batch.plan.name, valid, generated.batch.pk])


def void_batch(batch: CodeBatch) -> int:
    """Void a batch: its unused codes stop working. Returns how many unused codes were voided."""
    if batch.voided_at is None:
        batch.voided_at = timezone.now()
        batch.save(update_fields=["voided_at"])
    return batch.codes.filter(redeemed_at__isnull=True).count()


def wrong_tries_left(user: User, ip: str | None, now: datetime | None = None) -> int:
    since = (now or timezone.now()) - timedelta(hours=1)
    failures = RedemptionAttempt.objects.filter(created_at__gte=since).exclude(outcome="ok")
    by_user = failures.filter(user=user).count()
    by_ip = failures.filter(ip=ip).count() if ip else 0
    return max(0, settings.MIAOBI_REDEEM_TRIES_PER_HOUR - max(by_user, by_ip))


MESSAGES = {
    "empty": "请输入卡密。",
    "malformed": "卡密格式不正确：应为 16 位字母和数字，如 ABCD-EFGH-JKLM-NPQR。",
    "unknown": "卡密不存在，请核对后重新输入（注意区分字母和数字）。",
    "used": "这张卡密已经被兑换过了。",
    "expired": "这张卡密已过有效期。",
    "voided": "这张卡密已作废，请联系客服。",
    "throttled": "尝试次数过多，请一小时后再试。",
}


def redeem_code(user: User, typed: str, *, ip: str | None = None, now: datetime | None = None) -> str:
    """Redeem a code for `user`; returns a Chinese sentence of what was granted.

    Raises EntitlementError with a distinct code and message for empty, malformed, unknown, used,
    expired and voided codes, and when too many wrong tries came from this account or IP.
    Every try is logged. A code works once, even under concurrent redemption.
    """
    now = now or timezone.now()

    def refuse(outcome: str, code: RedemptionCode | None = None):
        RedemptionAttempt.objects.create(user=user, ip=ip, code=code, outcome=outcome, created_at=now)
        raise EntitlementError(outcome, MESSAGES[outcome])

    if wrong_tries_left(user, ip, now) <= 0:
        raise EntitlementError("throttled", MESSAGES["throttled"])
    normalised = normalise_code(typed)
    if not normalised:
        raise EntitlementError("empty", MESSAGES["empty"])
    if len(normalised) != CODE_LENGTH or any(ch not in ALPHABET for ch in normalised):
        refuse("malformed")
    outcome = "unknown"
    with transaction.atomic():
        code = (RedemptionCode.objects.select_for_update().select_related("batch", "batch__plan")
                .filter(code_hash=hash_code(normalised)).first())
        if code is None:
            outcome = "unknown"
        elif code.redeemed_at is not None:
            outcome = "used"
        elif code.batch.voided_at is not None:
            outcome = "voided"
        elif code.batch.valid_until < now:
            outcome = "expired"
        elif RedemptionCode.objects.filter(pk=code.pk, redeemed_at__isnull=True).update(
                redeemed_by=user, redeemed_at=now):
            message = grant_plan(user, code.batch.plan, source=f"卡密 …{code.hint}", now=now)
            RedemptionAttempt.objects.create(user=user, ip=ip, code=code, outcome="ok", created_at=now)
            return message
        else:
            outcome = "used"  # redeemed by a concurrent request a moment ago
    refuse(outcome, code)  # logged outside the transaction, so the log survives
