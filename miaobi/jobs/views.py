"""The maintenance desk (/desk/jobs/): queue an index rebuild, see whether jobs are waiting."""
from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from miaobi.importer.models import ImportBatch
from miaobi.orders.access import is_writer_only

log = logging.getLogger(__name__)


def _maintenance_jobs() -> dict:
    from miaobi.importer.tasks import rebuild_text_indexes
    from miaobi.library.tasks import rebuild_related
    from miaobi.search.tasks import reindex_search

    return {  # key: (label, what it does, the job, the command that does the same)
        "search": ("重建搜索索引", "按全部已发布文章重建全文搜索索引。", reindex_search, "miaobi reindex"),
        "related": ("重建相关阅读", "重新计算每篇已发布文章的相关阅读。", rebuild_related, "miaobi rebuild_related"),
        "texts": ("重建查重索引", "重建全部文章的重复检测和查重索引。", rebuild_text_indexes, "miaobi reindex_texts"),
    }


def _queue_figures() -> dict:
    from huey.contrib.djhuey import HUEY

    if HUEY.immediate:
        return {}
    try:
        return {"pending": HUEY.pending_count(), "scheduled": HUEY.scheduled_count()}
    except Exception as exc:  # Redis down or the queue file unreadable: say so, the page still works
        log.error("job queue unreachable: %s", exc)
        return {"error": "无法连接任务队列，请检查 Redis 或数据目录。"}


@staff_member_required
def maintenance_page(request):
    if is_writer_only(request.user):
        raise PermissionDenied("写手没有维护权限。")
    jobs = _maintenance_jobs()
    inline = settings.MIAOBI_JOBS == "inline"
    if request.method == "POST":
        job = jobs.get(request.POST.get("job", ""))
        if job is None:
            messages.error(request, "没有这个任务。")
        else:
            label, _, task, _ = job
            log.info("%s queued by user %s", task.name, request.user.pk)
            task()  # inline: runs now, inside this request
            messages.success(request, f"{label}：已完成。" if inline else f"{label}：已加入后台队列，稍后完成。")
        return redirect("jobs:maintenance")
    return render(request, "jobs/maintenance.html", {
        "jobs": [(key, label, about, command) for key, (label, about, _, command) in jobs.items()],
        "inline": inline, "queue": _queue_figures(), "batches": ImportBatch.objects.exclude(
            state__in=[ImportBatch.State.DONE, ImportBatch.State.FAILED])[:20],
    })
