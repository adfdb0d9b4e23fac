import os

from django.http import HttpResponse
from django.urls import include, path

# A page of the same size as the article page, with no database, template or middleware work of its own.
BARE_BODY = b"x" * int(os.environ.get("BENCH_BARE_SIZE", "20000"))


def bare(request):
    return HttpResponse(BARE_BODY, content_type="text/html; charset=utf-8")


urlpatterns = [path("__bench__/bare/", bare), path("", include("miaobi.urls"))]
handler404 = "miaobi.errors.page_not_found"
