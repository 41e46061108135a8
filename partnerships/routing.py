"""Reads from PostgreSQL streaming replicas, writes to the primary.

With ``DATABASE_REPLICA_URL`` set, settings.py adds one database alias per replica
(``replica``, or ``replica_1`` .. ``replica_N`` for a comma-separated list) with the
primary's options, and installs :class:`ReplicaRouter` and :class:`ReadRoutingMiddleware`.
The rules, in order:

1. Writes, and migrations, go to the primary (``default``).
2. A read goes to the primary when it runs inside a transaction on the primary (it must see
   that transaction's own writes), outside a web request (management commands read what
   they have just written), or in a *pinned* request: one that writes (any method but GET,
   HEAD, OPTIONS, TRACE), one to the admin, or one from a client that wrote less than
   ``PIN_SECONDS`` ago (a cookie for browsers; for token clients, a mark in the shared
   cache). So a curator reads their own writes, whatever the replication lag.
3. Every other read goes to one replica, chosen once per request (so one page reads one
   server) at random among those that answer.

Fallbacks: a replica that does not answer (a short ``connect_timeout``) is skipped for
``BREAK_SECONDS`` (a circuit breaker, per process) and reads go to another replica or to
the primary; when the primary does not answer, a pinned read goes to a replica rather than
fail. Anonymous reads never write (sessions, messages and CSRF stay in cookies until a
login), so the site keeps answering them from a replica while the primary is down.
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import logging
import random
import time
from dataclasses import dataclass

import dj_database_url
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse

logger = logging.getLogger("partnerships")

REPLICA_ALIAS = "replica"
# A replica that does not answer within this many seconds counts as down.
REPLICA_CONNECT_TIMEOUT = 2
# How long a database that did not answer is left alone before it is tried again.
BREAK_SECONDS = 5.0
# How long a client's reads stay on the primary after it wrote.
PIN_SECONDS = 10
PIN_COOKIE = "kb_primary"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


# -- settings --------------------------------------------------------------------------------


def replica_databases(urls: str, primary: dict) -> dict[str, dict]:
    """The DATABASES entries for DATABASE_REPLICA_URL: one URL gives the alias "replica",
    several (comma-separated) give "replica_1" .. "replica_N". Each keeps the primary's
    connection options (its timeouts included) and adds a short connect timeout, so a
    replica that is away is noticed in seconds; options in the URL's query win."""
    found = [url.strip() for url in urls.split(",") if url.strip()]
    if not found:
        return {}
    if "postgresql" not in primary["ENGINE"]:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL needs a PostgreSQL primary: set DATABASE_URL to it."
        )
    names = (
        [REPLICA_ALIAS]
        if len(found) == 1
        else [f"{REPLICA_ALIAS}_{n}" for n in range(1, len(found) + 1)]
    )
    replicas = {}
    for name, url in zip(names, found, strict=True):
        config = dj_database_url.parse(
            url,
            conn_max_age=primary.get("CONN_MAX_AGE", 0),
            conn_health_checks=primary.get("CONN_HEALTH_CHECKS", False),
        )
        if config["ENGINE"] != primary["ENGINE"]:
            raise ImproperlyConfigured(
                f"DATABASE_REPLICA_URL: {name} is not a PostgreSQL URL (postgres://...)."
            )
        config["OPTIONS"] = {
            **primary.get("OPTIONS", {}),
            "connect_timeout": REPLICA_CONNECT_TIMEOUT,
            **config.get("OPTIONS", {}),
        }
        replicas[name] = config
    return replicas


def replica_aliases() -> list[str]:
    """The replicas' aliases, in settings order (empty without DATABASE_REPLICA_URL)."""
    return [
        alias
        for alias in settings.DATABASES
        if alias == REPLICA_ALIAS or alias.startswith(f"{REPLICA_ALIAS}_")
    ]


# -- which database answers --------------------------------------------------------------------

_down_until: dict[str, float] = {}


def answers(alias: str) -> bool:
    """Whether the database answers, checked as Django checks it before a request's first
    query (connect if needed; on a kept connection, its health check once per request).
    A failure is remembered for BREAK_SECONDS, so requests meanwhile do not wait on it."""
    if time.monotonic() < _down_until.get(alias, 0.0):
        return False
    connection = connections[alias]
    try:
        connection.close_if_health_check_failed()
        connection.ensure_connection()
    except DatabaseError as exc:
        _down_until[alias] = time.monotonic() + BREAK_SECONDS
        logger.warning(
            "database %s does not answer; reads avoid it for %ss: %s", alias, BREAK_SECONDS, exc
        )
        return False
    _down_until.pop(alias, None)
    return True


def _mirrored(alias: str) -> bool:
    """A test mirror of the primary (TEST["MIRROR"], set by the test settings) is the
    primary's own database: it is read through the primary's connection, so a test sees its
    own uncommitted writes (Django opens no transaction on a mirror)."""
    return connections[alias].settings_dict.get("TEST", {}).get("MIRROR") == DEFAULT_DB_ALIAS


def choose_read_database(pinned: bool) -> str:
    replicas = replica_aliases()
    random.shuffle(replicas)
    if any(_mirrored(alias) for alias in replicas):
        return DEFAULT_DB_ALIAS
    if pinned:
        if answers(DEFAULT_DB_ALIAS):
            return DEFAULT_DB_ALIAS
        # The primary is away: a replica's (possibly slightly older) answer beats an error.
        return next((alias for alias in replicas if answers(alias)), DEFAULT_DB_ALIAS)
    return next((alias for alias in replicas if answers(alias)), DEFAULT_DB_ALIAS)


# -- the request's route -------------------------------------------------------------------------


@dataclass
class ReadRoute:
    """Where one request reads: pinned to the primary or not; the database, once chosen."""

    pinned: bool
    alias: str | None = None


_route: contextvars.ContextVar[ReadRoute | None] = contextvars.ContextVar(
    "read_route", default=None
)


class ReplicaRouter:
    """DATABASE_ROUTERS entry: the rules in this module's docstring."""

    def db_for_read(self, model, **hints):
        route = _route.get()
        if route is None or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        if route.alias is None:
            route.alias = choose_read_database(route.pinned)
        return route.alias

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Every alias holds the same data: an object read from a replica may be linked to
        # one read from the primary.
        known = {DEFAULT_DB_ALIAS, *replica_aliases()}
        return True if obj1._state.db in known and obj2._state.db in known else None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def _token_pin_key(authorization: str) -> str:
    return "kb:primary-pin:" + hashlib.sha256(authorization.encode()).hexdigest()


@functools.cache
def _admin_prefix() -> str:
    return reverse("admin:index")


def _pinned(request) -> bool:
    if request.method not in SAFE_METHODS or PIN_COOKIE in request.COOKIES:
        return True
    if request.path.startswith(_admin_prefix()):
        return True  # curators edit what the primary holds now, not a lagging copy
    authorization = request.headers.get("Authorization", "")
    return bool(authorization) and cache.get(_token_pin_key(authorization)) is not None


def _read_on(content, route: ReadRoute):
    """A streamed body (the CSV exports) runs its queries after the view returned: keep
    them on the request's route while the server iterates it."""
    previous = _route.get()
    _route.set(route)
    try:
        yield from content
    finally:
        _route.set(previous)


class ReadRoutingMiddleware:
    """Sets the request's route for ReplicaRouter; after a successful write, pins the
    client's reads to the primary for PIN_SECONDS (cookie, and the shared cache for a
    token client that keeps no cookies)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        route = ReadRoute(pinned=_pinned(request))
        token = _route.set(route)
        try:
            response = self.get_response(request)
        finally:
            _route.reset(token)
        if (
            isinstance(response, StreamingHttpResponse)
            and not isinstance(response, FileResponse)  # a file: no query, keep sendfile
            and not response.is_async
        ):
            response.streaming_content = _read_on(response.streaming_content, route)
        if request.method not in SAFE_METHODS and response.status_code < 400:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
            authorization = request.headers.get("Authorization", "")
            if authorization:
                cache.set(_token_pin_key(authorization), 1, PIN_SECONDS)
        return response
