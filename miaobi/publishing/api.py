"""The JSON API at /api/v1/ (django-ninja). Thin: rules live in the library gate, search and order services.

Authentication: the browser session, or a personal token (`Authorization: Bearer mbk_…`, made in
/me/tokens/). Every error is `{"code": "...", "message": "中文"}`. Rate limits: per token, else per IP.
Article text only ever comes from `text_for_viewer` (the one gate).
"""
from __future__ import annotations

import logging
from datetime import datetime

from django.http import Http404
from ninja import Field, NinjaAPI, Path, Query, Schema, Status
from ninja.renderers import JSONRenderer
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.utils import check_csrf

from miaobi.accounts import entitlements
from miaobi.library import selectors
from miaobi.library.gate import may_view_article, text_for_viewer
from miaobi.library.models import Article, Genre, Tag
from miaobi.orders import services as order_services
from miaobi.orders.forms import BriefForm
from miaobi.orders.models import Order, State
from miaobi.orders.workflow import CUSTOMER, Actor
from miaobi.search import services as search_services
from miaobi.search.query import MAX_QUERY_CHARS, parse_query

from .ratelimit import api_rate_limit
from .tokens import user_for_token

log = logging.getLogger(__name__)
MAX_PAGE_SIZE = 50


class ApiError(Exception):
    """A refusal with an HTTP status, a stable code and a Chinese message."""

    def __init__(self, status: int, code: str, message: str, retry_after: int | None = None):
        super().__init__(code)
        self.status, self.code, self.message, self.retry_after = status, code, message, retry_after


class Caller:
    """Who is calling: a token's user, the session's user, or an anonymous visitor."""

    def __init__(self, user, via: str):
        self.user, self.via = user, via

    def __bool__(self) -> bool:  # ninja treats a falsy auth result as "not authenticated"
        return True

    @property
    def is_authenticated(self) -> bool:
        return bool(self.user is not None and self.user.is_authenticated)


def authenticate(request) -> Caller:
    """Resolve the caller and count the request against its rate limit (raises ApiError)."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "bad_authorization", "Authorization 请求头应为“Bearer 令牌”。")
        user = user_for_token(token.strip())
        if user is None:
            raise ApiError(401, "invalid_token", "令牌无效或已撤销。")
        caller, bucket = Caller(user, "token"), f"token:{user.api_token_id}"
    else:
        caller, bucket = Caller(request.user, "session"), None
        if caller.is_authenticated and request.method not in ("GET", "HEAD", "OPTIONS"):
            if check_csrf(request) is not None:
                raise ApiError(403, "csrf_failed", "请求缺少有效的 CSRF 令牌（浏览器会话写操作需要 X-CSRFToken）。")
    wait = api_rate_limit(request, bucket)
    if wait is not None:
        raise ApiError(429, "rate_limited", f"请求过于频繁，请 {wait} 秒后再试。", retry_after=wait)
    request.caller = caller
    return caller


class ChineseJSONRenderer(JSONRenderer):
    """UTF-8 JSON with Chinese as text, not \\u escapes (readable, smaller, and scannable by the leak test)."""

    media_type = "application/json"  # UTF-8 by definition (RFC 8259)
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="妙笔智库 API", version="1", urls_namespace="api", docs_url=None, auth=authenticate,
    renderer=ChineseJSONRenderer(),
    description="范文库与定制代笔的 JSON 接口。浏览器使用登录会话；程序使用个人令牌："
                "请求头 Authorization: Bearer mbk_…（在“我的 › API 令牌”创建）。"
                '错误统一为 {"code": "…", "message": "…"}；请求过于频繁时返回 429 和 Retry-After。',
)


class ErrorOut(Schema):
    code: str
    message: str


def _error(request, status: int, code: str, message: str, retry_after: int | None = None):
    response = api.create_response(request, {"code": code, "message": message}, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@api.exception_handler(ApiError)
def on_api_error(request, exc: ApiError):
    return _error(request, exc.status, exc.code, exc.message, exc.retry_after)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    fields = sorted({".".join(str(p) for p in e.get("loc", [])[1:]) or "body" for e in exc.errors})
    return _error(request, 422, "invalid_input", f"请求参数有误：{'、'.join(fields)}。")


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _error(request, 404, "not_found", "没有找到请求的内容。")


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return _error(request, 401, "unauthorized", "请先登录或提供有效的令牌。")


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    codes = {400: ("bad_request", "请求格式有误。"), 405: ("method_not_allowed", "不支持这种请求方法。")}
    code, message = codes.get(exc.status_code, ("http_error", "请求无法处理。"))
    return _error(request, exc.status_code, code, message)


@api.exception_handler(Exception)
def on_server_error(request, exc):
    log.exception("API error on %s", request.path)
    return _error(request, 500, "server_error", "服务器出错了，请稍后再试。")


def errors(*statuses: int) -> dict:
    return {s: ErrorOut for s in (*statuses, 401, 403, 429)}


# --- schemas ---------------------------------------------------------------------------------

class GenreOut(Schema):
    slug: str
    name: str
    description: str = ""
    article_count: int = 0


class TagOut(Schema):
    slug: str
    name: str


class ArticleListItem(Schema):
    id: int
    title: str
    url: str
    genre: str
    published_at: datetime
    word_count: int


class ArticlePage(Schema):
    items: list[ArticleListItem]
    count: int
    page: int
    pages: int
    page_size: int


class ArticleDetail(Schema):
    id: int
    title: str
    url: str
    genre: GenreOut
    tags: list[TagOut]
    source: str
    published_at: datetime
    updated_at: datetime
    word_count: int
    full: bool = Field(description="true：text 为全文；false：text 为预览（开头、各级标题和节选）")
    access: str = Field(description="staff | member | unlocked | visitor | locked | daily_cap")
    summary: str
    text: str


class SearchHit(ArticleListItem):
    snippet: str
    partial: bool


class SearchPage(Schema):
    query: str
    items: list[SearchHit]
    count: int
    page: int
    pages: int
    page_size: int


class OrderOut(Schema):
    number: str
    state: str
    state_label: str
    topic: str
    genre: str | None
    length_chars: int
    deadline: datetime
    price: str | None
    created_at: datetime


class OrderIn(Schema):
    topic: str = Field(min_length=1, max_length=200)
    genre: str | None = Field(None, max_length=40, description="文种网址标识，如 jianghua")
    occasion: str = Field("", max_length=200)
    audience: str = Field("", max_length=200)
    speaker_role: str = Field("", max_length=100)
    length_chars: int = Field(3000, ge=200, le=100000)
    deadline: datetime
    key_points: str = Field("", max_length=20000)
    contact_mobile: str = Field("", max_length=20)
    contact_wechat: str = Field("", max_length=40)
    contact_email: str = Field("", max_length=254)
    consent: bool = Field(description="同意隐私说明：需求与联系方式仅用于本订单的沟通与撰写（必须为 true）")


class MessageOut(Schema):
    id: int
    author_role: str
    body: str
    created_at: datetime


class MessageIn(Schema):
    body: str = Field(min_length=1, max_length=5000)


class Paging(Schema):
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


class ArticleFilters(Paging):
    genre: str | None = Field(None, max_length=40)
    tag: str | None = Field(None, max_length=60)
    year: int | None = Field(None, ge=1900, le=2999)


class SearchParams(Paging):
    q: str = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    genre: str | None = Field(None, max_length=40)
    tag: str | None = Field(None, max_length=60)
    year: int | None = Field(None, ge=1900, le=2999)


# --- helpers ---------------------------------------------------------------------------------

def _list_item(entry: selectors.ListEntry) -> dict:
    return {"id": entry.pk, "title": entry.title, "url": entry.url, "genre": entry.genre_name,
            "published_at": entry.published_at, "word_count": entry.word_count}


def _page_bounds(count: int, page: int, size: int) -> tuple[int, int]:
    pages = max(1, -(-count // size))
    return min(page, pages), pages


def _public_article(pk: int, user) -> Article:
    article = Article.objects.select_related("genre").filter(pk=pk).first()
    if article is None or not may_view_article(article, user):
        raise ApiError(404, "article_not_found", "文章不存在或尚未发布。")
    return article


def _customer(request) -> Caller:
    caller = request.caller
    if not caller.is_authenticated:
        raise ApiError(401, "login_required", "请先登录或提供有效的令牌。")
    return caller


def _own_order(caller: Caller, number: str) -> Order:
    """The caller's own order; anyone else's number is 'not found', never a hint that it exists."""
    order = Order.objects.select_related("genre").filter(number=number[:20], customer=caller.user).first()
    if order is None:
        raise ApiError(404, "order_not_found", "订单不存在。")
    return order


def _order_out(order: Order) -> dict:
    return {"number": order.number, "state": order.state, "state_label": State(order.state).label,
            "topic": order.topic, "genre": order.genre.name if order.genre else None,
            "length_chars": order.length_chars, "deadline": order.deadline,
            "price": str(order.price) if order.price is not None else None, "created_at": order.created_at}


# --- library ---------------------------------------------------------------------------------

@api.get("/articles", response={200: ArticlePage, **errors(404, 422)}, tags=["范文"], summary="文章列表",
         description="已发布的文章，按发布时间从新到旧；可按文种、主题、年份筛选，分页返回。")
def list_articles(request, filters: Query[ArticleFilters]):
    """Public articles, newest first; filter by genre slug, tag slug and year (of publication)."""
    queryset = Article.objects.published().newest_first()
    if filters.genre:
        genre = Genre.objects.filter(slug=filters.genre).first()
        if genre is None:
            raise ApiError(404, "unknown_genre", "没有这个文种。")
        queryset = queryset.filter(genre=genre)
    if filters.tag:
        tag = Tag.objects.filter(slug=filters.tag).first()
        if tag is None:
            raise ApiError(404, "unknown_tag", "没有这个主题。")
        queryset = queryset.filter(tags=tag)
    if filters.year:
        queryset = queryset.filter(published_at__year=filters.year)
    count = queryset.count()
    page, pages = _page_bounds(count, filters.page, filters.page_size)
    start = (page - 1) * filters.page_size
    entries = selectors.list_entries(queryset[start:start + filters.page_size])
    return {"items": [_list_item(e) for e in entries], "count": count, "page": page, "pages": pages,
            "page_size": filters.page_size}


@api.get("/articles/{article_id}", response={200: ArticleDetail, **errors(404, 422)}, tags=["范文"],
         summary="文章详情（预览或全文）",
         description="访客和无权阅读全文的读者得到预览（开头、各级标题和节选）；会员、已解锁该文的读者和编辑得到全文。")
def article_detail(request, article_id: int = Path(..., ge=1, le=2**63 - 1)):
    """The preview, or the full text for a caller the gate entitles (member, unlocked text, staff)."""
    user = request.caller.user
    article = _public_article(article_id, user)
    reading = text_for_viewer(article, user)
    if request.caller.is_authenticated:
        entitlements.record_reading(user, article, full_text=reading.full)
    return {
        "id": article.pk, "title": article.title, "url": article.get_absolute_url(),
        "genre": {"slug": article.genre.slug, "name": article.genre.name, "description": article.genre.description},
        "tags": [{"slug": t.slug, "name": t.name} for t in article.tags.all()],
        "source": article.source, "published_at": article.published_at, "updated_at": article.updated_at,
        "word_count": article.word_count, "full": reading.full, "access": reading.reason,
        "summary": reading.summary, "text": reading.visible_text,
    }


@api.get("/articles/{article_id}/related", response={200: list[ArticleListItem], **errors(404, 422)},
         tags=["范文"], summary="相关阅读")
def related(request, article_id: int = Path(..., ge=1, le=2**63 - 1)):
    article = _public_article(article_id, request.caller.user)
    return [_list_item(e) for e in selectors.related_articles(article)]


@api.get("/latest", response={200: list[ArticleListItem], **errors(422)}, tags=["范文"], summary="最近更新")
def latest(request, limit: int = Query(10, ge=1, le=MAX_PAGE_SIZE)):
    return [_list_item(e) for e in selectors.latest_articles(limit)]


@api.get("/genres", response={200: list[GenreOut], **errors()}, tags=["范文"], summary="文种")
def genres(request):
    return [{"slug": g.slug, "name": g.name, "description": g.description, "article_count": g.article_count}
            for g in selectors.genres_with_counts()]


@api.get("/tags", response={200: list[TagOut], **errors()}, tags=["范文"], summary="主题")
def tags(request):
    return [{"slug": t.slug, "name": t.name} for t in Tag.objects.order_by("name")]


@api.get("/search", response={200: SearchPage, **errors(404, 422)}, tags=["范文"], summary="搜索",
         description="全文搜索；摘要只取自调用者有权看到的文字。")
def search(request, params: Query[SearchParams]):
    """Full-text search; snippets come from what the gate lets the caller see."""
    parsed = parse_query(params.q)
    filters, _chosen, notices = search_services.resolve_filters(
        params.genre or "", params.tag or "", str(params.year or ""))
    if notices:  # an unknown genre or tag: say so rather than search without the filter
        raise ApiError(404, "unknown_filter", notices[0].split("，")[0] + "。")
    outcome = search_services.cached_search(parsed, filters)
    shown = outcome.shown
    page, pages = _page_bounds(len(shown), params.page, params.page_size)
    ids = shown[(page - 1) * params.page_size: page * params.page_size]
    results = search_services.page_results(ids, parsed, request.caller.user, outcome.partial)
    if parsed.display and page == 1:
        search_services.log_search(parsed, outcome.count, outcome.latency_ms, bool(filters))
    items = [{"id": r.article.pk, "title": r.article.title, "url": r.article.get_absolute_url(),
              "genre": r.article.genre.name, "published_at": r.article.published_at,
              "word_count": r.article.word_count, "snippet": r.snippet, "partial": r.partial} for r in results]
    return {"query": parsed.display, "items": items, "count": len(shown), "page": page, "pages": pages,
            "page_size": params.page_size}


# --- orders (customers) ----------------------------------------------------------------------

@api.get("/orders", response={200: list[OrderOut], **errors()}, tags=["定制代笔"], summary="我的订单")
def my_orders(request):
    caller = _customer(request)
    return [_order_out(o) for o in Order.objects.filter(customer=caller.user).select_related("genre")
            .order_by("-created_at", "-id")[:200]]


@api.post("/orders", response={201: OrderOut, **errors(400, 422)}, tags=["定制代笔"], summary="提交定制需求",
          description="规则与网页表单相同：截止时间至少一小时以后、字数 200–100000、至少一种联系方式、须同意隐私说明。")
def create_order(request, payload: OrderIn):
    """Create an order with the same rules as the web form (deadline, length, one contact, screening)."""
    caller = _customer(request)
    data = payload.dict()
    genre = None
    if data.pop("genre"):
        genre = Genre.objects.filter(slug=payload.genre).first()
        if genre is None:
            raise ApiError(400, "unknown_genre", "没有这个文种。")
    form = BriefForm(data={**data, "genre": genre.pk if genre else "", "consent": "on" if data.pop("consent") else "",
                           "deadline": payload.deadline.strftime("%Y-%m-%d %H:%M")})
    if not form.is_valid():
        raise ApiError(400, "invalid_brief", "；".join(e for errs in form.errors.values() for e in errs))
    brief = {k: v for k, v in form.cleaned_data.items() if k not in ("references", "attachments", "consent")}
    try:
        order = order_services.create_order(customer=caller.user, **brief)
    except order_services.BriefRefused as exc:
        raise ApiError(400, "brief_refused", exc.message) from exc
    return Status(201, _order_out(order))


@api.get("/orders/{number}", response={200: OrderOut, **errors(404)}, tags=["定制代笔"], summary="订单详情")
def order_detail(request, number: str):
    return _order_out(_own_order(_customer(request), number))


@api.get("/orders/{number}/messages", response={200: list[MessageOut], **errors(404)}, tags=["定制代笔"],
         summary="订单留言")
def order_messages(request, number: str):
    caller = _customer(request)
    order = _own_order(caller, number)
    order_services.mark_read(order, CUSTOMER)
    return [{"id": m.id, "author_role": m.author_role, "body": m.body, "created_at": m.created_at}
            for m in order.messages.all()]


@api.post("/orders/{number}/messages", response={201: MessageOut, **errors(400, 404, 422)}, tags=["定制代笔"],
          summary="发送留言")
def post_order_message(request, number: str, payload: MessageIn):
    caller = _customer(request)
    order = _own_order(caller, number)
    try:
        message = order_services.post_message(order, actor=Actor(CUSTOMER, caller.user), body=payload.body)
    except order_services.BriefRefused as exc:
        raise ApiError(400, "message_refused", exc.message) from exc
    return Status(201, {"id": message.id, "author_role": message.author_role, "body": message.body,
                        "created_at": message.created_at})
