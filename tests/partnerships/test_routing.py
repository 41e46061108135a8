"""Read replicas: the DATABASE_REPLICA_URL settings, the router's rules, the pin after a
write, the fallbacks, and the promise they rest on (anonymous reads never write).

The router is tested here against stand-in connections; tests/ops/test_replica.py runs it
against a real PostgreSQL primary and streaming replica.
"""

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, OperationalError
from django.db.models.signals import pre_save
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from partnerships import health, routing
from partnerships.routing import (
    PIN_COOKIE,
    PIN_SECONDS,
    ReadRoutingMiddleware,
    ReplicaRouter,
    replica_databases,
)
from tests.factories import (
    ContributionFactory,
    FigureFactory,
    ParticipationFactory,
    PartnerFactory,
)
from tests.project.test_settings import run_settings

PRIMARY = {
    "ENGINE": "django.db.backends.postgresql",
    "NAME": "kb",
    "HOST": "db.internal",
    "PORT": 5432,
    "CONN_MAX_AGE": 60,
    "CONN_HEALTH_CHECKS": True,
    "OPTIONS": {"options": "-c statement_timeout=5000", "connect_timeout": 10},
}


# -- settings ----------------------------------------------------------------------------------


def test_no_replica_url_adds_no_database():
    assert replica_databases("", PRIMARY) == {}
    assert replica_databases(" , ", PRIMARY) == {}


def test_one_replica_url_is_the_replica_alias_with_the_primarys_options():
    replicas = replica_databases("postgres://reader@replica.internal:5433/kb", PRIMARY)
    assert list(replicas) == ["replica"]
    replica = replicas["replica"]
    assert (replica["HOST"], replica["PORT"], replica["USER"]) == (
        "replica.internal",
        5433,
        "reader",
    )
    assert replica["CONN_MAX_AGE"] == 60 and replica["CONN_HEALTH_CHECKS"] is True
    # The primary's timeouts, and a short connect timeout for the health check.
    assert replica["OPTIONS"] == {"options": "-c statement_timeout=5000", "connect_timeout": 2}


def test_several_replica_urls_are_numbered_and_a_urls_own_options_win():
    replicas = replica_databases(
        "postgres://r1:5432/kb, postgres://r2:5432/kb?connect_timeout=7,postgres://r3/kb", PRIMARY
    )
    assert list(replicas) == ["replica_1", "replica_2", "replica_3"]
    assert [r["HOST"] for r in replicas.values()] == ["r1", "r2", "r3"]
    assert replicas["replica_2"]["OPTIONS"]["connect_timeout"] == 7
    assert replicas["replica_3"]["OPTIONS"]["connect_timeout"] == 2


def test_a_replica_needs_postgresql_on_both_sides():
    with pytest.raises(ImproperlyConfigured, match="PostgreSQL primary"):
        replica_databases("postgres://r1/kb", {"ENGINE": "django.db.backends.sqlite3"})
    with pytest.raises(ImproperlyConfigured, match="replica_2 is not a PostgreSQL URL"):
        replica_databases("postgres://r1/kb,mysql://r2/kb", PRIMARY)


def test_the_replica_url_installs_the_router_and_the_pin_and_nothing_changes_without_it():
    code = (
        "import django; django.setup(); from django.conf import settings;"
        "print(sorted(settings.DATABASES), settings.DATABASE_ROUTERS,"
        " 'partnerships.routing.ReadRoutingMiddleware' in settings.MIDDLEWARE,"
        " settings.DATABASES.get('replica', {}).get('TEST', {}).get('MIRROR'), sep='|')"
    )
    base = {"DATABASE_URL": "postgres://kb@db/kb", "DATABASE_REPLICA_URL": ""}
    # The test settings (production's, plus a mirror: the suite needs no second database).
    env = {
        **base,
        "DJANGO_SETTINGS_MODULE": "partnerships.settings_test",
        "DATABASE_REPLICA_URL": "postgres://kb@replica/kb",
    }
    result = run_settings(env, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().split("|") == [
        "['default', 'replica']",
        "['partnerships.routing.ReplicaRouter']",
        "True",
        "default",
    ]
    result = run_settings({**base, "DEBUG": "1"}, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['default']|[]|False|None"


# -- the router, on stand-in connections -------------------------------------------------------


class StandIn:
    """What the router uses of a database connection: its settings, whether a transaction
    is open, and the pre-query check, which fails while the server is "down"."""

    def __init__(self, mirror=None):
        self.settings_dict = {"TEST": {"MIRROR": mirror}}
        self.in_atomic_block = False
        self.down = False
        self.checks = 0

    def close_if_health_check_failed(self):
        pass

    def ensure_connection(self):
        self.checks += 1
        if self.down:
            raise OperationalError("connection refused")


@pytest.fixture
def databases(monkeypatch):
    """A primary and two replicas, all answering; a clock the test moves."""
    stand_ins = {name: StandIn() for name in (DEFAULT_DB_ALIAS, "replica_1", "replica_2")}
    clock = [1000.0]
    monkeypatch.setattr(routing, "connections", stand_ins)
    monkeypatch.setattr(routing, "replica_aliases", lambda: ["replica_1", "replica_2"])
    monkeypatch.setattr(routing.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(routing, "_down_until", {})
    stand_ins["clock"] = clock
    return stand_ins


def read_in_request(pinned=False, reads=1):
    """Where a request's reads go (one answer per read)."""
    router = ReplicaRouter()
    token = routing._route.set(routing.ReadRoute(pinned=pinned))
    try:
        return [router.db_for_read(None) for _ in range(reads)]
    finally:
        routing._route.reset(token)


def test_reads_outside_a_request_and_all_writes_go_to_the_primary(databases):
    router = ReplicaRouter()
    assert router.db_for_read(None) == DEFAULT_DB_ALIAS
    assert router.db_for_write(None) == DEFAULT_DB_ALIAS
    token = routing._route.set(routing.ReadRoute(pinned=False))
    try:
        assert router.db_for_write(None) == DEFAULT_DB_ALIAS
    finally:
        routing._route.reset(token)


def test_a_requests_reads_go_to_one_replica_and_every_replica_gets_requests(databases):
    seen = set()
    for _ in range(40):
        aliases = read_in_request(reads=3)
        assert len(set(aliases)) == 1  # one server for the whole request
        seen.add(aliases[0])
    assert seen == {"replica_1", "replica_2"}


def test_reads_inside_a_transaction_on_the_primary_stay_on_it(databases):
    databases[DEFAULT_DB_ALIAS].in_atomic_block = True
    assert read_in_request() == [DEFAULT_DB_ALIAS]


def test_a_pinned_request_reads_the_primary_and_a_replica_when_the_primary_is_down(databases):
    assert read_in_request(pinned=True) == [DEFAULT_DB_ALIAS]
    databases[DEFAULT_DB_ALIAS].down = True
    assert read_in_request(pinned=True)[0] in {"replica_1", "replica_2"}


def test_a_replica_that_does_not_answer_is_skipped_then_retried_after_the_break(databases):
    databases["replica_1"].down = True
    assert {read_in_request()[0] for _ in range(20)} == {"replica_2"}
    # The failure is remembered: the dead replica was asked once, not once per request.
    assert databases["replica_1"].checks == 1
    databases["replica_2"].down, databases["replica_2"].checks = True, 0
    assert read_in_request() == [DEFAULT_DB_ALIAS]  # no replica answers: the primary reads
    assert read_in_request() == [DEFAULT_DB_ALIAS]
    assert databases["replica_2"].checks == 1  # one failed check, then left alone
    databases["replica_1"].down = False
    databases["clock"][0] += routing.BREAK_SECONDS + 0.1
    assert read_in_request() == ["replica_1"]


def test_a_test_mirror_is_read_through_the_primarys_connection(databases, monkeypatch):
    databases["replica"] = StandIn(mirror=DEFAULT_DB_ALIAS)
    monkeypatch.setattr(routing, "replica_aliases", lambda: ["replica"])
    assert read_in_request() == [DEFAULT_DB_ALIAS]
    assert databases["replica"].checks == 0


def test_migrations_only_on_the_primary_and_relations_across_aliases(databases):
    router = ReplicaRouter()
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "partnerships")
    assert not router.allow_migrate("replica_1", "partnerships")
    on_replica, on_primary, elsewhere = (PartnerFactory.build() for _ in range(3))
    on_replica._state.db, on_primary._state.db = "replica_1", DEFAULT_DB_ALIAS
    elsewhere._state.db = "archive"
    assert router.allow_relation(on_replica, on_primary) is True
    assert router.allow_relation(on_replica, elsewhere) is None  # Django's own rule decides


# -- the middleware: the route of each request, the pin after a write ----------------------------


def route_of(request, status=200, streaming=False):
    """Run the middleware around a view that records the route it reads under."""
    seen = {}

    def view(request):
        seen["route"] = routing._route.get()
        if streaming:

            def rows():
                seen["streamed"] = routing._route.get()
                yield b"a,b\n"

            return StreamingHttpResponse(rows())
        return HttpResponse(status=status)

    response = ReadRoutingMiddleware(view)(request)
    if streaming:
        b"".join(response.streaming_content)
    assert routing._route.get() is None  # nothing leaks to the next request
    return seen, response


def test_a_read_is_not_pinned_and_sets_no_cookie():
    seen, response = route_of(RequestFactory().get("/partners/"))
    assert seen["route"].pinned is False
    assert PIN_COOKIE not in response.cookies


def test_a_successful_write_reads_the_primary_and_pins_the_client_for_a_few_seconds():
    seen, response = route_of(RequestFactory().post("/admin/partnerships/partner/1/change/"))
    assert seen["route"].pinned is True
    cookie = response.cookies[PIN_COOKIE]
    assert cookie["max-age"] == PIN_SECONDS and cookie["httponly"]
    request = RequestFactory().get("/partners/")
    request.COOKIES[PIN_COOKIE] = "1"
    assert route_of(request)[0]["route"].pinned is True


def test_the_admin_always_reads_the_primary():
    assert route_of(RequestFactory().get("/admin/partnerships/partner/"))[0]["route"].pinned


def test_a_refused_write_pins_nothing():
    _, response = route_of(RequestFactory().post("/api/v1/partners/"), status=400)
    assert PIN_COOKIE not in response.cookies


def test_a_token_client_is_pinned_through_the_shared_cache():
    cache.clear()
    factory = RequestFactory()
    writer = {"HTTP_AUTHORIZATION": "Token writer"}
    assert route_of(factory.get("/api/v1/partners/", **writer))[0]["route"].pinned is False
    route_of(factory.patch("/api/v1/partners/GEO/", **writer))
    assert route_of(factory.get("/api/v1/partners/", **writer))[0]["route"].pinned is True
    other = {"HTTP_AUTHORIZATION": "Token someone-else"}
    assert route_of(factory.get("/api/v1/partners/", **other))[0]["route"].pinned is False


def test_a_streamed_body_reads_on_its_requests_route():
    seen, _ = route_of(RequestFactory().get("/api/v1/partners/?format=csv"), streaming=True)
    assert seen["streamed"] is seen["route"]


# -- readiness -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("primary", "replica", "status", "state"),
    [
        ("ok", "ok", 200, "ok"),
        ("ok", "unreachable (OperationalError)", 200, "ok"),
        ("unreachable (OperationalError)", "ok", 200, "read-only"),
        ("unreachable (OperationalError)", "unreachable (OperationalError)", 503, "unavailable"),
    ],
)
def test_readiness_reports_each_database_and_stays_ready_read_only(
    client, monkeypatch, primary, replica, status, state
):
    states = {DEFAULT_DB_ALIAS: primary, "replica": replica}

    def database_state(alias):
        if states[alias] == "ok":
            return {"database": "ok", "pending_migrations": 0}
        return {"database": states[alias]}

    monkeypatch.setattr(health, "replica_aliases", lambda: ["replica"])
    monkeypatch.setattr(health, "database_state", database_state)
    response = client.get("/readyz")
    assert response.status_code == status
    assert response.json()["status"] == state
    assert response.json()["replicas"] == {"replica": replica}


# -- the promise the primary-down fallback rests on ----------------------------------------


@pytest.mark.django_db
def test_anonymous_reads_never_write(client):
    partner = PartnerFactory()
    ParticipationFactory(partner=partner)
    contribution = ContributionFactory(partner=partner)
    FigureFactory(contribution=contribution)
    saves = []
    pre_save.connect(lambda sender, **kw: saves.append(sender), weak=False, dispatch_uid="t")
    paths = [
        "/",
        "/partners/",
        f"/partners/{partner.iso3}/",
        "/frameworks/",
        "/missions/",
        f"/missions/{contribution.mission.slug}/",
        "/search/?q=a",
        "/sources/",
        "/history/",
        "/api/v1/partners/",
        f"/api/v1/partners/{partner.iso3}/",
        "/api/v1/partners/?format=csv",
        "/missions/contributions/",
        "/api/v1/contributions/",
        "/api/v1/figures/",
    ]
    try:
        with CaptureQueriesContext(routing.connections[DEFAULT_DB_ALIAS]) as queries:
            for path in paths:
                response = client.get(path)
                assert response.status_code == 200, path
                if response.streaming:
                    b"".join(response.streaming_content)
                assert "sessionid" not in response.cookies, path
    finally:
        pre_save.disconnect(dispatch_uid="t")
    assert saves == []
    writes = [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}
        or "django_session" in q["sql"]
    ]
    assert writes == []
