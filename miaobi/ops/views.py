from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .backup import miaobi_version
from .health import health

VERSION = miaobi_version()


@never_cache
@require_safe
def healthz(request):
    """For the load balancer and monitoring: 200 when the database and the cache answer, else 503.
    No login, no session, never cached; the reason of a failure goes to the log, not to the world."""
    ok, parts = health()
    return JsonResponse({"status": "ok" if ok else "error", **parts, "version": VERSION}, status=200 if ok else 503)
