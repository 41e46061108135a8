"""Standing up to abuse: no 500 from any input, one client identity for the throttles and
the lockout, hashed expiring tokens, staff-only quality API, probes on plain HTTP."""

import datetime as dt
import textwrap
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client
from django.test.client import RequestFactory
from django.utils import timezone
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

from partnerships.clients import client_ip
from partnerships.models import Source
from partnerships.tokens import ApiToken, digest
from partnerships.validation import YEAR_RANGE_MESSAGE
from tests.factories import ParticipationFactory, PartnerFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"
TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def loose():
    """A client that answers a server error as a response (a 500), not an exception."""
    return APIClient(raise_request_exception=False)


# -- no 500 from any input ------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/partners/?known_at=9999-12-31T23:00:00-20:27",
        "/api/v1/participations/?known_at=9999-12-31T23:00:00-20:27",
        "/api/v1/partners/?known_at=1850-01-01",
        "/api/v1/partners/?acceded_after=9999-12-31",
        "/api/v1/milestones/?date_after=0001-01-01",
        "/api/v1/sources/?published_before=2101-01-01",
        "/api/v1/participations/?as_of=9999",
    ],
)
def test_dates_out_of_range_in_the_api_are_a_400_with_the_reason(loose, url):
    ParticipationFactory()
    response = loose.get(url)
    assert response.status_code == 400, response.content
    field = url.split("?")[1].split("=")[0]
    assert field in response.json()
    assert "1900" in str(response.json()[field]) or "year" in str(response.json()[field])


@pytest.mark.parametrize(
    "url", ["/history/?until=9999-12-31", "/history/?since=0001-01-01&until=9999-12-31"]
)
def test_history_dates_out_of_range_are_a_form_error(loose, url):
    # The history page answers a filter it cannot use with 400 and the form's errors.
    response = loose.get(url, HTTP_ACCEPT="text/html")
    assert response.status_code == 400
    assert YEAR_RANGE_MESSAGE in response.content.decode()


def test_pages_known_at_out_of_range_says_why(loose):
    PartnerFactory()
    response = loose.get("/partners/?known_at=9999-12-31T23:00:00-20:27")
    assert response.status_code == 200
    assert YEAR_RANGE_MESSAGE in response.content.decode()


def test_api_writes_refuse_dates_out_of_range_and_nul(api, curator):
    api.force_authenticate(curator)
    base = {"title": "T", "publisher": "P", "kind": "official", "tier": "copy"}
    response = api.post("/api/v1/sources/", {**base, "key": "k1", "published": "9999"})
    assert response.status_code == 400
    assert YEAR_RANGE_MESSAGE in str(response.json()["published"])
    response = api.post("/api/v1/sources/", {**base, "key": "k2", "title": "A\x00B"}, format="json")
    assert response.status_code == 400
    assert "title" in response.json()
    partner = PartnerFactory()
    response = api.patch(
        f"/api/v1/partners/{partner.iso3}/", {"other_names": ["x\x00"]}, format="json"
    )
    assert response.status_code == 400
    assert not Source.objects.filter(key__in=["k1", "k2"]).exists()


def test_admin_refuses_dates_out_of_range_and_nul_in_json(client, superuser):
    client.force_login(superuser)
    partner = PartnerFactory(iso3="GEO", region="south-caucasus")
    url = f"/admin/partnerships/partner/{partner.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update(
        {
            "iso3": "GEO",
            "name": "Georgia",
            "region": "south-caucasus",
            "other_names": '["Sak\\u0000art"]',
            "nato_accession": "9999-01-01",
            "milestones-TOTAL_FORMS": "0",
            "milestones-INITIAL_FORMS": "0",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "nul" in str(errors["other_names"]).lower()
    assert YEAR_RANGE_MESSAGE in str(errors["nato_accession"])
    partner.refresh_from_db()
    assert partner.other_names != ["Sak\x00art"]


def test_loader_refuses_dates_out_of_range_and_nul(tmp_path):
    (tmp_path / "sources.yaml").write_text(
        textwrap.dedent("""
        - key: s1
          title: A source
          publisher: NATO
          date: 9999-12-31
          kind: official
          tier: official
        """)
    )
    with pytest.raises(CommandError, match="1900 and 2100"):
        call_command("load_knowledge", data=str(tmp_path))
    (tmp_path / "sources.yaml").write_text('- key: s1\n  title: "A\\0B"\n  publisher: NATO\n')
    with pytest.raises(CommandError, match="NUL"):
        call_command("load_knowledge", data=str(tmp_path))
    assert not Source.objects.exists()


def test_token_endpoint_input_is_bounded(loose):
    response = loose.post(TOKEN_URL, {"username": "u" * 256, "password": "x"}, format="json")
    assert response.status_code == 400
    assert "username" in response.json()
    response = loose.generic("POST", TOKEN_URL, "[" * 100000, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


def test_browsable_api_of_search_renders(loose):
    PartnerFactory(name="Georgia")
    response = loose.get("/api/v1/search/?q=Georgia", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert "Georgia" in response.content.decode()


def test_nul_in_the_session_cookie_is_not_a_500():
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "abcdefghijkl\x00mnopqrstuvwxyz012345"
    assert client.get("/partners/").status_code == 200
    assert client.get("/admin/").status_code == 302


# -- quality API, tokens --------------------------------------------------------------------


def test_quality_api_is_staff_only_like_its_page(api, reader, curator):
    assert api.get("/api/v1/quality/").status_code in (401, 403)
    api.force_authenticate(reader)
    assert api.get("/api/v1/quality/").status_code == 403
    api.force_authenticate(curator)
    assert api.get("/api/v1/quality/").status_code == 200


def test_tokens_are_stored_hashed_shown_once_and_expire(api, curator, settings):
    response = api.post(TOKEN_URL, {"username": curator.username, "password": PASSWORD})
    assert response.status_code == 200
    key = response.json()["token"]
    stored = ApiToken.objects.get(user=curator)
    assert stored.digest == digest(key) and key not in stored.digest
    expires = dt.datetime.fromisoformat(response.json()["expires"])
    assert abs(expires - (timezone.now() + dt.timedelta(days=settings.API_TOKEN_DAYS))) < (
        dt.timedelta(minutes=1)
    )
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/quality/").status_code == 200
    ApiToken.objects.filter(pk=stored.pk).update(expires=timezone.now() - dt.timedelta(seconds=1))
    response = api.get("/api/v1/quality/")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_token_rotation_revokes_the_old_token(api, curator):
    _, old = ApiToken.issue(curator)
    api.credentials(HTTP_AUTHORIZATION=f"Token {old}")
    response = api.post("/api/v1/auth/token/rotate/")
    assert response.status_code == 200
    new = response.json()["token"]
    assert new != old
    assert api.get("/api/v1/quality/").status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Token {new}")
    assert api.get("/api/v1/quality/").status_code == 200


def test_issue_token_command_prints_the_key_once(curator, capsys):
    call_command("issue_token", curator.username, days=7)
    key = capsys.readouterr().out.strip()
    token = ApiToken.objects.get(user=curator)
    assert token.digest == digest(key)
    assert token.expires - timezone.now() < dt.timedelta(days=7, minutes=1)
    with pytest.raises(CommandError, match="No user"):
        call_command("issue_token", "nobody")


def test_existing_plain_tokens_are_hashed_by_the_migration(curator):
    import importlib

    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("partnerships.migrations.0008_api_tokens_hashed")
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id integer, "
            "created timestamp with time zone)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token VALUES (%s, %s, %s)", ["a" * 40, curator.pk, None]
        )
    migration.hash_existing_tokens(apps, SimpleNamespace(connection=connection))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0
    assert ApiToken.objects.get(user=curator).digest == digest("a" * 40)
    response = APIClient().get("/api/v1/quality/", HTTP_AUTHORIZATION=f"Token {'a' * 40}")
    assert response.status_code == 200


# -- one client identity --------------------------------------------------------------------


def _request(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_client_ip_believes_the_header_only_from_a_trusted_proxy(settings):
    settings.FORWARDED_ALLOW_IPS = ["127.0.0.1", "10.0.0.0/8"]
    assert client_ip(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"
    assert client_ip(_request("127.0.0.1", "198.51.100.1")) == "198.51.100.1"
    # The right-most address that is not a trusted proxy; what the client wrote is ignored.
    assert client_ip(_request("127.0.0.1", "1.2.3.4, 198.51.100.1, 10.1.2.3")) == "198.51.100.1"
    assert client_ip(_request("127.0.0.1", "garbage, 10.1.2.3")) == "10.1.2.3"
    assert client_ip(_request("127.0.0.1")) == "127.0.0.1"


@pytest.fixture
def tight_anon_rate(monkeypatch):
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "3/minute"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    # Other tests set DRF's AnonRateThrottle's own copy, which would hide the one above.
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", rates)


def test_a_random_forwarded_header_does_not_dodge_the_throttle(loose, tight_anon_rate):
    statuses = [
        loose.get(
            "/api/v1/partners/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}"
        ).status_code
        for i in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]


def test_behind_a_trusted_proxy_each_client_has_its_own_budget(loose, tight_anon_rate):
    def get(client_address):
        return loose.get(
            "/api/v1/partners/",
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"6.6.6.6, {client_address}",
        ).status_code

    assert [get("198.51.100.1") for _ in range(4)] == [200, 200, 200, 429]
    assert get("198.51.100.2") == 200


# -- login lockout --------------------------------------------------------------------------


def _fail_logins(client, user, times, address):
    for _ in range(times):
        client.post(
            "/admin/login/",
            {"username": user.username, "password": "wrong"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=address,
        )


def test_a_stranger_cannot_lock_a_curator_out(client, curator, settings):
    _fail_logins(client, curator, settings.AXES_FAILURE_LIMIT + 2, "203.0.113.66")
    curator_client = Client()
    response = curator_client.post(
        "/admin/login/",
        {"username": curator.username, "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert response.status_code == 302  # logged in, from the curator's own address
    locked = Client().post(
        "/admin/login/",
        {"username": curator.username, "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.66",
    )
    assert locked.status_code == 429
    assert locked["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME.total_seconds()))


# -- health probes --------------------------------------------------------------------------


def test_health_probes_answer_plain_http_when_https_only(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/partners/").status_code == 301


# -- bounded work ---------------------------------------------------------------------------


def test_every_postgresql_connection_has_a_statement_timeout(on_postgres, settings):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT EXTRACT(EPOCH FROM current_setting('statement_timeout')::interval)")
        seconds = cursor.fetchone()[0]
    assert float(seconds) == settings.DB_STATEMENT_TIMEOUT > 0
    assert connection.settings_dict["OPTIONS"]["connect_timeout"] == settings.DB_CONNECT_TIMEOUT


def test_a_statement_out_of_time_is_a_503_with_retry_after(on_postgres, loose, monkeypatch):
    from django.db import connection

    from partnerships.api.partners import PartnerViewSet, partners_for_api

    PartnerFactory()
    # The list's own query (its annotations kept), made slow.
    slow = partners_for_api().extra(where=["(SELECT 1 FROM pg_sleep(0.5)) = 1"])  # noqa: S610
    monkeypatch.setattr(PartnerViewSet, "get_queryset", lambda self: slow.order_by("pk"))
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = '50ms'")  # undone with the test's rollback
    response = loose.get("/api/v1/partners/")
    assert response.status_code == 503
    assert "time budget" in response.json()["detail"]
    assert response["Retry-After"] == "10"


def test_serve_runs_threaded_workers_with_request_limits(monkeypatch):
    """``make serve`` and ``make soak`` both run gunicorn.conf.py: threaded workers with
    request limits and timeouts, the proxies trusted from the environment."""
    import runpy
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    makefile = (root / "Makefile").read_text()
    serve = makefile[makefile.index("\nserve:") :].split("\n\n")[0]
    assert "gunicorn --config gunicorn.conf.py" in serve
    assert "gunicorn.conf.py" in (root / "scripts" / "soak.py").read_text()
    for name in ("HOST", "PORT", "WORKERS", "THREADS", "TIMEOUT", "FORWARDED_ALLOW_IPS"):
        monkeypatch.delenv(name, raising=False)
    config = runpy.run_path(str(root / "gunicorn.conf.py"))
    assert config["worker_class"] == "gthread" and config["threads"] > 1
    assert (config["workers"], config["timeout"], config["graceful_timeout"]) == (4, 30, 30)
    assert config["keepalive"] == 5 and config["bind"] == "127.0.0.1:8000"
    assert config["limit_request_line"] == 4094 and config["limit_request_fields"] == 100
    assert config["limit_request_field_size"] == 8190
    assert config["forwarded_allow_ips"] == "127.0.0.1"
    monkeypatch.setenv("THREADS", "16")
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.0/8")
    config = runpy.run_path(str(root / "gunicorn.conf.py"))
    assert (config["threads"], config["forwarded_allow_ips"]) == (16, "10.0.0.0/8")


# -- expensive endpoints: their own budget --------------------------------------------------


@pytest.fixture
def tight_expensive_rates(monkeypatch):
    rates = {
        **api_settings.DEFAULT_THROTTLE_RATES,
        **dict.fromkeys(("export", "matrix", "reconcile", "search"), "2/minute"),
    }
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/matrix/frameworks/",
        "/api/v1/reconcile/",
        "/api/v1/search/?q=georgia",
        "/api/v1/partners/?format=csv",
    ],
)
def test_expensive_api_endpoints_have_their_own_lower_budget(loose, tight_expensive_rates, url):
    statuses = [loose.get(url, REMOTE_ADDR="203.0.113.9").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert loose.get("/api/v1/partners/", REMOTE_ADDR="203.0.113.9").status_code == 200
    assert loose.get(url, REMOTE_ADDR="203.0.113.10").status_code == 200


def test_expensive_pages_have_a_budget_per_client(client, settings, curator):
    settings.PAGE_EXPENSIVE_RATE = "2/minute"
    statuses = [
        client.get("/matrix/frameworks/", REMOTE_ADDR="203.0.113.9").status_code for _ in range(3)
    ]
    assert statuses == [200, 200, 429]
    limited = client.get("/search/?q=x", REMOTE_ADDR="203.0.113.9")
    assert limited.status_code == 429 and int(limited["Retry-After"]) >= 1
    assert client.get("/partners/", REMOTE_ADDR="203.0.113.9").status_code == 200
    assert client.get("/matrix/frameworks/", REMOTE_ADDR="203.0.113.10").status_code == 200
    client.force_login(curator)
    assert client.get("/matrix/frameworks/", REMOTE_ADDR="203.0.113.9").status_code == 200


# -- idempotent writes ----------------------------------------------------------------------

SOURCE = {"key": "idem", "title": "T", "publisher": "P", "kind": "official", "tier": "copy"}


def test_a_retried_post_with_the_same_key_writes_once(api, curator):
    _, key = ApiToken.issue(curator)
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    first = api.post("/api/v1/sources/", SOURCE, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = api.post("/api/v1/sources/", SOURCE, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Source.objects.filter(key="idem").count() == 1
    changed = api.post(
        "/api/v1/sources/", {**SOURCE, "title": "U"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert changed.status_code == 422
    assert "different request" in changed.json()["detail"]
    # Without a key, a second POST is a second request (here refused: the key is taken).
    assert api.post("/api/v1/sources/", SOURCE, format="json").status_code == 400


def test_idempotency_keys_belong_to_their_sender(api, curator, superuser):
    _, first_key = ApiToken.issue(curator)
    _, second_key = ApiToken.issue(superuser)
    api.credentials(HTTP_AUTHORIZATION=f"Token {first_key}")
    assert api.post("/api/v1/sources/", SOURCE, format="json", HTTP_IDEMPOTENCY_KEY="same")
    api.credentials(HTTP_AUTHORIZATION=f"Token {second_key}")
    other = api.post(
        "/api/v1/sources/", {**SOURCE, "key": "other"}, format="json", HTTP_IDEMPOTENCY_KEY="same"
    )
    assert other.status_code == 201 and "Idempotent-Replayed" not in other
    bad = api.post("/api/v1/sources/", SOURCE, format="json", HTTP_IDEMPOTENCY_KEY="a b")
    assert bad.status_code == 400
