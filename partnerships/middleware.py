"""Operational middleware: request ids in headers and logs, a body size limit, 503 when the
database is away, security headers Django has no setting for, and the lockout answer."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import uuid

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse

from partnerships.clients import client_ip

logger = logging.getLogger("partnerships")

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_client: contextvars.ContextVar[str] = contextvars.ContextVar("client", default="-")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def current_request_id() -> str:
    return _request_id.get()


def wants_json(request) -> bool:
    accept = request.headers.get("Accept", "")
    return request.path.startswith("/api/") or (
        "application/json" in accept and "text/html" not in accept
    )


def error_response(request, status: int, message: str) -> HttpResponse:
    """A short, clear error: JSON for the API, plain HTML for the pages; never a traceback."""
    if wants_json(request):
        return JsonResponse({"detail": message, "request_id": current_request_id()}, status=status)
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{status}: Partnerships KB</title></head><body><main>"
        f"<h1>{message}</h1><p>Request id: {current_request_id()}</p></main></body></html>"
    )
    return HttpResponse(body, status=status)


class RequestIdMiddleware:
    """Take a sane incoming X-Request-ID or make one; echo it, and put it in every log line."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        # The logs name the same client the throttles and the lockout see.
        client_token = _client.set(client_ip(request))
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            return response
        finally:
            _request_id.reset(token)
            _client.reset(client_token)


class RequestLimitsMiddleware:
    """Refuse what no view should see: a body larger than MAX_BODY_BYTES (413, before
    anything reads it; Django's own limit guards form parsing, DRF reads the raw stream)
    and NUL characters in the URL or query string (400; databases refuse them in text).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return error_response(request, 400, "The Content-Length header is not a number.")
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return error_response(request, 400, "NUL characters are not allowed in URLs.")
        if length > settings.MAX_BODY_BYTES:
            return error_response(
                request,
                413,
                f"The request body is {length} bytes; the limit is {settings.MAX_BODY_BYTES}.",
            )
        return self.get_response(request)


DATABASE_DOWN = "The database is unavailable. Please try again in a moment."
TOO_LONG = (
    "This request took longer than its time budget and was stopped. Please try again in a "
    "moment, or ask for less (a narrower filter, a page instead of everything)."
)


def is_statement_timeout(exc) -> bool:
    """PostgreSQL cancelled the statement (settings.DB_STATEMENT_TIMEOUT)."""
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) == "57014"  # query_canceled


def unavailable_response(request, exc) -> HttpResponse:
    """503 with Retry-After: for a statement that ran out of time, or a database away."""
    timed_out = is_statement_timeout(exc)
    response = error_response(request, 503, TOO_LONG if timed_out else DATABASE_DOWN)
    response["Retry-After"] = "10" if timed_out else "5"
    return response


class DatabaseUnavailableMiddleware:
    """A database that went away is a 503 with a clear message, not a 500 with a traceback.

    Django checks connections at each request (CONN_HEALTH_CHECKS), so the app recovers by
    itself when the database is back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        except (OperationalError, InterfaceError) as exc:
            return self._unavailable(request, exc)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | InterfaceError):
            return self._unavailable(request, exception)
        return None

    def _unavailable(self, request, exc):
        logger.error(
            "%s: %s %s",
            "statement timeout" if is_statement_timeout(exc) else "database unavailable",
            request.path,
            exc,
            exc_info=settings.DEBUG or settings.DATABASE_ERROR_TRACEBACKS,
        )
        return unavailable_response(request, exc)


def server_error(request, *args, **kwargs):
    """handler500: a database error raised outside a view is still a 503."""
    exc = sys.exc_info()[1]
    if isinstance(exc, OperationalError | InterfaceError):
        return unavailable_response(request, exc)
    return error_response(request, 500, "Something went wrong on our side.")


class SecurityHeadersMiddleware:
    """Headers Django has no setting for: Permissions-Policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out login sees (django-axes): a 429 with the reason and the wait."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    response = error_response(
        request,
        429,
        "Too many failed logins: this user name is locked from this address for "
        f"{seconds // 60} minutes.",
    )
    response["Retry-After"] = str(seconds)
    return response


class RequestIdLogFilter(logging.Filter):
    def filter(self, record):
        record.request_id = current_request_id()
        record.client = _client.get()
        return True


class JsonLogFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request id (and exception)."""

    def format(self, record):
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", current_request_id()),
            "client": getattr(record, "client", _client.get()),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
