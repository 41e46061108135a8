"""Project-wide promises: migrations complete, settings refuse an unsafe production, and
the tests run on their own explicit settings (partnerships/settings_test.py)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_migrations_are_complete():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def run_settings(env, code="import django; django.setup(); print('started')"):
    clean_env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean_env, "DJANGO_SETTINGS_MODULE": "partnerships.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_without_secret_key_refuses_to_start():
    result = run_settings({"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_development_starts_without_secret_key():
    result = run_settings({"DEBUG": "1"})
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_production_defaults_to_https_only_even_beside_pytest():
    code = (
        "import pytest, django; django.setup(); from django.conf import settings;"
        "print(settings.HTTPS_ONLY, settings.SECURE_SSL_REDIRECT, settings.SESSION_COOKIE_SECURE)"
    )
    result = run_settings({"DEBUG": "0", "SECRET_KEY": "x" * 50}, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True"]


def test_the_suite_runs_on_the_explicit_test_settings(settings):
    assert settings.SETTINGS_MODULE == "partnerships.settings_test"
    assert not settings.HTTPS_ONLY and not settings.SECURE_SSL_REDIRECT


def test_a_throttle_rate_can_be_turned_off_for_benchmarks(monkeypatch):
    from partnerships.settings import env_rate

    monkeypatch.setenv("API_ANON_RATE", "off")
    assert env_rate("API_ANON_RATE", "120/minute") is None
    monkeypatch.delenv("API_ANON_RATE")
    assert env_rate("API_ANON_RATE", "120/minute") == "120/minute"
