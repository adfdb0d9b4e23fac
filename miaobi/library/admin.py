from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from miaobi.moderation.html import article_integrity_html, flags_html
from miaobi.moderation.services import PublishBlocked, article_publishable, check_publishable, publication_problem

from .fragments import library_changed
from .gate import article_preview
from .models import Article, Genre, Tag
from .rendering import preview_blocks
from .services import article_changed, delete_articles, set_status, tidy_articles
from .structure import parse_structure
from .tidying import body_digest, tidy_changes

LEVEL_NAMES = {1: "一级标题", 2: "二级标题", 3: "三级标题", 4: "四级标题", 5: "五级标题"}


@admin.register(Genre)
class GenreAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "preview_ratio", "preview_max_chars"]
    list_editable = ["position"]
    search_fields = ["name", "slug"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        library_changed()  # genre names and counts appear in cached lists


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        library_changed()


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "genre", "status", "published_at", "word_count", "view_count", "visitor_link"]
    list_filter = ["status", "genre", "tags", "published_at"]
    search_fields = ["title", "body"]
    date_hierarchy = "published_at"
    filter_horizontal = ["tags"]
    list_select_related = ["genre"]
    readonly_fields = ["word_count", "view_count", "structure_view", "preview_view", "visitor_link", "moderation_view", "integrity_view"]

    class Media:
        css = {"all": ["miaobi/admin.css"]}  # the fragments' classes (no style attributes under the CSP)
    actions = ["publish_selected", "archive_selected", "draft_selected", "tidy_selected", "delete_selected_articles"]
    fieldsets = [
        (None, {"fields": ["title", "genre", "tags", "body", "source", "status", "published_at"]}),
        ("预览设置", {"fields": ["preview_ratio", "preview_max_chars", "visitor_link"], "classes": ["collapse"]}),
        ("结构与预览", {"fields": ["word_count", "view_count", "structure_view", "preview_view"]}),
        ("内容审核", {"fields": ["moderation_view", "integrity_view"]}),
    ]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # deletion goes through delete_articles
        return actions

    @admin.display(description="读者视角")
    def visitor_link(self, obj):
        if not obj.pk:
            return "保存后可预览"
        return format_html('<a href="{}?as=visitor" target="_blank" rel="noopener">以读者身份预览</a>', obj.get_absolute_url())

    @admin.display(description="识别出的结构")
    def structure_view(self, obj):
        if not obj.pk:
            return "保存后显示"
        outline = parse_structure(obj.body)
        rows = [
            (LEVEL_NAMES[b.level], obj.body[b.start:b.title_end][:60])
            for b in outline.blocks if b.kind == "heading"
        ]
        salutation = outline.salutation
        head = format_html("<p>称呼：{}</p>", obj.body[salutation.start:salutation.end]) if salutation else ""
        if not rows:
            return format_html("{}<p>未识别到标题（预览将显示开头和中间片段）。</p>", head)
        return format_html("{}<ul>{}</ul>", head, format_html_join("", "<li>{}：{}</li>", rows))

    @admin.display(description="读者看到的预览")
    def preview_view(self, obj):
        if not obj.pk:
            return "保存后显示"
        preview = article_preview(obj)
        items = format_html_join(
            "", "<p>{}</p>",
            (("……略……" if b.tag == "elision" else "".join(t for t, _ in b.pieces),) for b in preview_blocks(preview)),
        )
        return format_html("<div class='mb-preview'>{}<p>……</p><p><em>预览 {} 字 / 上限 {} 字，全文 {} 字</em></p></div>",
                           items, preview.shown_chars, preview.budget, preview.total_chars)

    @admin.display(description="审核提示")
    def moderation_view(self, obj):
        return flags_html(obj) if obj.pk else "保存后显示"

    @admin.display(description="文本完整性检查")
    def integrity_view(self, obj):
        return article_integrity_html(obj) if obj.pk else "保存后显示"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article_changed(form.instance)  # tags are saved by now; this also screens the text
        article = form.instance
        if article.status == Article.Status.PUBLISHED and not article_publishable(article):
            set_status([article], Article.Status.REVIEW)  # held until an editor clears the flags
            self.message_user(request, f"{publication_problem(article)}已转为“待审”。", messages.WARNING)

    def delete_model(self, request, obj):
        delete_articles([obj])

    def delete_queryset(self, request, queryset):
        delete_articles(queryset)

    def _move(self, request, queryset, status, label):
        articles, refused = list(queryset), []
        if status == Article.Status.PUBLISHED:  # articles with unresolved review/block flags stay as they are
            for article in [a for a in articles if a.status != status]:
                try:
                    check_publishable(article)
                except PublishBlocked as exc:
                    refused.append(str(exc))
                    articles.remove(article)
        try:
            changed = set_status(articles, status)
        except PublishBlocked as exc:  # flagged in the meantime: nothing changed
            changed, refused = 0, [*refused, str(exc)]
        self.message_user(request, f"已将 {changed} 篇文章设为“{label}”。", messages.SUCCESS)
        for reason in refused:
            self.message_user(request, f"未发布：{reason}", messages.WARNING)

    @admin.action(description="发布所选文章")
    def publish_selected(self, request, queryset):
        self._move(request, queryset, Article.Status.PUBLISHED, "已发布")

    @admin.action(description="归档所选文章")
    def archive_selected(self, request, queryset):
        self._move(request, queryset, Article.Status.ARCHIVED, "已归档")

    @admin.action(description="将所选文章退回草稿")
    def draft_selected(self, request, queryset):
        self._move(request, queryset, Article.Status.DRAFT, "草稿")

    @admin.action(description="规范空白与标点", permissions=["change"])
    def tidy_selected(self, request, queryset):
        """First a preview of every change; the bodies are saved only when the editor confirms that page,
        and only those still as previewed."""
        if request.POST.get("confirm") == "yes":
            seen = {a.pk: request.POST.get(f"digest_{a.pk}", "") for a in queryset}
            tidied, stale = tidy_articles(seen)
            self.message_user(request, f"已规范 {len(tidied)} 篇文章的空白与标点。", messages.SUCCESS)
            if stale:
                self.message_user(request, "以下文章在此期间已被修改，未作改动，请重新预览：" +
                                  "、".join(a.title for a in stale), messages.WARNING)
            return None
        previews, unchanged = [], 0
        for article in queryset:
            changes = tidy_changes(article.body)
            if changes:
                previews.append({"article": article, "changes": changes, "digest": body_digest(article.body)})
            else:
                unchanged += 1
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "title": "规范空白与标点：确认改动",
                   "previews": previews, "unchanged": unchanged}
        return TemplateResponse(request, "admin/library/article/tidy.html", context)

    @admin.action(description="删除所选文章")
    def delete_selected_articles(self, request, queryset):
        count = delete_articles(queryset)
        self.message_user(request, f"已删除 {count} 篇文章。", messages.SUCCESS)

    def view_on_site(self, obj):
        return reverse("library:article", args=[obj.pk])
