"""Editors' side of moderation: the lexicon (with import/export), the whitelist and the review queue."""
from __future__ import annotations

import hashlib

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from .html import flag_context, highlighted
from .lexicon_io import LexiconFormatError, export_lexicon, import_lexicon
from .lint import apply_repairs, lint_text
from .models import Flag, Term, WhitelistEntry
from .services import resolve_flags, whitelist_flags


class LexiconImportForm(forms.Form):
    file = forms.FileField(label="词库文件", required=False, help_text="文本（一行一个词语）或 CSV，UTF-8 编码。")
    text = forms.CharField(label="或直接粘贴", required=False, widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
                           help_text="每行：词语 [类别] [处理方式] [建议改为] [备注]，用 Tab 或空格分隔。")
    format = forms.ChoiceField(label="格式", choices=[("auto", "自动识别"), ("text", "文本"), ("csv", "CSV")], initial="auto")
    encoding = forms.ChoiceField(label="编码", choices=[("utf-8", "UTF-8"), ("gb18030", "GBK / GB18030")], initial="utf-8")
    dry_run = forms.BooleanField(label="只检查，不导入", required=False)

    def clean(self):
        data = super().clean()
        if not data.get("file") and not (data.get("text") or "").strip():
            raise forms.ValidationError("请选择文件或粘贴词库内容。")
        return data


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ["text", "category", "action", "replacement", "is_active", "updated_at"]
    list_filter = ["category", "action", "is_active"]
    list_editable = ["action", "is_active"]
    search_fields = ["text", "normalized", "replacement", "note"]
    readonly_fields = ["normalized", "created_at", "updated_at"]
    fields = ["text", "normalized", "category", "action", "replacement", "note", "is_active", "created_at", "updated_at"]
    change_list_template = "admin/moderation/term/change_list.html"

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="moderation_term_import"),
            path("export/", self.admin_site.admin_view(self.export_view), name="moderation_term_export"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            raise PermissionDenied
        errors, report = [], None
        form = LexiconImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read() if upload else form.cleaned_data["text"]
            try:
                report = import_lexicon(
                    data, fmt=form.cleaned_data["format"], filename=upload.name if upload else "",
                    encoding=form.cleaned_data["encoding"], dry_run=form.cleaned_data["dry_run"],
                )
            except LexiconFormatError as exc:
                errors = exc.errors_zh
            else:
                if form.cleaned_data["dry_run"]:
                    self.message_user(request, "检查通过（未导入）：" + report.summary_zh(), messages.INFO)
                else:
                    self.message_user(request, "导入完成：" + report.summary_zh(), messages.SUCCESS)
                    return HttpResponseRedirect(reverse("admin:moderation_term_changelist"))
        context = {
            **self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
            "errors": errors, "report": report, "title": "导入词库",
        }
        return TemplateResponse(request, "admin/moderation/term/import.html", context)

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        fmt = "csv" if request.GET.get("format") == "csv" else "text"
        body = export_lexicon(fmt)
        stamp = timezone.localtime().strftime("%Y%m%d")
        response = HttpResponse(body, content_type="text/csv; charset=utf-8" if fmt == "csv" else "text/plain; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="lexicon-{stamp}.{"csv" if fmt == "csv" else "txt"}"'
        return response


@admin.register(WhitelistEntry)
class WhitelistEntryAdmin(admin.ModelAdmin):
    list_display = ["text", "normalized", "note", "created_at"]
    search_fields = ["text", "normalized", "note"]
    readonly_fields = ["normalized", "created_at"]
    fields = ["text", "normalized", "note", "created_at"]


class OpenFirstStatusFilter(admin.SimpleListFilter):
    """The queue opens on the hits waiting for a decision."""

    title = "状态"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [*Flag.Status.choices, ("all", "全部")]

    def choices(self, changelist):
        value = self.value() or Flag.Status.OPEN
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or Flag.Status.OPEN
        return queryset if value == "all" else queryset.filter(status=value)


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ["hit_in_context", "term_text", "category", "action", "status", "target_link", "field_name", "created_at"]
    list_filter = [OpenFirstStatusFilter, "action", "category", "content_type", "is_current"]
    search_fields = ["term_text", "excerpt", "context_before", "context_after"]
    actions = ["approve", "reject", "add_to_whitelist"]
    list_select_related = ["content_type", "resolved_by"]
    readonly_fields = [
        "hit_in_context", "term_text", "category", "action", "replacement", "target_link", "field_name", "start", "end",
        "status", "is_current", "created_at", "resolved_at", "resolved_by",
    ]
    fields = readonly_fields

    class Media:
        css = {"all": ["miaobi/admin.css"]}  # the highlighted hits (no style attributes under the CSP)

    def has_add_permission(self, request):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_urls(self):
        return [
            path("repair/<int:article_id>/", self.admin_site.admin_view(self.repair_punctuation_view),
                 name="moderation_repair_punctuation"),
            *super().get_urls(),
        ]

    @admin.display(description="命中位置（前后文）")
    def hit_in_context(self, obj):
        return flag_context(obj)

    @admin.display(description="所在对象")
    def target_link(self, obj):
        target = obj.target
        if target is None:
            return "（已删除）"
        try:
            url = reverse(f"admin:{obj.content_type.app_label}_{obj.content_type.model}_change", args=[obj.object_id])
        except Exception:
            return str(target)
        return format_html('<a href="{}">{}</a>', url, target)

    @admin.display(description="字段")
    def field_name(self, obj):
        return {"title": "标题", "body": "正文"}.get(obj.field, obj.field)

    @admin.action(description="放行所选（误报或可以接受）")
    def approve(self, request, queryset):
        count = resolve_flags(list(queryset), Flag.Status.APPROVED, request.user)
        self.message_user(request, f"已放行 {count} 处。", messages.SUCCESS)

    @admin.action(description="驳回所选（确有问题，须修改正文后才能发布）")
    def reject(self, request, queryset):
        count = resolve_flags(list(queryset), Flag.Status.REJECTED, request.user)
        self.message_user(request, f"已驳回 {count} 处。", messages.WARNING)

    @admin.action(description="加入白名单并放行")
    def add_to_whitelist(self, request, queryset):
        words = whitelist_flags(list(queryset), request.user)
        if words:
            self.message_user(request, "已加入白名单：" + "、".join(f"“{w}”" for w in words) + "，所选各处已放行。", messages.SUCCESS)
        else:
            self.message_user(request, "白名单中已有这些词语，所选各处已放行。", messages.INFO)

    def repair_punctuation_view(self, request, article_id):
        """Show the diff of the half-width → full-width punctuation repair; apply it only on confirmation."""
        from miaobi.library.models import Article
        from miaobi.library.services import article_changed

        if not request.user.has_perm("library.change_article"):
            raise PermissionDenied
        article = get_object_or_404(Article, pk=article_id)
        body = article.body
        findings = lint_text(body, kinds={"ascii_punct"})
        digest = hashlib.sha256(body.encode()).hexdigest()
        change_url = reverse("admin:library_article_change", args=[article.pk])
        if request.method == "POST":
            if request.POST.get("digest") != digest:
                self.message_user(request, "正文在此期间已被修改，请重新查看改动后再确认。", messages.ERROR)
            elif findings:
                article.body = apply_repairs(body, findings)
                article.save()
                article_changed(article)
                self.message_user(request, f"已把 {len(findings)} 处半角标点改为全角。", messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        changes = [
            (highlighted(body[max(0, f.start - 12):f.start], f.excerpt, body[f.end:f.end + 12]),
             highlighted(body[max(0, f.start - 12):f.start], f.repair, body[f.end:f.end + 12]))
            for f in findings
        ]
        context = {
            **self.admin_site.each_context(request), "opts": Article._meta, "article": article, "changes": changes,
            "digest": digest, "change_url": change_url, "title": "半角标点改全角：确认改动",
        }
        return TemplateResponse(request, "admin/moderation/flag/repair_punctuation.html", context)
