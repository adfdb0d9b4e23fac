"""Request ids and the request log: one id per request, on the response and on every log line it causes.

The id comes from the proxy's X-Request-ID (nginx: `proxy_set_header X-Request-ID $request_id;`) when it
looks like one, else a fresh one; a contextvar carries it to every log record (RequestIdFilter), in the
plain format and in JSON (MIAOBI_LOG_FORMAT=json). One line per request: method, path, status, duration,
id. Paths only: query strings (tracking tokens, signed links, search terms) are never logged, and path
segments that are secrets (password-reset and e-mail tokens) are masked.
"""
from __future__ import annotations

import contextvars
import ipaddress
import json
import logging
import os
import re
import time

from django.conf import settings
from django.utils.log import log_response

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

access_log = logging.getLogger("miaobi.request")
SANE_ID = re.compile(r"[A-Za-z0-9._:@+=-]{8,128}")
SECRET_KWARGS = ("token", "uidb64")
QUIET_PATHS = frozenset({"/healthz"})  # probes every few seconds: logged at DEBUG


class RequestIdMiddleware:
    """Outermost middleware: sets the id, times the request, writes the request's log line.

    Behind the proxy it also restores the client's address: every request then comes from the proxy,
    so per-IP limits (search, 卡密 tries, the API) would count all readers as one. REMOTE_ADDR becomes
    X-Real-IP only when the request comes from an address in MIAOBI_TRUSTED_PROXIES (else anyone could
    choose their address by sending the header).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.trusted_proxies = frozenset(settings.MIAOBI_TRUSTED_PROXIES)

    def __call__(self, request):
        if self.trusted_proxies and request.META.get("REMOTE_ADDR") in self.trusted_proxies:
            _take_real_ip(request)
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        rid = incoming if SANE_ID.fullmatch(incoming) else os.urandom(16).hex()  # uuid4().hex costs 3x
        token = request_id.set(rid)
        request.request_id = rid
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = rid
            if response.status_code >= 400:
                # What Django's handler logs after the middleware (and so after the id is gone), logged
                # here with the id; log_response marks the response so Django does not log it twice.
                log_response("%s: %s", response.reason_phrase, request.path, response=response, request=request)
            level = logging.DEBUG if request.path in QUIET_PATHS else logging.INFO
            if access_log.isEnabledFor(level):
                ms = round((time.perf_counter() - started) * 1000, 1)
                path = _loggable_path(request)
                # makeRecord + handle: the same record as access_log.log() without its caller lookup
                # (a third of the cost; the line's origin is known).
                record = access_log.makeRecord(access_log.name, level, __file__, 0, "%s %s %s %sms",
                                               (request.method, path, response.status_code, ms), None)
                record.method, record.path, record.status, record.duration_ms = (
                    request.method, path, response.status_code, ms)
                access_log.handle(record)
            return response
        finally:
            request_id.reset(token)


def _take_real_ip(request) -> None:
    real = request.META.get("HTTP_X_REAL_IP", "").strip()
    try:
        request.META["REMOTE_ADDR"] = str(ipaddress.ip_address(real))
    except ValueError:
        pass  # no or a malformed header: the proxy's own request (e.g. a health probe); keep its address


def _loggable_path(request) -> str:
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is not None:
        for name in SECRET_KWARGS:
            value = match.kwargs.get(name)
            if value:
                path = path.replace(str(value), "…")
    return path


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (\"-\" outside a request: commands, the worker)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


# Attributes every LogRecord has; anything else on a record came from `extra=` and goes into the JSON.
# Django's own records carry the HttpRequest itself: its repr holds the query string, so it is left out.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "request_id", "request"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, extra fields, exception."""

    _second, _stamp = -1, ""

    def _time(self, record: logging.LogRecord) -> str:
        second = int(record.created)
        if second != self._second:  # strftime once a second, not once a line
            self._second, self._stamp = second, time.strftime("%Y-%m-%dT%H:%M:%S", self.converter(second))
        return f"{self._stamp}.{int(record.msecs):03d}"

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self._time(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        fields = vars(record)
        for key in sorted(fields.keys() - _STANDARD):  # the few `extra` fields, by one set difference
            value = fields[key]
            if not key.startswith("_"):
                entry[key] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)
