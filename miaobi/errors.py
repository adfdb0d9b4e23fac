"""Chinese error pages. The 500 and 503 pages render without the database (it may be what failed)."""
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # Called while the exception is being handled. A database that is down or restarting is not a
    # bug: 503 with Retry-After, and the next request reconnects (CONN_HEALTH_CHECKS).
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        response = HttpResponse(loader.get_template("503.html").render({}), status=503)
        response["Retry-After"] = "10"
        return response
    return HttpResponseServerError(loader.get_template("500.html").render({}))
