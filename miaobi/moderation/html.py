"""HTML fragments for editors (admin): hits and lint findings with their spans highlighted.

Everything is escaped; the text shown is a verbatim slice of the stored text.
"""
from __future__ import annotations

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from .lint import Finding, lint_text
from .models import Flag

CONTEXT = 24


def highlighted(before: str, marked: str, after: str, *, title: str = "") -> SafeString:
    """before<mark>marked</mark>after, escaped (styled by miaobi/admin.css: no style attributes under the CSP)."""
    return format_html('{}<mark class="mb-hit" title="{}">{}</mark>{}', before, title, marked, after)


def flag_context(flag: Flag) -> SafeString:
    return highlighted(flag.context_before[-CONTEXT:], flag.excerpt, flag.context_after[:CONTEXT], title=flag.term_text)


def flags_html(obj) -> SafeString:
    """The object's flags whose hit is still in the text, each with its context highlighted."""
    from .services import open_flags_for, publication_problem

    flags = list(open_flags_for(obj))
    if not flags:
        return mark_safe("<p>未发现词库中的词语。</p>")
    queue = reverse("admin:moderation_flag_changelist")
    rows = format_html_join("", "<li>[{}·{}·{}] {}：{}{}</li>", (
        (f.get_status_display(), f.get_category_display(), f.get_action_display(),
         "标题" if f.field == "title" else "正文" if f.field == "body" else f.field, flag_context(f),
         format_html("（建议改为“{}”）", f.replacement) if f.replacement else "")
        for f in flags
    ))
    problem = publication_problem(obj)
    status = (format_html("<p class='mb-problem'>{}</p>", problem) if problem
              else mark_safe("<p>没有未处理的待审内容，可以发布。</p>"))
    ct_id = flags[0].content_type_id
    return format_html(
        "{}<ul class='mb-list'>{}</ul><p><a href='{}?content_type__id__exact={}&object_id={}'>在审核队列中处理</a></p>",
        status, rows, queue, ct_id, obj.pk,
    )


def findings_html(text: str, findings: list[Finding], *, limit: int = 50) -> SafeString:
    """Lint findings, each with its span highlighted in context and the suggested repair."""
    if not findings:
        return mark_safe("<p>未发现缺字、占位符、缺主语、半角标点或乱码。</p>")
    rows = []
    for f in findings[:limit]:
        context = highlighted(text[max(0, f.start - CONTEXT):f.start], f.excerpt, text[f.end:f.end + CONTEXT], title=f.label)
        repair = format_html("；建议：“{}”→“{}”", f.excerpt, f.repair) if f.repair is not None else ""
        rows.append((f.label, context, f.message, repair))
    more = format_html("<p>另有 {} 处未列出。</p>", len(findings) - limit) if len(findings) > limit else ""
    return format_html("<ul class='mb-list'>{}</ul>{}", format_html_join(
        "", "<li><strong>{}</strong>：{}<br><small>{}{}</small></li>", rows), more)


def article_integrity_html(article) -> SafeString:
    """Lint of the article body for its change form, with a link to the punctuation repair if useful."""
    findings = lint_text(article.body or "")
    html = findings_html(article.body or "", findings)
    if any(f.kind == "ascii_punct" for f in findings):
        url = reverse("admin:moderation_repair_punctuation", args=[article.pk])
        html = format_html("{}<p><a class='button' href='{}'>半角标点改全角（先看改动，确认后才保存）</a></p>", html, url)
    return html
