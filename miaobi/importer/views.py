"""Staff pages: bulk import (/desk/import/), the originality check (/desk/originality/) and the
side-by-side view of a near-duplicate (/desk/import/duplicates/<id>/). Thin: the work is in services."""
from __future__ import annotations

import difflib

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from markupsafe import Markup, escape

from miaobi.library.services import delete_articles

from .forms import ImportForm, OriginalityForm
from .models import NearDuplicate
from .originality import originality_report
from .readers import ReadError, read_file
from .services import ImportOptions, OptionError, import_upload
from .sources import max_bytes

STATUS_LABELS = {"imported": "已导入", "near_duplicate": "疑似重复", "duplicate": "重复，已跳过", "skipped": "跳过",
                 "error": "失败"}


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@staff_member_required
def import_page(request):
    form = ImportForm(request.POST if request.method == "POST" else None)
    results = []
    if request.method == "POST":
        if not form.is_valid():
            if _wants_json(request):
                return JsonResponse({"error": "导入选项不正确", "fields": form.errors}, status=400)
        else:
            options = ImportOptions(genre=form.cleaned_data["genre"].slug if form.cleaned_data["genre"] else "",
                                    tags=[t.name for t in form.cleaned_data["tags"]],
                                    publish=form.cleaned_data["publish"], source="")
            uploads = request.FILES.getlist("files")
            if not uploads:
                form.add_error("files", "请选择要导入的文件。")
            for upload in uploads:
                try:
                    results.extend(import_upload(upload, options))
                except OptionError as exc:
                    results.append({"path": upload.name, "status": "error", "reason": str(exc)})
            for result in results:
                result["label"] = STATUS_LABELS[result["status"]]
            if _wants_json(request):
                return JsonResponse({"results": results})
    return render(request, "importer/import.html", {"form": form, "results": results,
                                                    "max_mb": max_bytes() // 1024 // 1024,
                                                    "pending": NearDuplicate.objects.filter(resolved=False).count()})


@staff_member_required
def originality_page(request):
    form = OriginalityForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    report, error = None, ""
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        upload = form.cleaned_data["file"]
        if upload:
            if upload.size > max_bytes():
                error = f"文件过大，单个文件上限 {max_bytes() // 1024 // 1024} MB"
            else:
                try:
                    parsed = read_file(upload.read(), upload.name)
                    text = f"{parsed.title}\n{parsed.body}"
                except ReadError as exc:
                    error = str(exc)
        if not error and not text.strip():
            error = "请粘贴文本或上传文件。"
        if not error:
            report = originality_report(text)
    return render(request, "importer/originality.html", {"form": form, "report": report, "error": error})


def _diff(a: str, b: str) -> tuple[Markup, Markup]:
    """Both texts as HTML with the differing runs marked (<del> on the left, <ins> on the right)."""
    left, right = [], []
    for op, a0, a1, b0, b1 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            left.append(escape(a[a0:a1]))
            right.append(escape(b[b0:b1]))
        else:
            if a1 > a0:
                left.append(Markup("<del>%s</del>") % a[a0:a1])
            if b1 > b0:
                right.append(Markup("<ins>%s</ins>") % b[b0:b1])
    return Markup("").join(left), Markup("").join(right)


@staff_member_required
def duplicate_list(request):
    pending = NearDuplicate.objects.filter(resolved=False).select_related("article", "similar_to")
    return render(request, "importer/duplicates.html", {"pending": pending})


@staff_member_required
def duplicate_detail(request, pk: int):
    pair = get_object_or_404(NearDuplicate.objects.select_related("article", "similar_to"), pk=pk)
    left, right = _diff(pair.similar_to.body, pair.article.body)
    return render(request, "importer/duplicate.html", {"pair": pair, "left": left, "right": right})


@staff_member_required
@require_POST
def duplicate_resolve(request, pk: int):
    """Keep one of the two: `keep=new` deletes the older article, `keep=old` deletes the imported draft,
    `keep=both` only clears the mark."""
    pair = get_object_or_404(NearDuplicate.objects.select_related("article", "similar_to"), pk=pk)
    keep = request.POST.get("keep")
    if keep == "old":
        delete_articles([pair.article])
        messages.success(request, f"已保留原有文章 #{pair.similar_to_id}，删除导入的草稿。")
    elif keep == "new":
        kept = pair.article_id
        delete_articles([pair.similar_to])
        NearDuplicate.objects.filter(article_id=kept).update(resolved=True)
        messages.success(request, f"已保留导入的文章 #{kept}（草稿），删除原有文章。")
    elif keep == "both":
        NearDuplicate.objects.filter(pk=pair.pk).update(resolved=True)
        messages.success(request, "已标记为不是重复，两篇都保留。")
    else:
        messages.error(request, "请选择保留哪一篇。")
        return redirect("importer:duplicate", pk=pk)
    return redirect("importer:duplicates")
