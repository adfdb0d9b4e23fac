"""Staff pages: bulk import (/desk/import/), the originality check (/desk/originality/) and the
side-by-side view of a near-duplicate (/desk/import/duplicates/<id>/). Thin: the work is in services."""
from __future__ import annotations

import difflib

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from markupsafe import Markup, escape

from miaobi.library.services import delete_articles

from .batches import StagingError, is_stalled, stage_uploads, start_batch
from .forms import ImportForm, OriginalityForm
from .models import ImportBatch, NearDuplicate
from .originality import originality_report
from .readers import ReadError, read_file
from .services import ImportOptions, OptionError
from .sources import max_bytes

STATUS_LABELS = {"imported": "已导入", "near_duplicate": "疑似重复", "duplicate": "重复，已跳过", "skipped": "跳过",
                 "error": "失败"}


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _results(batch: ImportBatch, since: int = 0) -> list[dict]:
    rows = batch.results.filter(seq__gte=since).values_list("result", flat=True)
    return [{**r, "label": STATUS_LABELS.get(r.get("status"), "")} for r in rows]


def _status(batch: ImportBatch, since: int = 0) -> dict:
    """A batch's progress and its files' results from position `since` on (what the page polls)."""
    done = batch.results.count()
    return {"batch": batch.pk, "state": batch.state, "state_label": batch.get_state_display(),
            "finished": batch.finished, "stalled": is_stalled(batch), "error": batch.error,
            "done": done, "total": max(batch.total, done), "since": since, "results": _results(batch, since),
            "status_url": reverse("importer:batch_status", args=[batch.pk]),
            "page_url": reverse("importer:batch", args=[batch.pk])}


@staff_member_required
def import_page(request):
    """Files are staged as a batch and imported by a background job; with MIAOBI_JOBS=inline the job
    has run when the page answers, else the answer points to the batch's progress."""
    form = ImportForm(request.POST if request.method == "POST" else None)
    results, error = [], ""
    if request.method == "POST":
        if not form.is_valid():
            if _wants_json(request):
                return JsonResponse({"error": "导入选项不正确", "fields": form.errors}, status=400)
        else:
            options = ImportOptions(genre=form.cleaned_data["genre"].slug if form.cleaned_data["genre"] else "",
                                    tags=[t.name for t in form.cleaned_data["tags"]],
                                    publish=form.cleaned_data["publish"], source="")
            uploads = request.FILES.getlist("files")
            batch, code = None, 400
            if not uploads:
                form.add_error("files", "请选择要导入的文件。")
                if _wants_json(request):
                    return JsonResponse({"error": "请选择要导入的文件。", "results": []}, status=400)
            else:
                try:
                    batch = stage_uploads(uploads, options, user=request.user)
                except OptionError as exc:
                    error = str(exc)
                except StagingError as exc:
                    error, code = str(exc), 507
            if batch is not None:
                start_batch(batch)
                batch.refresh_from_db()
                if _wants_json(request):
                    return JsonResponse(_status(batch), status=200 if batch.finished else 202)
                if not batch.finished:
                    return redirect("importer:batch", pk=batch.pk)
                results = _results(batch)
            elif _wants_json(request):
                return JsonResponse({"error": error, "results": []}, status=code)
    return render(request, "importer/import.html", {"form": form, "results": results, "error": error,
                                                    "max_mb": max_bytes() // 1024 // 1024,
                                                    "batches": ImportBatch.objects.all()[:10],
                                                    "pending": NearDuplicate.objects.filter(resolved=False).count()})


@staff_member_required
def batch_page(request, pk: int):
    batch = get_object_or_404(ImportBatch, pk=pk)
    return render(request, "importer/batch.html", {"batch": batch, "status": _status(batch)})


@staff_member_required
def batch_status(request, pk: int):
    batch = get_object_or_404(ImportBatch, pk=pk)
    try:
        since = max(0, int(request.GET.get("since", "0")))
    except ValueError:
        return JsonResponse({"error": "参数 since 应为非负整数"}, status=400)
    return JsonResponse(_status(batch, since))


@staff_member_required
@require_POST
def batch_resume(request, pk: int):
    """Queue an unfinished batch again (its job was lost); files already imported are skipped."""
    batch = get_object_or_404(ImportBatch, pk=pk)
    if batch.finished:
        messages.info(request, f"导入批次 #{batch.pk} 已经结束，无需继续。")
    else:
        start_batch(batch)
        messages.success(request, f"导入批次 #{batch.pk} 已重新排队，已导入的文件会跳过。")
    return redirect("importer:batch", pk=batch.pk)


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
