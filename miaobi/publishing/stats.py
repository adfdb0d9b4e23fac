"""Reads for the stats dashboard (/desk/stats/): every figure for a date range, as plain rows.

Days are local (TIME_ZONE). Page views and visitors come from publishing.counting; unlocks,
downloads, registrations and redemptions from accounts; searches from search.SearchLog; orders
from orders.selectors.studio_figures.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Sum
from django.utils import timezone

from miaobi.accounts.models import Download, RedemptionCode, Unlock, User
from miaobi.library.models import Article
from miaobi.orders.models import Order
from miaobi.orders.selectors import studio_figures
from miaobi.search.models import SearchLog

from .models import DailyCount, DailyVisitor

MAX_RANGE_DAYS = 366
TOP = 20


class RangeError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def parse_range(start: str, end: str, today: date | None = None) -> tuple[date, date]:
    """?from=YYYY-MM-DD&to=YYYY-MM-DD → dates; defaults to the last 30 days; RangeError (Chinese) if bad."""
    today = today or timezone.localdate()
    try:
        end_day = date.fromisoformat(end) if end else today
        start_day = date.fromisoformat(start) if start else end_day - timedelta(days=29)
    except ValueError as exc:
        raise RangeError("日期格式应为 YYYY-MM-DD，例如 2026-11-01。") from exc
    if start_day > end_day:
        raise RangeError("开始日期不能晚于结束日期。")
    if (end_day - start_day).days >= MAX_RANGE_DAYS:
        raise RangeError(f"一次最多查看 {MAX_RANGE_DAYS} 天。")
    return start_day, end_day


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (timezone.make_aware(datetime.combine(start, time.min), tz),
            timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz))


def _per_day(queryset, field_name: str, start: date, end: date) -> dict[date, int]:
    counts: dict[date, int] = {}
    for moment in queryset.values_list(field_name, flat=True):
        day = timezone.localtime(moment).date()
        counts[day] = counts.get(day, 0) + 1
    return counts


@dataclass
class Dashboard:
    start: date
    end: date
    days: list[date] = field(default_factory=list)
    views: list[int] = field(default_factory=list)
    visitors: list[int] = field(default_factory=list)
    unlocks: list[int] = field(default_factory=list)
    downloads: list[int] = field(default_factory=list)
    registrations: list[int] = field(default_factory=list)
    redemptions: list[int] = field(default_factory=list)
    orders: list[int] = field(default_factory=list)
    top_articles: list[tuple[str, int]] = field(default_factory=list)
    top_genres: list[tuple[str, int]] = field(default_factory=list)
    top_tags: list[tuple[str, int]] = field(default_factory=list)
    referrers: list[tuple[str, int]] = field(default_factory=list)
    top_searches: list[tuple[str, int]] = field(default_factory=list)
    zero_searches: list[tuple[str, int]] = field(default_factory=list)
    studio: dict = field(default_factory=dict)

    @property
    def totals(self) -> dict[str, int]:
        return {"浏览量": sum(self.views), "访客数（按日去重）": sum(self.visitors), "解锁全文": sum(self.unlocks),
                "下载": sum(self.downloads), "注册": sum(self.registrations), "兑换卡密": sum(self.redemptions),
                "定制订单": sum(self.orders)}

    @property
    def funnel(self) -> list[tuple[str, int]]:
        """Preview → unlock → download → order, over the range."""
        return [("预览（浏览量）", sum(self.views)), ("解锁全文", sum(self.unlocks)), ("下载", sum(self.downloads)),
                ("定制订单", sum(self.orders))]

    def daily_rows(self) -> list[tuple]:
        return list(zip([d.isoformat() for d in self.days], self.views, self.visitors, self.unlocks, self.downloads,
                        self.registrations, self.redemptions, self.orders))


DAILY_HEADER = ("日期", "浏览量", "访客数", "解锁", "下载", "注册", "兑换", "订单")


def dashboard(start: date, end: date, now: datetime | None = None) -> Dashboard:
    """All figures of the dashboard for the days start..end (inclusive)."""
    board = Dashboard(start=start, end=end)
    board.days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    since, until = _bounds(start, end)

    views = dict(DailyCount.objects.filter(kind="view", day__range=(start, end)).values("day")
                 .annotate(n=Sum("count")).values_list("day", "n"))
    visitors = dict(DailyVisitor.objects.filter(day__range=(start, end)).values("day")
                    .annotate(n=Count("id")).values_list("day", "n"))
    window = {"created_at__gte": since, "created_at__lt": until}
    unlocks = _per_day(Unlock.objects.filter(**window), "created_at", start, end)
    downloads = _per_day(Download.objects.filter(**window), "created_at", start, end)
    registrations = _per_day(User.objects.filter(date_joined__gte=since, date_joined__lt=until), "date_joined", start, end)
    redemptions = _per_day(RedemptionCode.objects.filter(redeemed_at__gte=since, redeemed_at__lt=until),
                           "redeemed_at", start, end)
    orders = _per_day(Order.objects.filter(**window), "created_at", start, end)
    for day in board.days:
        board.views.append(views.get(day, 0))
        board.visitors.append(visitors.get(day, 0))
        board.unlocks.append(unlocks.get(day, 0))
        board.downloads.append(downloads.get(day, 0))
        board.registrations.append(registrations.get(day, 0))
        board.redemptions.append(redemptions.get(day, 0))
        board.orders.append(orders.get(day, 0))

    per_article: dict[int, int] = {}
    for key, n in (DailyCount.objects.filter(kind="view", day__range=(start, end)).values("key")
                   .annotate(n=Sum("count")).values_list("key", "n")):
        if key.isdigit():
            per_article[int(key)] = n
    articles = Article.objects.filter(pk__in=list(per_article)).select_related("genre").prefetch_related("tags")
    genres: dict[str, int] = {}
    tags: dict[str, int] = {}
    titled = []
    for article in articles:
        n = per_article[article.pk]
        titled.append((article.title, n))
        genres[article.genre.name] = genres.get(article.genre.name, 0) + n
        for tag in article.tags.all():
            tags[tag.name] = tags.get(tag.name, 0) + n
    board.top_articles = sorted(titled, key=lambda r: (-r[1], r[0]))[:TOP]
    board.top_genres = sorted(genres.items(), key=lambda r: (-r[1], r[0]))[:TOP]
    board.top_tags = sorted(tags.items(), key=lambda r: (-r[1], r[0]))[:TOP]
    board.referrers = list(DailyCount.objects.filter(kind="referrer", day__range=(start, end)).values("key")
                           .annotate(n=Sum("count")).order_by("-n", "key").values_list("key", "n")[:TOP])
    searches = SearchLog.objects.filter(**window)
    board.top_searches = list(searches.values("query").annotate(n=Count("id")).order_by("-n", "query")
                              .values_list("query", "n")[:TOP])
    board.zero_searches = list(searches.filter(result_count=0).values("query").annotate(n=Count("id"))
                               .order_by("-n", "query").values_list("query", "n")[:TOP])
    board.studio = studio_figures(now)
    return board


def tables(board: Dashboard) -> dict[str, tuple[tuple[str, ...], list[tuple]]]:
    """Every table of the dashboard by name, with its header: the CSV export serves these."""
    return {
        "daily": (DAILY_HEADER, board.daily_rows()),
        "funnel": (("步骤", "次数"), board.funnel),
        "articles": (("文章", "浏览量"), board.top_articles),
        "genres": (("文种", "浏览量"), board.top_genres),
        "tags": (("主题", "浏览量"), board.top_tags),
        "referrers": (("来源网站", "浏览量"), board.referrers),
        "searches": (("搜索词", "次数"), board.top_searches),
        "zero": (("无结果搜索词", "次数"), board.zero_searches),
        "orders": (("订单状态", "数量"), board.studio.get("by_state", [])),
        "revenue": (("月份", "收入（元）"), [(m, str(v)) for m, v in board.studio.get("revenue", [])]),
    }
