"""Word and text downloads: a short-lived signed link per user, article and format, through the gate."""
from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core import signing
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from miaobi.accounts.entitlements import EntitlementError, check_download
from miaobi.accounts.models import Download
from miaobi.library.gate import may_view_article, text_for_viewer
from miaobi.library.models import Article

from .docx_export import build_docx, read_mark
from .filenames import content_disposition
from .text_export import build_txt

FORMATS = {
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", build_docx),
    "txt": ("text/plain; charset=utf-8", build_txt),
}
SALT = "miaobi.exports.download"


def _refuse(request, article, exc: EntitlementError, status: int = 403):
    return render(request, "exports/refused.html", {"article": article, "message": exc.message}, status=status)


def download_start(request, pk: int, fmt: str):
    """Check the entitlement, then send the reader to a link that works for 60 seconds."""
    article = get_object_or_404(Article.objects.select_related("genre"), pk=pk)
    if fmt not in FORMATS or not may_view_article(article, request.user):
        return render(request, "404.html", status=404)
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={article.get_absolute_url()}")
    try:
        check_download(request.user, article)
    except EntitlementError as exc:
        return _refuse(request, article, exc)
    token = signing.dumps({"u": request.user.pk, "a": article.pk, "f": fmt}, salt=SALT)
    return redirect(f"{reverse('exports:file', args=[article.pk, fmt])}?t={token}")


def download_file(request, pk: int, fmt: str):
    article = get_object_or_404(Article.objects.select_related("genre"), pk=pk)
    if fmt not in FORMATS or not may_view_article(article, request.user):
        return render(request, "404.html", status=404)
    fresh_link = reverse("exports:start", args=[article.pk, fmt])
    try:
        data = signing.loads(request.GET.get("t", ""), salt=SALT,
                             max_age=settings.MIAOBI_DOWNLOAD_LINK_SECONDS)
    except signing.SignatureExpired:
        return render(request, "exports/expired.html", {"article": article, "fresh_link": fresh_link}, status=410)
    except signing.BadSignature:
        return render(request, "exports/expired.html", {"article": article, "fresh_link": fresh_link,
                                                        "invalid": True}, status=403)
    if data != {"u": request.user.pk, "a": article.pk, "f": fmt}:
        return render(request, "exports/expired.html", {"article": article, "fresh_link": fresh_link,
                                                        "invalid": True}, status=403)
    try:
        check_download(request.user, article)
    except EntitlementError as exc:
        return _refuse(request, article, exc)
    reading = text_for_viewer(article, request.user)
    if not reading.full:  # the gate has the last word
        return _refuse(request, article, EntitlementError("not_entitled", "获取全文后才能下载。"))
    now = timezone.now()
    mark = f"{request.user.member_no} {timezone.localtime(now):%Y-%m-%d %H:%M:%S}"
    content_type, build = FORMATS[fmt]
    payload = build(title=article.title, body=reading.visible_text, source=article.source or "",
                    published_at=article.published_at, mark=mark)
    Download.objects.create(user=request.user, article=article, article_title=article.title, fmt=fmt,
                            mark=mark, created_at=now)
    response = HttpResponse(payload, content_type=content_type)
    response["Content-Disposition"] = content_disposition(article.title, fmt)
    response["Cache-Control"] = "private, no-store"
    return response


@staff_member_required
def trace_mark(request):
    """Staff: upload a leaked .docx (or paste a mark) to find who downloaded it and when."""
    mark, records, error = "", [], ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        mark = (request.POST.get("mark") or "").strip()
        if upload:
            raw = upload.read(20 * 1024 * 1024)
            mark = read_mark(raw) or ""  # None for anything that is not one of our Word files
            if not mark:
                text = raw.decode("utf-8-sig", errors="ignore")
                mark = text.rsplit("下载标识：", 1)[-1].strip() if "下载标识：" in text else ""
            if not mark:
                error = "文件中没有找到下载标识。"
        if mark:
            records = Download.objects.filter(mark=mark).select_related("user")
    return render(request, "exports/trace.html", {"mark": mark, "records": records, "error": error})
