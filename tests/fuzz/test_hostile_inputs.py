"""Hostile inputs (hypothesis): dates far out of range, odd UTC offsets, NUL characters,
deep JSON and long strings at every door of the pages and the API never give a 5xx; a
refusal is a 4xx (or a page with a form error). More examples: FUZZ_EXAMPLES=500."""

import os
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.factories import FigureFactory, ParticipationFactory

pytestmark = pytest.mark.django_db
SETTINGS = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)

years = st.integers(min_value=0, max_value=9999).map(lambda y: f"{y:04d}")
offsets = st.builds(
    lambda sign, h, m: f"{sign}{h:02d}:{m:02d}",
    st.sampled_from("+-"),
    st.integers(0, 23),
    st.integers(0, 59),
)
moments = st.one_of(
    years,
    st.builds(
        lambda y, m, d: f"{y}-{m:02d}-{d:02d}", years, st.integers(1, 12), st.integers(1, 28)
    ),
    st.builds(lambda y, o: f"{y}-12-31T23:00:00{o}", years, offsets),
    st.text(max_size=40),
)
DATE_PARAMS = {
    "/api/v1/partners/": ["known_at", "as_of", "acceded_after", "acceded_before"],
    "/api/v1/participations/": ["known_at", "as_of", "year"],
    "/api/v1/milestones/": ["date_after", "date_before", "known_at"],
    "/api/v1/sources/": ["published_after", "published_before"],
    "/partners/": ["known_at", "as_of"],
    "/history/": ["since", "until", "before"],
}


@pytest.fixture
def facts(db, monkeypatch):
    cache.clear()
    monkeypatch.setattr(
        SimpleRateThrottle,
        "THROTTLE_RATES",
        dict.fromkeys(api_settings.DEFAULT_THROTTLE_RATES, None),
    )
    participation = ParticipationFactory()
    FigureFactory(contribution__partner=participation.partner)


@SETTINGS
@given(
    path=st.sampled_from(sorted(DATE_PARAMS)),
    data=st.data(),
)
def test_dates_anywhere_never_give_a_server_error(facts, path, data):
    name = data.draw(st.sampled_from(DATE_PARAMS[path]))
    value = data.draw(moments)
    client = APIClient(raise_request_exception=False)
    response = client.get(f"{path}?{urlencode({name: value})}", HTTP_ACCEPT="text/html")
    assert response.status_code < 500, (path, name, value, response.status_code)


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=300)),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=10,
)


@SETTINGS
@given(
    body=st.one_of(
        st.fixed_dictionaries({"username": st.text(max_size=400), "password": st.text()}),
        json_values,
        st.integers(1, 200_000).map(lambda n: "[" * n),
    )
)
def test_the_token_endpoint_never_gives_a_server_error(facts, body):
    client = APIClient(raise_request_exception=False)
    if isinstance(body, str) and body.startswith("["):
        response = client.generic(
            "POST", "/api/v1/auth/token/", body, content_type="application/json"
        )
    else:
        response = client.post("/api/v1/auth/token/", body, format="json")
    assert response.status_code in (400, 429), response.status_code


@SETTINGS
@given(text=st.text(min_size=1, max_size=50).map(lambda t: t + "\x00"))
def test_nul_in_a_curators_text_is_a_field_error(facts, curator, text):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(curator)
    payload = {"key": "k", "title": text, "publisher": text, "kind": "official", "tier": "copy"}
    response = client.post("/api/v1/sources/", payload, format="json")
    assert response.status_code == 400
    assert {"title", "publisher"} & set(response.json())
