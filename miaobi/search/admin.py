"""Staff views of the search log: every search, the ones that found nothing, and the top queries."""
from __future__ import annotations

from django.contrib import admin
from django.db.models import Avg, Count, Max, Q
from django.template.response import TemplateResponse
from django.utils import timezone

from .models import SearchLog, TopQuery, ZeroResultQuery

PERIODS = [(1, "近 1 天"), (7, "近 7 天"), (30, "近 30 天"), (365, "近一年")]
TOP_ROWS = 100


class HasResultsFilter(admin.SimpleListFilter):
    title = "结果"
    parameter_name = "results"

    def lookups(self, request, model_admin):
        return [("zero", "无结果"), ("some", "有结果")]

    def queryset(self, request, queryset):
        if self.value() == "zero":
            return queryset.filter(result_count=0)
        if self.value() == "some":
            return queryset.filter(result_count__gt=0)
        return queryset


class ReadOnlyLogAdmin(admin.ModelAdmin):
    """Logs are written by searches only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SearchLog)
class SearchLogAdmin(ReadOnlyLogAdmin):
    list_display = ["query", "result_count", "latency_ms", "filtered", "created_at"]
    list_filter = [HasResultsFilter, "filtered", "created_at"]
    search_fields = ["query"]
    date_hierarchy = "created_at"


@admin.register(ZeroResultQuery)
class ZeroResultQueryAdmin(ReadOnlyLogAdmin):
    """Searches that found nothing, newest first: what the library (or the dictionary) is missing."""

    list_display = ["query", "filtered", "latency_ms", "created_at"]
    list_filter = ["filtered", "created_at"]
    search_fields = ["query"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(result_count=0)


def top_queries(days: int, zero_only: bool = False, limit: int = TOP_ROWS):
    """The most frequent queries since `days` ago: count, searches without results, mean latency, last time."""
    rows = SearchLog.objects.filter(created_at__gte=timezone.now() - timezone.timedelta(days=days))
    if zero_only:
        rows = rows.filter(result_count=0)
    return list(rows.values("query").annotate(
        searches=Count("id"), zero=Count("id", filter=Q(result_count=0)), results=Avg("result_count"),
        latency=Avg("latency_ms"), last=Max("created_at"),
    ).order_by("-searches", "query")[:limit])


@admin.register(TopQuery)
class TopQueryAdmin(ReadOnlyLogAdmin):
    """An aggregate page instead of a row list: the top queries of a period (?days=7, ?zero=1)."""

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        raw = request.GET.get("days", "30")
        days = int(raw) if raw.isdigit() and int(raw) in dict(PERIODS) else 30
        zero_only = request.GET.get("zero") == "1"
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "热门搜索（无结果）" if zero_only else "热门搜索",
            "rows": top_queries(days, zero_only),
            "days": days,
            "periods": PERIODS,
            "zero_only": zero_only,
            "total": SearchLog.objects.filter(created_at__gte=timezone.now() - timezone.timedelta(days=days)).count(),
        }
        return TemplateResponse(request, "admin/search/topquery/change_list.html", context)
