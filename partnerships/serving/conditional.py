"""Conditional requests and the shared response cache, for every page and API read.

An anonymous GET (no session cookie, no ``Authorization``) is answered from what the data
stamp (:mod:`partnerships.serving.stamp`) says about the state of the data:

1. its strong ``ETag`` is a digest of the stamp, today's date (answers "as of today" move
   with the calendar), and the request's own representation: scheme, host, path, query
   and ``Accept``. ``If-None-Match`` (or, without it, ``If-Modified-Since``) that still
   holds is a ``304`` before any view runs;
2. else a response cached under that ETag is sent as it was (``X-Cache: hit``): the cache
   is Django's default one (Redis when ``REDIS_URL`` is set, shared by every worker and
   machine; in-process otherwise). A curator's write changes the stamp, so every entry is
   stale at once; old entries expire by themselves;
3. else the view answers; a 200 that sets no cookie and varies on nothing personal is
   stored (``X-Cache: miss``).

Every public answer carries ``ETag``, ``Last-Modified`` and ``Cache-Control: public`` with
a short max-age and revalidation; answers about a past moment (``known_at`` in the past)
and release archives are immutable. A request that carries credentials is answered
``Cache-Control: private, no-store`` and never cached. The anonymous API throttle counts
cache hits and 304s like any other request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError
from django.http import HttpResponse, HttpResponseNotModified, JsonResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_etags, parse_http_date_safe

from partnerships.serving.stamp import data_stamp, request_scope

logger = logging.getLogger("partnerships")

IMMUTABLE = "public, max-age=31536000, immutable"
# Headers of a stored answer that belong to one request or one client, never replayed.
NOT_REPLAYED = {"set-cookie", "x-request-id", "x-cache", "date"}


def has_credentials(request) -> bool:
    return settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META


def served_here(request) -> bool:
    """GET and HEAD of the site's reads; the admin and the probes are not for caching."""
    return request.method in ("GET", "HEAD") and not request.path.startswith(
        settings.SERVING_EXCLUDED_PATHS
    )


def representation(request) -> str | None:
    """What, besides the data, decides the bytes of an answer (None: not servable here)."""
    try:
        host = request.get_host()
    except DisallowedHost:
        return None
    query = sorted(request.GET.lists())
    accept = " ".join(request.headers.get("Accept", "").lower().split())
    return repr((request.scheme, host, request.path, query, accept))


def entity_tag(stamp: dt.datetime | None, request_key: str) -> str:
    today = timezone.now().date().isoformat()
    stamp_text = stamp.isoformat() if stamp else "empty"
    digest = hashlib.blake2b(f"{stamp_text}|{today}|{request_key}".encode(), digest_size=16)
    return f'"{digest.hexdigest()}"'


def about_the_past(request) -> bool:
    """``known_at`` names a moment already past: the answer can never change."""
    from partnerships.provenance.history import parse_known_at

    text = request.GET.get("known_at")
    if not text:
        return False
    try:
        moment = parse_known_at(text)
    except (ValueError, OverflowError):
        return False
    return moment is not None and moment < timezone.now()


def still_valid(request, etag: str, stamp: dt.datetime | None) -> bool:
    """RFC 9110 section 13.2.2: If-None-Match wins; If-Modified-Since only without it."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = parse_etags(if_none_match)
        return "*" in tags or etag in tags or f"W/{etag}" in tags
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return since is not None and stamp is not None and int(stamp.timestamp()) <= since


def cache_control(request) -> str:
    if about_the_past(request):
        return IMMUTABLE
    return f"public, max-age={settings.SERVING_MAX_AGE}, must-revalidate"


class AnonymousClient:
    """The request as a throttle sees it in DRF: anonymous (no credentials were sent)."""

    user = AnonymousUser()

    def __init__(self, request):
        self._request = request

    def __getattr__(self, name):
        return getattr(self._request, name)


def throttled(request) -> HttpResponse | None:
    """The API's throttles, counted for a request answered without reaching DRF."""
    if not request.path.startswith("/api/"):
        return None
    from rest_framework.settings import api_settings

    client = AnonymousClient(request)
    waits = []
    for throttle_class in api_settings.DEFAULT_THROTTLE_CLASSES:
        throttle = throttle_class()
        if not throttle.allow_request(client, None):
            waits.append(throttle.wait())
    if not waits:
        return None
    wait = max((w for w in waits if w is not None), default=None)
    detail = "Request was throttled."
    if wait is not None:
        detail += f" Expected available in {int(wait + 0.999)} seconds."
    response = JsonResponse({"detail": detail}, status=429)
    if wait is not None:
        response["Retry-After"] = str(int(wait + 0.999))
    return response


class ConditionalCacheMiddleware:
    """ETag / Last-Modified / 304 and the shared response cache (see the module text).

    Placed after the middleware that must see every request (request ids, limits, the HTTPS
    redirect, static files, the database-down answer) and before sessions, so a hit costs
    one small query and one cache read.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with request_scope():
            return self.answer(request)

    def answer(self, request):
        if not served_here(request):
            return self.get_response(request)
        if has_credentials(request):
            return self.private(self.get_response(request))
        request_key = representation(request)
        if request_key is None:
            return self.get_response(request)
        try:
            stamp = data_stamp()
        except DatabaseError:  # the view will meet the same database and say so
            return self.get_response(request)
        etag = entity_tag(stamp, request_key)
        headers = {"ETag": etag, "Cache-Control": cache_control(request)}
        if stamp is not None:
            headers["Last-Modified"] = http_date(stamp.timestamp())
        if still_valid(request, etag, stamp):
            return throttled(request) or self.not_modified(headers)
        cache = caches[settings.SERVING_CACHE]
        cache_key = f"serving:{etag}"
        stored = cache.get(cache_key)
        if stored is not None:
            return throttled(request) or self.replay(stored)
        response = self.get_response(request)
        if response.status_code != 200:
            return response
        for name, value in headers.items():
            if name == "Cache-Control":
                if not response.has_header("Cache-Control"):
                    response[name] = value
            else:
                response.headers.setdefault(name, value)
        patch_vary_headers(response, ("Cookie", "Authorization"))
        if self.storable(request, response):
            cache.set(cache_key, self.freeze(response), settings.SERVING_CACHE_SECONDS)
            response["X-Cache"] = "miss"
        return response

    @staticmethod
    def private(response):
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response

    @staticmethod
    def not_modified(headers: dict) -> HttpResponse:
        response = HttpResponseNotModified()
        for name, value in headers.items():
            response[name] = value
        patch_vary_headers(response, ("Cookie", "Authorization"))
        return response

    @staticmethod
    def storable(request, response) -> bool:
        if request.method != "GET" or response.streaming or response.cookies:
            return False
        if "private" in response.get("Cache-Control", "") or "no-store" in response.get(
            "Cache-Control", ""
        ):
            return False
        vary = {v.strip().lower() for v in response.get("Vary", "").split(",")}
        if vary - {"", "accept", "cookie", "authorization", "accept-encoding"}:
            return False
        return len(response.content) <= settings.SERVING_MAX_BYTES

    @staticmethod
    def freeze(response) -> tuple:
        headers = [(k, v) for k, v in response.items() if k.lower() not in NOT_REPLAYED]
        return (response.status_code, headers, response.content)

    @staticmethod
    def replay(stored: tuple) -> HttpResponse:
        status, stored_headers, content = stored
        response = HttpResponse(content, status=status)
        for name, value in stored_headers:
            response[name] = value
        response["X-Cache"] = "hit"
        return response
