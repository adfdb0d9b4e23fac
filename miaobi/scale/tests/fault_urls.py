"""A slow request that writes two rows in one transaction, for killing a worker in the middle."""
import os
import time

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.urls import include, path
from django.utils import timezone

from miaobi.accounts.models import LoginFailure


def slow_write(request):
    tag = request.GET.get("tag", "x")[:40]
    with transaction.atomic():
        LoginFailure.objects.create(key=f"fault:{tag}:first", last_at=timezone.now())
        (settings.DATA_DIR / f"slow-{tag}.pid").write_text(str(os.getpid()))  # the test kills this worker
        time.sleep(float(request.GET.get("sleep", "0")))
        LoginFailure.objects.create(key=f"fault:{tag}:second", last_at=timezone.now())
    return HttpResponse("written")


urlpatterns = [path("__fault__/slow-write/", slow_write), path("", include("miaobi.urls"))]
handler404 = "miaobi.errors.page_not_found"
handler500 = "miaobi.errors.server_error"
