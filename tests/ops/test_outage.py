"""Database outage: with the app serving under gunicorn, its database (a throwaway cluster
on its own port) goes away; pages and API answer 503 with a clear message, and the app
recovers without a restart when the database returns."""

import json
import tempfile
import time

import pytest

from tests.ops.servers import Gunicorn, ThrowawayPostgres, get, manage, postgres_bin, production_env

pytestmark = pytest.mark.skipif(postgres_bin() is None, reason="no PostgreSQL server binaries")


@pytest.fixture(scope="module")
def served():
    cluster = ThrowawayPostgres().init().start()
    cluster.create_database()
    env = production_env(cluster.url(), STATIC_ROOT=tempfile.mkdtemp(prefix="kb-static-"))
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    manage(env, "load_knowledge")
    app = Gunicorn(env, workers=1).start()
    yield cluster, app
    app.stop()
    cluster.destroy()


def test_outage_is_a_clear_503_and_the_app_recovers(served):
    cluster, app = served
    assert get(app.base + "/api/v1/partners/")[0] == 200
    assert get(app.base + "/partners/")[0] == 200
    assert get(app.base + "/readyz")[0] == 200

    cluster.stop()
    status, headers, body = get(app.base + "/api/v1/partners/")
    assert status == 503
    assert headers["Content-Type"].startswith("application/json")
    assert json.loads(body)["detail"].startswith("The database is unavailable")
    status, headers, body = get(app.base + "/partners/GEO/", {"Accept": "text/html"})
    assert status == 503
    assert b"The database is unavailable" in body and b"Traceback" not in body
    assert get(app.base + "/readyz")[0] == 503
    assert get(app.base + "/healthz")[0] == 200  # the process itself is fine

    cluster.start()
    deadline = time.monotonic() + 30
    while get(app.base + "/api/v1/partners/")[0] != 200:
        assert time.monotonic() < deadline, "the app did not recover"
        time.sleep(0.5)
    assert get(app.base + "/partners/GEO/")[0] == 200
    assert get(app.base + "/readyz")[0] == 200
