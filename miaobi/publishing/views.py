"""Pages of the publishing app: robots.txt, the API docs page, API tokens in /me/, the stats dashboard."""
from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from miaobi.library.models import Article
from miaobi.orders.access import is_writer_only

from . import charts, stats
from .api import api
from .counting import flush_counts
from .models import ApiToken
from .seo import absolute, qr_svg
from .tokens import TokenError, create_token, revoke_token

DISALLOWED = ["/desk/", "/me/", "/admin/", "/search/", "/orders/", "/accounts/", "/redeem/", "/api/"]


@require_GET
def robots_txt(request):
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in DISALLOWED), "Disallow: /*?as=", "",
             f"Sitemap: {request.build_absolute_uri(reverse('publishing:sitemap'))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@require_GET
def api_docs(request):
    """A minimal API reference rendered on the server from the OpenAPI schema (no CDN, no script)."""
    schema = api.get_openapi_schema()
    operations = []
    for path, methods in schema.get("paths", {}).items():
        for method, op in methods.items():
            params = [(p["name"], p["in"], p.get("required", False), p.get("description", ""))
                      for p in op.get("parameters", [])]
            operations.append({"method": method.upper(), "path": path, "summary": op.get("summary", ""),
                               "description": op.get("description", ""), "params": params,
                               "body": "requestBody" in op, "tags": op.get("tags", [])})
    return render(request, "publishing/api_docs.html", {
        "schema": schema, "operations": operations, "openapi_url": reverse("api:openapi-json")})


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    """List, create (shown once) and revoke the reader's own API tokens."""
    new_token = None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "revoke":
                raw = request.POST.get("token", "")
                if not (raw.isascii() and raw.isdigit() and len(raw) < 19):
                    raise TokenError("没有找到这个令牌，可能已被撤销。")
                row = revoke_token(request.user, int(raw))
                messages.success(request, f"令牌“{row.name}”已撤销，使用它的程序将无法再访问。")
                return redirect("publishing:tokens")
            _row, new_token = create_token(request.user, request.POST.get("name", ""))
        except TokenError as exc:
            messages.error(request, exc.message)
            return redirect("publishing:tokens")
    response = render(request, "publishing/tokens.html", {
        "tokens": ApiToken.objects.filter(user=request.user), "new_token": new_token,
        "docs_url": reverse("publishing:api_docs")})
    response["Cache-Control"] = "no-store"  # the new token is shown once: never keep it in a cache
    return response


@staff_member_required
@require_GET
def stats_page(request):
    """The dashboard; ?export=<table> downloads that table as CSV."""
    if is_writer_only(request.user):
        raise PermissionDenied("写手没有查看统计的权限。")
    flush_counts()  # this worker's buffered counts, so the figures are current
    try:
        start, end = stats.parse_range(request.GET.get("from", "")[:10], request.GET.get("to", "")[:10])
        error = ""
    except stats.RangeError as exc:
        start, end = stats.parse_range("", "")
        error = exc.message
    board = stats.dashboard(start, end)
    table_map = stats.tables(board)
    export = request.GET.get("export", "")
    if export:
        if export not in table_map:
            response = HttpResponse("没有这个表格。", status=404, content_type="text/plain; charset=utf-8")
            return response
        return csv_response(f"stats-{export}-{start}-{end}.csv", *table_map[export])
    labels = [d.strftime("%m-%d") for d in board.days]
    context = {
        "board": board, "error": error, "start": start, "end": end,
        "traffic_chart": charts.line_chart(labels, {"浏览量": board.views, "访客数": board.visitors},
                                           title="每日浏览量与访客数"),
        "conversion_chart": charts.line_chart(labels, {"解锁": board.unlocks, "下载": board.downloads,
                                                       "注册": board.registrations, "订单": board.orders},
                                              title="每日解锁、下载、注册与订单"),
        "funnel_chart": charts.bar_chart(board.funnel, title="转化漏斗"),
        "articles_chart": charts.bar_chart(board.top_articles[:10], title="热门文章"),
        "orders_chart": charts.bar_chart(board.studio.get("by_state", []), title="订单状态"),
        "tables": table_map,
        "export_qs": f"from={start.isoformat()}&to={end.isoformat()}",
    }
    response = render(request, "publishing/stats.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


def csv_response(filename: str, header, rows) -> HttpResponse:
    """A CSV download with a BOM, so Excel opens the Chinese text correctly."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe_cell(v) for v in row])
    return response


def _safe_cell(value):
    """Neutralise spreadsheet formulas in user-written text (search queries, titles)."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@require_GET
def article_qr(request, pk: int):
    """The QR code of a public article's address, as an SVG image (desktop article pages show it)."""
    article = get_object_or_404(Article.objects.published().only("pk"), pk=pk)
    response = HttpResponse(qr_svg(absolute(request, article.get_absolute_url())), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response
