"""Conditional requests and the shared response cache (partnerships/serving/)."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils.http import http_date

from partnerships.models import Partner
from tests.cases import build_world

pytestmark = pytest.mark.django_db

# The suite stores no answer (settings_test.py); these tests turn the cache on.
cached = override_settings(SERVING_CACHE="default")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db):
    return build_world(3)


def curator_edit(partner: Partner, profile: str) -> None:
    """A write as the admin makes it: saved with its history record."""
    partner.profile = profile
    partner.save()


@pytest.mark.parametrize("url", ["/api/v1/partners/", "/partners/", "/api/v1/figures/?page_size=2"])
def test_a_read_carries_validators_and_a_revalidated_304(client, world, url):
    first = client.get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")
    assert first["Last-Modified"]
    assert first["Cache-Control"] == "public, max-age=60, must-revalidate"
    assert "Cookie" in first["Vary"]

    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag

    since = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    # If-None-Match wins over If-Modified-Since (RFC 9110): a stale tag is a full answer.
    stale = client.get(
        url, HTTP_IF_NONE_MATCH='"stale"', HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
    )
    assert stale.status_code == 200


def test_the_etag_names_the_representation(client, world):
    json_tag = client.get("/api/v1/partners/", HTTP_ACCEPT="application/json")["ETag"]
    csv_tag = client.get("/api/v1/partners/?format=csv")["ETag"]
    other_query = client.get("/api/v1/partners/?page_size=2")["ETag"]
    html_tag = client.get("/api/v1/partners/", HTTP_ACCEPT="text/html")["ETag"]
    assert len({json_tag, csv_tag, other_query, html_tag}) == 4


def test_a_write_changes_every_etag(client, world):
    before = client.get("/api/v1/partners/")
    curator_edit(world.partners[0], "Rewritten profile.")
    after = client.get("/api/v1/partners/", HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert "Rewritten profile." in after.content.decode()


def test_an_old_if_modified_since_is_a_full_answer(client, world):
    old = http_date((dt.datetime.now(dt.UTC) - dt.timedelta(days=400)).timestamp())
    assert client.get("/api/v1/partners/", HTTP_IF_MODIFIED_SINCE=old).status_code == 200


@cached
def test_anonymous_reads_are_served_from_the_cache_until_a_write(client, world):
    miss = client.get("/api/v1/partners/")
    assert miss["X-Cache"] == "miss"
    hit = client.get("/api/v1/partners/")
    assert hit["X-Cache"] == "hit"
    assert hit.content == miss.content
    assert hit["Content-Type"] == miss["Content-Type"]
    assert hit["ETag"] == miss["ETag"]
    assert hit["X-Request-ID"] != miss["X-Request-ID"]  # per request, never replayed

    curator_edit(world.partners[0], "A curator's correction.")
    fresh = client.get("/api/v1/partners/")
    assert fresh["X-Cache"] == "miss"
    assert "A curator's correction." in fresh.content.decode()
    assert client.get("/api/v1/partners/")["X-Cache"] == "hit"


@cached
def test_pages_are_cached_too_and_errors_are_not(client, world):
    assert client.get("/partners/")["X-Cache"] == "miss"
    assert client.get("/partners/")["X-Cache"] == "hit"
    for _ in range(2):
        missing = client.get("/partners/zzz/")
        assert missing.status_code == 404
        assert not missing.has_header("X-Cache")
        bad = client.get("/api/v1/partners/?nonsense=1")
        assert bad.status_code == 400
        assert not bad.has_header("ETag")


@cached
def test_curators_are_never_cached_nor_served_a_cached_answer(client, world, curator):
    client.get("/api/v1/partners/")  # cached for anonymous readers
    client.force_login(curator)
    response = client.get("/api/v1/partners/")
    assert response.status_code == 200
    assert not response.has_header("X-Cache")
    assert not response.has_header("ETag")
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_token_requests_are_private(api, world, curator):
    from partnerships.tokens import ApiToken

    _, key = ApiToken.issue(curator)
    response = api.get("/api/v1/partners/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_answers_about_the_past_are_immutable(client, world):
    past = client.get("/api/v1/partners/?known_at=2020-01-01")
    assert past.status_code == 200
    assert past["Cache-Control"] == "public, max-age=31536000, immutable"
    future = client.get("/api/v1/partners/?known_at=2999-01-01")
    assert "immutable" not in future.get("Cache-Control", "")


@cached
def test_cache_hits_and_304s_count_against_the_anonymous_throttle(api, world):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import AnonRateThrottle

    AnonRateThrottle.THROTTLE_RATES = {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "3/minute"}
    try:
        first = api.get("/api/v1/frameworks/")
        hit = api.get("/api/v1/frameworks/")
        revalidated = api.get("/api/v1/frameworks/", HTTP_IF_NONE_MATCH=first["ETag"])
        over = api.get("/api/v1/frameworks/")
    finally:
        AnonRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    assert [first.status_code, hit.status_code, revalidated.status_code] == [200, 200, 304]
    assert hit["X-Cache"] == "hit"
    assert over.status_code == 429
    assert int(over["Retry-After"]) > 0


def test_admin_and_probes_are_left_alone(client, world):
    assert not client.get("/healthz").has_header("ETag")
    assert not client.get("/admin/login/").has_header("ETag")


def test_an_anonymous_read_costs_one_stamp_query(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.cases import is_stamp_query

    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/frameworks/")
    assert len([q for q in queries if is_stamp_query(q["sql"])]) == 1
    etag = client.get("/api/v1/frameworks/")["ETag"]
    with CaptureQueriesContext(connection) as revalidation:
        assert client.get("/api/v1/frameworks/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert len(revalidation) == 1  # the stamp, and nothing else
