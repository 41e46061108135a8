"""Production hardening: headers, request ids, limits, health, lockout, tokens, 503s,
atomic writes, and a clean `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import OperationalError
from django.urls import reverse
from rest_framework import serializers
from rest_framework.test import APIClient

from frameworks.models import Participation
from partnerships.tokens import ApiToken, digest
from tests.factories import FrameworkFactory, PartnerFactory, SourceFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


@pytest.mark.parametrize("path", ["/api/v1/partners/", "/admin/login/", "/healthz"])
def test_security_headers(client, path):
    response = client.get(path)
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_request_id_is_echoed_or_made(client):
    made = client.get("/healthz")["X-Request-ID"]
    assert len(made) == 32
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] == "abc-123"
    assert client.get("/healthz", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"] != "<script>"


def test_json_log_lines_carry_the_request_id():
    import json
    import logging

    from partnerships.middleware import JsonLogFormatter, RequestIdLogFilter, _request_id

    token = _request_id.set("req-42")
    try:
        record = logging.LogRecord("partnerships", logging.INFO, __file__, 1, "hello", (), None)
        RequestIdLogFilter().filter(record)
        line = json.loads(JsonLogFormatter().format(record))
    finally:
        _request_id.reset(token)
    assert line["request_id"] == "req-42"
    assert line["message"] == "hello"
    assert line["level"] == "INFO"


def test_oversized_body_is_413_before_parsing(api, curator, settings):
    settings.MAX_BODY_BYTES = 1000
    api.force_authenticate(curator)
    response = api.post(
        "/api/v1/sources/", {"title": "x" * 5000, "key": "k", "publisher": "p"}, format="json"
    )
    assert response.status_code == 413
    assert "limit is 1000" in response.json()["detail"]


def test_nul_characters_in_the_query_are_a_400(api):
    response = api.get("/api/v1/matrix/frameworks/?partner=%00")
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


def test_health_and_readiness(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["pending_migrations"] == 0


def test_database_error_in_a_view_is_a_503_not_a_500(api, client):
    with mock.patch(
        "partnerships.api.partners.PartnerViewSet.get_queryset",
        side_effect=OperationalError("gone"),
    ):
        response = api.get("/api/v1/partners/")
    assert response.status_code == 503
    assert response.json()["detail"].startswith("The database is unavailable")
    assert response["Retry-After"] == "5"
    with mock.patch("partnerships.health.MigrationExecutor", side_effect=OperationalError("x")):
        assert client.get("/readyz").status_code == 503


def test_login_lockout_after_repeated_failures(client, curator, settings):
    url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": curator.username, "password": "wrong"})
        assert response.status_code == 200  # the form again, with its error
    locked = client.post(url, {"username": curator.username, "password": "wrong"})
    assert locked.status_code == 429
    # Even the right password is refused while locked.
    again = client.post(url, {"username": curator.username, "password": "correct horse battery"})
    assert again.status_code == 429


def test_api_token_obtain_use_revoke(api, curator):
    response = api.post(
        "/api/v1/auth/token/",
        {"username": curator.username, "password": "correct horse battery"},
        format="json",
    )
    assert response.status_code == 200
    key = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    payload = {
        "key": "via-token",
        "title": "T",
        "publisher": "P",
        "kind": "official",
        "tier": "copy",
    }
    assert api.post("/api/v1/sources/", payload, format="json").status_code == 201
    assert api.delete("/api/v1/auth/token/").json() == {"revoked": True}
    assert not ApiToken.objects.filter(digest=digest(key)).exists()
    assert api.post("/api/v1/sources/", payload, format="json").status_code == 401


def test_api_token_lockout(api, curator, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api.post(
            "/api/v1/auth/token/", {"username": curator.username, "password": "no"}, format="json"
        )
    response = api.post(
        "/api/v1/auth/token/",
        {"username": curator.username, "password": "correct horse battery"},
        format="json",
    )
    assert response.status_code == 429
    assert int(response["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    assert "token" not in response.json()


def test_interrupted_write_leaves_no_partial_rows(api, curator):
    api.force_authenticate(curator)
    payload = {
        "partner": PartnerFactory().iso3,
        "framework": FrameworkFactory().slug,
        "start": "1994",
        "status": "active",
        "sources": [SourceFactory().key],
    }
    before = Participation.objects.count()
    original = serializers.ModelSerializer.create

    def create_then_fail(self, validated_data):
        original(self, validated_data)  # the row and its source links are written...
        raise RuntimeError("connection lost")  # ...then the write is cut short

    with (
        mock.patch.object(serializers.ModelSerializer, "create", create_then_fail),
        pytest.raises(RuntimeError),
    ):
        api.post("/api/v1/participations/", payload, format="json")
    assert Participation.objects.count() == before


def test_check_deploy_with_production_settings_reports_nothing():
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "HTTPS_ONLY"}},
        "DJANGO_SETTINGS_MODULE": "partnerships.settings",  # production's, not the tests'
        "DEBUG": "0",
        "SECRET_KEY": "a-long-random-production-secret-" + "x7Qp9vR2mL4sT8wZ" * 3,
        "ALLOWED_HOSTS": "kb.example.org",
        "HTTPS_ONLY": "1",
    }
    code = (
        "import django;"
        "django.setup(); from django.core.management import call_command;"
        "call_command('check', deploy=True, fail_level='WARNING')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
