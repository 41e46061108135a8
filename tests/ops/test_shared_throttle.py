"""The anonymous API throttle holds its documented rate across gunicorn workers: counts
live in the shared throttle cache (Redis when REDIS_URL is set, else files the workers of
one machine share), not in each worker's memory. Two workers, a rate of 6 a minute, 16
requests on fresh connections: exactly 6 are answered, whichever worker takes them. Cache
hits and 304s count like any request."""

import socket
import tempfile

import pytest

from tests.ops.servers import Gunicorn, ThrowawayPostgres, get, manage, postgres_bin, production_env

pytestmark = pytest.mark.skipif(postgres_bin() is None, reason="no PostgreSQL server binaries")

RATE = 6


def redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def database():
    cluster = ThrowawayPostgres().init().start()
    cluster.create_database()
    env = production_env(cluster.url(), STATIC_ROOT=tempfile.mkdtemp(prefix="kb-static-"))
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    yield cluster
    cluster.destroy()


def shared_cache_settings(kind: str) -> dict:
    if kind == "redis":
        if not redis_up():
            pytest.skip("no Redis on 127.0.0.1:6379")
        # A database number of its own, emptied before the run (below).
        return {"REDIS_URL": "redis://127.0.0.1:6379/13"}
    return {"THROTTLE_CACHE_DIR": tempfile.mkdtemp(prefix="kb-throttle-")}


@pytest.mark.parametrize("kind", ["redis", "files"])
def test_the_documented_rate_holds_across_two_workers(database, kind):
    env = production_env(
        database.url(),
        STATIC_ROOT=tempfile.mkdtemp(prefix="kb-static-"),
        API_ANON_RATE=f"{RATE}/minute",
        **shared_cache_settings(kind),
    )
    if kind == "redis":
        import redis

        redis.Redis.from_url("redis://127.0.0.1:6379/13").flushdb()
    app = Gunicorn(env, workers=2).start()
    try:
        first = get(app.base + "/api/v1/frameworks/")
        assert first[0] == 200, first
        statuses = [first[0]]
        for _ in range(7):
            statuses.append(get(app.base + "/api/v1/frameworks/")[0])
            revalidated = get(
                app.base + "/api/v1/frameworks/", headers={"If-None-Match": first[1]["ETag"]}
            )
            statuses.append(revalidated[0])
        blocked = get(app.base + "/api/v1/frameworks/")
    finally:
        app.stop()
    answered = [s for s in statuses if s in (200, 304)]
    assert len(answered) == RATE, statuses
    assert statuses.count(429) == len(statuses) - RATE
    assert blocked[0] == 429 and int(blocked[1]["Retry-After"]) > 0
