"""``Idempotency-Key`` on the API's POSTs: a retry after a dropped connection is safe.

The first request with a key runs and its answer is kept (24 hours, in the shared cache:
Redis in production); a retry with the same key and the same request gets that answer
again (``Idempotent-Replayed: true``) and writes nothing. The same key with a different
request is a 422; a retry while the first is still running is a 409. Keys belong to the
credential that sent them (a token, a session, or else the client address), so one client
cannot read another's answers. Server errors (5xx) are not kept: a retry runs again.
"""

from __future__ import annotations

import hashlib
import re

from django.core.cache import cache
from django.http import HttpResponse

from partnerships.clients import client_ip
from partnerships.middleware import error_response

HEADER = "Idempotency-Key"
TTL = 24 * 3600
IN_PROGRESS = "in-progress"
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII, no spaces
KEPT_HEADERS = ("Content-Type", "Location", "X-Dataset-Version", "ETag")


def _sha256(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\x00")
    return digest.hexdigest()


def _owner(request) -> str:
    credential = request.META.get("HTTP_AUTHORIZATION", "")
    if credential:
        return "auth:" + _sha256(credential)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return "ip:" + client_ip(request)


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER)
        if key is None or request.method != "POST" or not request.path.startswith("/api/"):
            return self.get_response(request)
        if not _KEY.match(key):
            return error_response(
                request, 400, f"{HEADER} must be 1 to 255 printable characters, no spaces."
            )
        fingerprint = _sha256(request.method, request.get_full_path(), request.body)
        slot = "idempotency:" + _sha256(_owner(request), key)
        if not cache.add(slot, {"state": IN_PROGRESS, "fingerprint": fingerprint}, TTL):
            kept = cache.get(slot)
            if kept is not None:
                return self._answer_again(request, kept, fingerprint)
            # The cache is away: no idempotency, but no failure either.
            return self.get_response(request)
        try:
            response = self.get_response(request)
        except BaseException:
            cache.delete(slot)
            raise
        if response.status_code >= 500 or getattr(response, "streaming", False):
            cache.delete(slot)
            return response
        cache.set(
            slot,
            {
                "state": "done",
                "fingerprint": fingerprint,
                "status": response.status_code,
                "content": response.content,
                "headers": {h: response[h] for h in KEPT_HEADERS if response.has_header(h)},
            },
            TTL,
        )
        return response

    @staticmethod
    def _answer_again(request, kept: dict, fingerprint: str):
        if kept["fingerprint"] != fingerprint:
            return error_response(
                request,
                422,
                f"This {HEADER} was used with a different request; use a new key for it.",
            )
        if kept["state"] == IN_PROGRESS:
            response = error_response(
                request, 409, f"A request with this {HEADER} is still being processed."
            )
            response["Retry-After"] = "1"
            return response
        response = HttpResponse(kept["content"], status=kept["status"])
        for name, value in kept["headers"].items():
            response[name] = value
        response["Idempotent-Replayed"] = "true"
        return response
