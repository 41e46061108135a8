"""Read replica: a throwaway primary and a streaming replica made from it with
pg_basebackup, the app under gunicorn with DATABASE_URL on the primary and
DATABASE_REPLICA_URL on the replica.

Which server answered is read from the data itself: with the replica's replay paused, a
write reaches only the primary, so a read that misses it came from the replica.
"""

import json
import os
import shutil
import tempfile
import time

import psycopg
import pytest

from tests.ops.servers import (
    Gunicorn,
    ThrowawayPostgres,
    get,
    manage,
    postgres_bin,
    production_env,
    send,
)

pytestmark = pytest.mark.skipif(postgres_bin() is None, reason="no PostgreSQL server binaries")

PARTNER = "/api/v1/partners/GEO/"
# A few rows (a partner in a framework and a mission, with a figure) and a curator's token.
SEED = """
from django.contrib.auth.models import Group, User
from partnerships.tokens import ApiToken
from tests.factories import ContributionFactory, FigureFactory, ParticipationFactory, PartnerFactory
partner = PartnerFactory(iso3="GEO")
ParticipationFactory(partner=partner)
FigureFactory(contribution=ContributionFactory(partner=partner))
user = User.objects.create_user("curator", password="a-long-test-password-0123", is_staff=True)
user.groups.add(Group.objects.get(name="Curators"))
print(ApiToken.issue(user)[1])
"""


class ThrowawayReplica(ThrowawayPostgres):
    """A hot standby of a ThrowawayPostgres: pg_basebackup -R (standby.signal and the
    primary's address), streaming from the primary over the replication connection that
    initdb's trust configuration allows on loopback."""

    def clone(self, primary: ThrowawayPostgres):
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        source = ["-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres"]
        self._run("pg_basebackup", *source, "-D", str(self.data), "-R", "-X", "stream",
                  "-c", "fast", "--no-sync")  # fmt: skip
        return self


def query(url: str, sql: str, *params):
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        return conn.execute(sql, params).fetchone()


def profile_on(cluster) -> str:
    return query(cluster.url(), "SELECT profile FROM partnerships_partner WHERE iso3 = 'GEO'")[0]


def profile_served(app, headers=None) -> str:
    status, _, body = get(app.base + PARTNER, headers)
    assert status == 200, body[:300]
    return json.loads(body)["profile"]


def readiness(app):
    status, _, body = get(app.base + "/readyz")
    return status, json.loads(body)


def wait_for(check, what: str, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.3)


@pytest.fixture(scope="module")
def served():
    primary = ThrowawayPostgres().init().start()
    replica = ThrowawayReplica()
    app = None
    try:
        primary.create_database()
        setup_env = production_env(primary.url())
        manage(setup_env, "migrate", "--noinput")
        token = manage(setup_env, "shell", "-c", SEED).stdout.split()[-1]
        replica.clone(primary).start()
        env = production_env(
            primary.url(),
            DATABASE_REPLICA_URL=replica.url(),
            STATIC_ROOT=tempfile.mkdtemp(prefix="kb-static-"),
        )
        manage(env, "collectstatic", "--noinput")
        # One worker: the token pin lives in the cache, in-process without REDIS_URL.
        app = Gunicorn(env, workers=1).start()
        yield primary, replica, app, {"Authorization": f"Token {token}"}
    finally:
        if app:
            app.stop()
        replica.destroy()
        primary.destroy()


def test_reads_reach_the_replica_writes_the_primary_and_a_writer_reads_its_write(served):
    primary, replica, app, curator = served
    assert query(replica.url(), "SELECT pg_is_in_recovery()")[0] is True
    before = profile_served(app)
    assert before == profile_on(primary) == profile_on(replica)

    query(replica.url(), "SELECT pg_wal_replay_pause()")
    try:
        status, body = send(app.base + PARTNER, "PATCH", {"profile": "Replicated text."}, curator)
        assert status == 200, body[:300]
        # The write reached the primary; the paused replica has not seen it.
        assert profile_on(primary) == "Replicated text."
        assert profile_on(replica) == before
        # An anonymous read comes from the replica.
        assert profile_served(app) == before
        # The writer's next read comes from the primary: by its token (a script) ...
        assert profile_served(app, curator) == "Replicated text."
        # ... or by the cookie the write set (a browser).
        assert profile_served(app, {"Cookie": "kb_primary=1"}) == "Replicated text."
    finally:
        query(replica.url(), "SELECT pg_wal_replay_resume()")
    # Replication brings the write to the replica, and anonymous readers see it.
    wait_for(lambda: profile_served(app) == "Replicated text.", "the write never replicated")
    assert profile_on(replica) == "Replicated text."


def test_reads_fall_back_to_the_primary_while_the_replica_is_down(served):
    primary, replica, app, curator = served
    replica.stop()
    try:
        assert profile_served(app) == profile_on(primary)
        assert get(app.base + "/partners/")[0] == 200
        status, ready = readiness(app)
        assert status == 200
        assert ready["status"] == "ok"
        assert ready["replicas"]["replica"].startswith("unreachable")
    finally:
        replica.start()
    # Back on the replica once it answers again (after the short circuit-breaker pause).
    wait_for(lambda: readiness(app)[1]["replicas"]["replica"] == "ok", "the replica is not back")
    query(replica.url(), "SELECT pg_wal_replay_pause()")
    try:
        status, _ = send(app.base + PARTNER, "PATCH", {"profile": "Second text."}, curator)
        assert status == 200
        # Until the router's circuit breaker tries the replica again, reads see the primary.
        wait_for(lambda: profile_served(app) != "Second text.", "reads did not return")
        assert profile_served(app) == profile_on(replica) != profile_on(primary)
    finally:
        query(replica.url(), "SELECT pg_wal_replay_resume()")
    wait_for(lambda: profile_served(app) == "Second text.", "the write never replicated")


def test_the_site_keeps_answering_reads_when_the_primary_stops(served):
    primary, replica, app, curator = served
    primary._run("pg_ctl", "-D", str(primary.data), "-m", "fast", "-w", "stop")
    for path in (
        "/",
        "/partners/",
        "/partners/GEO/",
        "/frameworks/",
        "/missions/",
        "/api/v1/partners/",
        PARTNER,
        "/api/v1/partners/?format=csv",
        "/api/v1/frameworks/",
        "/api/v1/missions/",
    ):
        status, _, body = get(app.base + path)
        assert status == 200, (path, body[:300])
    # A curator still reads (from the replica: the primary is away) but cannot write.
    assert profile_served(app, curator) == profile_on(replica)
    status, body = send(app.base + PARTNER, "PATCH", {"profile": "Lost."}, curator)
    assert status == 503
    assert json.loads(body)["detail"].startswith("The database is unavailable")
    status, ready = readiness(app)
    assert status == 200
    assert ready["status"] == "read-only"
    assert ready["database"].startswith("unreachable") and ready["replicas"]["replica"] == "ok"
