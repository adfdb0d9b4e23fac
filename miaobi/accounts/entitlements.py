"""Who may read and download what: one module, one set of rules. The gate asks here.

- Visitor: the preview.
- Registered: MIAOBI_FREE_QUOTA full texts per calendar month (Asia/Shanghai); unlocking spends one;
  an unlocked text stays readable forever.
- 次卡 holder: each unlock beyond the free quota spends one paid unlock (they never expire).
- Member (月卡/季卡/年卡, stacking extends the expiry): every full text, up to MIAOBI_DAILY_READ_CAP
  new full texts a day.
- Staff: everything.
Downloads: whoever may read the full text, up to MIAOBI_DAILY_DOWNLOAD_CAP files a day (staff exempt).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Download, Membership, Plan, ReadingEvent, Unlock, User


class EntitlementError(Exception):
    """Refused: `message` is for the reader (Chinese), `code` for logs and tests."""

    def __init__(self, code: str, message: str):
        super().__init__(code)
        self.code = code
        self.message = message


def _is_reader(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def local_today(now: datetime | None = None):
    return timezone.localtime(now or timezone.now()).date()


def month_start(now: datetime | None = None) -> datetime:
    local = timezone.localtime(now or timezone.now())
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def membership_ends_at(user, now: datetime | None = None) -> datetime | None:
    """When the user's membership ends (stacked grants included), or None if not a member now."""
    if not _is_reader(user):
        return None
    now = now or timezone.now()
    periods = list(Membership.objects.filter(user=user, ends_at__gt=now).values_list("starts_at", "ends_at"))
    if not any(starts <= now for starts, _ in periods):
        return None
    return max(ends for _, ends in periods)


def free_quota_left(user, now: datetime | None = None) -> int:
    if not _is_reader(user):
        return 0
    used = Unlock.objects.filter(user=user, kind=Unlock.Kind.FREE, created_at__gte=month_start(now)).count()
    return max(0, settings.MIAOBI_FREE_QUOTA - used)


@dataclass(frozen=True)
class Access:
    full: bool
    reason: str  # staff | member | unlocked | visitor | locked | daily_cap


def full_text_access(user, article, now: datetime | None = None) -> Access:
    """Whether `user` may read `article` in full, and why."""
    if not _is_reader(user):
        return Access(False, "visitor")
    if user.is_staff:
        return Access(True, "staff")
    if Unlock.objects.filter(user=user, article=article).exists():
        return Access(True, "unlocked")
    if membership_ends_at(user, now):
        today = local_today(now)
        reads = ReadingEvent.objects.filter(user=user, day=today, full_text=True)
        if reads.count() >= settings.MIAOBI_DAILY_READ_CAP and not reads.filter(article=article).exists():
            return Access(False, "daily_cap")
        return Access(True, "member")
    return Access(False, "locked")


def unlock_article(user: User, article, now: datetime | None = None) -> Unlock:
    """Spend one free unit (or one 次卡 unlock) to make `article` readable by `user` forever.

    Atomic: the user's row is locked (SELECT … FOR UPDATE on PostgreSQL; SQLite serialises writers
    with IMMEDIATE transactions), so two concurrent unlocks with one unit left grant exactly one.
    Unlocking an already unlocked article costs nothing and returns the existing unlock.
    """
    if not _is_reader(user):
        raise EntitlementError("login_required", "请先登录或注册，再获取全文。")
    now = now or timezone.now()
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        existing = Unlock.objects.filter(user=locked, article=article).first()
        if existing:
            return existing
        if free_quota_left(locked, now) > 0:
            kind = Unlock.Kind.FREE
        elif locked.paid_unlocks > 0:
            kind = Unlock.Kind.PAID
            locked.paid_unlocks -= 1
            locked.save(update_fields=["paid_unlocks"])
        elif membership_ends_at(locked, now):
            kind = Unlock.Kind.MEMBER
        else:
            raise EntitlementError("no_quota", "本月免费额度已用完。开通会员或使用次卡即可继续阅读全文。")
        try:
            with transaction.atomic():
                return Unlock.objects.create(user=locked, article=article, kind=kind, created_at=now)
        except IntegrityError:  # a concurrent request unlocked it first
            return Unlock.objects.get(user=locked, article=article)


def record_reading(user, article, full_text: bool, now: datetime | None = None) -> None:
    """Reading history, and the count behind the daily cap of full texts."""
    if not _is_reader(user):
        return
    now = now or timezone.now()
    updated = ReadingEvent.objects.filter(user=user, article=article, day=local_today(now)).update(
        last_read_at=now, full_text=full_text)
    if not updated:
        try:
            with transaction.atomic():
                ReadingEvent.objects.create(user=user, article=article, day=local_today(now),
                                            full_text=full_text, last_read_at=now)
        except IntegrityError:
            pass  # a parallel request of the same reader recorded it


def downloads_left_today(user, now: datetime | None = None) -> int:
    if not _is_reader(user):
        return 0
    start = timezone.localtime(now or timezone.now()).replace(hour=0, minute=0, second=0, microsecond=0)
    used = Download.objects.filter(user=user, created_at__gte=start).count()
    return max(0, settings.MIAOBI_DAILY_DOWNLOAD_CAP - used)


def check_download(user, article, now: datetime | None = None) -> None:
    """Raise EntitlementError unless `user` may download `article` now."""
    access = full_text_access(user, article, now)
    if not access.full:
        if access.reason == "visitor":
            raise EntitlementError("login_required", "请先登录，再下载 Word。")
        raise EntitlementError("not_entitled", "获取全文后才能下载。")
    if not user.is_staff and downloads_left_today(user, now) <= 0:
        raise EntitlementError("daily_cap", f"今天的下载次数已达上限（{settings.MIAOBI_DAILY_DOWNLOAD_CAP} 次），请明天再来。")


@transaction.atomic
def grant_plan(user: User, plan: Plan, *, source: str, now: datetime | None = None) -> str:
    """Give `user` one unit of `plan`: member time (stacking extends the expiry) or 次卡 unlocks.

    Returns a Chinese sentence describing what was granted.
    """
    now = now or timezone.now()
    locked = User.objects.select_for_update().get(pk=user.pk)
    if plan.kind == Plan.Kind.COUNT:
        locked.paid_unlocks += plan.unlocks
        locked.save(update_fields=["paid_unlocks"])
        return f"已增加 {plan.unlocks} 篇全文解锁次数（永久有效），当前共 {locked.paid_unlocks} 篇。"
    current_end = Membership.objects.filter(user=locked, ends_at__gt=now).order_by("-ends_at") \
        .values_list("ends_at", flat=True).first()
    starts = max(now, current_end) if current_end else now
    ends = starts + timedelta(days=plan.days)
    Membership.objects.create(user=locked, plan=plan, starts_at=starts, ends_at=ends, source=source, created_at=now)
    return f"已开通{plan.name}，会员有效期至 {timezone.localtime(ends):%Y-%m-%d %H:%M}。"
