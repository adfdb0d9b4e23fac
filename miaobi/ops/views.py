from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
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


@require_safe
def favicon(request):
    """The site icon for browsers that ask /favicon.ico (a permanent redirect to the static SVG)."""
    response = HttpResponsePermanentRedirect(static("miaobi/favicon.svg"))
    response["Cache-Control"] = "public, max-age=86400"
    return response
