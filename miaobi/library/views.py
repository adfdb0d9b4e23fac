from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.functional import cached_property
from django.urls import reverse

from miaobi.accounts import entitlements
from miaobi.accounts.models import Favourite
from miaobi.publishing.counting import record_page_view

from . import selectors
from .fragments import cached_fragment
from .gate import may_view_article, text_for_viewer
from .models import Article, Genre, Tag
from .rendering import full_text_blocks, preview_blocks, render_blocks, table_of_contents

class CountedPaginator(Paginator):
    """A Paginator whose total comes from a cheaper query than the page's (no joins, index only)."""

    def __init__(self, object_list, per_page, count_queryset=None, count_key: str = ""):
        super().__init__(object_list, per_page)
        self._count_queryset = count_queryset
        self._count_key = count_key

    @cached_property
    def count(self) -> int:
        if self._count_queryset is None:
            return super().count
        if self._count_key:  # the total of a public list: kept like the lists themselves
            return cached_fragment(f"count:{self._count_key}", self._count_queryset.count)
        return self._count_queryset.count()


def paginate(request, queryset, per_page: int | None = None, count_queryset=None, count_key: str = ""):
    """A page of the queryset; absurd or non-numeric ?page= gives the first or last page, never an error."""
    paginator = CountedPaginator(queryset, per_page or settings.MIAOBI_PAGE_SIZE, count_queryset, count_key)
    raw = request.GET.get("page", "1").strip()
    number = 1
    if raw.isascii() and raw.isdigit():
        number = min(max(int(raw[:12]) if len(raw) <= 12 else paginator.num_pages, 1), paginator.num_pages)
    page = paginator.get_page(number)
    page.elided_range = list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return page


def paginate_articles(request, queryset, list_key: str):
    """A page of list entries (title, genre, date, 字数) of an article queryset; `list_key` names the list."""
    # Counting the rows of the list query would join genres and read every row: count the ids alone,
    # and keep the total (at 100,000 texts even the index-only count is the slowest part of the page).
    page = paginate(request, queryset.values_list(*selectors.LIST_FIELDS),
                    count_queryset=queryset.order_by().values("pk"), count_key=list_key)
    page.object_list = [selectors.ListEntry(*row) for row in page.object_list]
    return page


def home(request):
    return render(request, "library/home.html", {
        "genres": cached_fragment("genres", lambda: list(selectors.genres_with_counts())),
        "latest": cached_fragment("latest", selectors.latest_articles),
        "most_read": cached_fragment("most-read", selectors.most_read_articles, seconds=60),
        "genre_blocks": cached_fragment("genre-blocks", selectors.genre_blocks),
    })


def article_detail(request, pk: int):
    # The row (with its genre) is kept like the other fragments: retired by any library change at
    # once here (and within FRAGMENT_SECONDS in other workers without Redis); building the ORM
    # query cost a third of the page.
    article = cached_fragment(f"article:{pk}", lambda: Article.objects.select_related("genre").filter(pk=pk).first())
    if article is None or not may_view_article(article, request.user):
        raise Http404("文章不存在或尚未发布")
    as_visitor = request.GET.get("as") == "visitor"
    reading = text_for_viewer(article, request.user, as_visitor=as_visitor)
    if article.is_public and not request.user.is_staff:
        record_page_view(request, article)  # 阅读量, daily views, hashed visitors, referrers (buffered)
    if request.user.is_authenticated and not as_visitor:
        entitlements.record_reading(request.user, article, full_text=reading.full)
    stamp = f"{article.pk}:{article.updated_at.timestamp()}"
    context = {
        "article": article,
        "stamp": stamp,
        "origin": f"{request.scheme}://{request.get_host()}",  # cached head and share hold absolute URLs
        "reading": reading,
        # Called by the template only when its cached HTML of these parts has expired.
        "load_tags": lambda: list(article.tags.all()),
        "load_related": lambda: selectors.related_articles(article),
        "load_latest": lambda: cached_fragment("latest", selectors.latest_articles),
        "as_visitor": as_visitor,
        "canonical_url": request.build_absolute_uri(article.get_absolute_url()),
        "order_url": f"{reverse('orders:new')}?ref={article.pk}",
    }
    if reading.full:
        context["body_html"] = render_blocks(full_text_blocks(reading.outline))
        context["toc"] = table_of_contents(reading.outline, article.word_count)
        context["summary"] = reading.summary
        context["downloads_left"] = entitlements.downloads_left_today(request.user)
    else:
        context["quota_left"] = entitlements.free_quota_left(request.user)
        # The preview is the same for every reader the gate gave it to: render it once.
        context["body_html"], context["summary"] = cached_fragment(
            f"preview:{stamp}", lambda: (render_blocks(preview_blocks(reading.preview)), reading.summary))
    if request.user.is_authenticated:
        context["is_favourite"] = Favourite.objects.filter(user=request.user, article=article).exists()
    return render(request, "library/article.html", context)


def genre_list(request):
    return render(request, "library/genres.html", {"genres": cached_fragment("genres", lambda: list(selectors.genres_with_counts()))})


def genre_detail(request, slug: str):
    genre = get_object_or_404(Genre, slug=slug)
    articles = Article.objects.published().filter(genre=genre).newest_first()
    return render(request, "library/list.html", {
        "heading": genre.name, "description": genre.description, "page": paginate_articles(request, articles, f"genre:{genre.pk}"),
        "breadcrumb": [("分类", reverse("library:genres"))], "genre": genre,
    })


def tag_list(request):
    return render(request, "library/tags.html", {"tags": Tag.objects.all()})


def tag_detail(request, slug: str):
    tag = get_object_or_404(Tag, slug=slug)
    articles = Article.objects.published().filter(tags=tag).newest_first()
    return render(request, "library/list.html", {
        "heading": f"主题：{tag.name}", "page": paginate_articles(request, articles, f"tag:{tag.pk}"),
        "breadcrumb": [("主题", reverse("library:tags"))],
    })


def latest(request):
    articles = Article.objects.published().newest_first()
    return render(request, "library/list.html", {"heading": "最近更新", "page": paginate_articles(request, articles, "latest")})
