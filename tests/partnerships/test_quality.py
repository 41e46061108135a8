"""Source reconciliation finds a planted disagreement and ignores agreeing figures; the
data-quality checks flag what they say."""

import datetime as dt

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from partnerships.provenance.quality import disagreements
from tests.cases import count_queries, read_csv, without_history
from tests.factories import ContributionFactory, FigureFactory, ParticipationFactory, SourceFactory

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def planted():
    contribution = ContributionFactory()
    press, official = SourceFactory(kind="press"), SourceFactory()
    FigureFactory(contribution=contribution, as_of=D(2010, 6, 1), personnel=150, source=official)
    FigureFactory(contribution=contribution, as_of=D(2010, 6, 20), personnel=200, source=press)
    # Agreeing figures of another contribution: ignored.
    other = ContributionFactory()
    FigureFactory(contribution=other, as_of=D(2010, 6, 1), personnel=80)
    FigureFactory(contribution=other, as_of=D(2010, 6, 15), personnel=80)
    # Disagreeing but far apart in time: a change, not a disagreement.
    FigureFactory(contribution=other, as_of=D(2012, 1, 1), personnel=500)
    return contribution


def test_reconciliation_finds_the_planted_disagreement_only(planted):
    (found,) = disagreements()
    assert found.partner == planted.partner
    assert [f.personnel for f in found.figures] == [150, 200]
    assert found.spread == 50
    assert found.relative_spread == 0.25


def test_reconcile_api_and_csv(planted):
    api = APIClient()
    data = api.get("/api/v1/reconcile/").json()
    assert data["count"] == 1
    row = data["results"][0]
    assert row["partner"] == planted.partner.iso3
    assert [f["source"]["key"] for f in row["figures"]] == [
        f.source.key for f in planted.figures.order_by("as_of")
    ]
    assert api.get(f"/api/v1/reconcile/?partner={planted.partner.iso3}").json()["count"] == 1
    assert api.get("/api/v1/reconcile/?partner=ZZZ").status_code == 400
    assert len(read_csv(api.get("/api/v1/reconcile/?format=csv"))) == 2


def test_reconcile_query_count_is_constant(planted):
    api = APIClient()
    few, _ = count_queries(api, "/api/v1/reconcile/")
    with without_history():
        for _ in range(10):
            contribution = ContributionFactory()
            FigureFactory(contribution=contribution, as_of=D(2011, 1, 1), personnel=1)
            FigureFactory(contribution=contribution, as_of=D(2011, 1, 2), personnel=2)
    many, response = count_queries(api, "/api/v1/reconcile/")
    assert response.json()["count"] == 11
    assert many == few


def test_quality_checks(planted, curator):
    ParticipationFactory(start_precision="year")
    api = APIClient()
    api.force_authenticate(curator)  # staff only, like the quality page
    summary = api.get("/api/v1/quality/").json()
    assert summary["figures-press-source"]["count"] == 1
    assert summary["participations-year-precision"]["count"] == 1
    listing = api.get("/api/v1/quality/?check=figures-press-source").json()
    assert listing["count"] == 1
    assert listing["results"][0]["admin_url"].endswith("/change/")
    assert api.get("/api/v1/quality/?check=nope").status_code == 400


def test_reconciliation_sees_a_disagreeing_figure_beyond_an_agreeing_one():
    """The window reaches every figure within 31 days, not only the next one."""
    contribution = ContributionFactory()
    for day, personnel in ((1, 100), (10, 100), (30, 120), (20 + 365, 100)):
        FigureFactory(
            contribution=contribution,
            as_of=D(2010, 1, 1) + dt.timedelta(days=day),
            personnel=personnel,
        )
    (found,) = disagreements()
    assert [f.personnel for f in found.figures] == [100, 100, 120]
    assert (found.low, found.high) == (100, 120)
    assert disagreements(mission=contribution.mission)[0].figures == found.figures
