"""Lean lists (partnerships/api/lean.py) answer exactly what the serializers answer.

Each case reads a list twice, lean and through its serializer, and compares the JSON
field by field and row by row: the OpenAPI schema documents the serializer, so equal
answers keep it exact.
"""

import datetime as dt

import pytest

from frameworks.models import Participation
from missions.models import Contribution
from partnerships.api.lean import LeanListMixin
from partnerships.models import CooperationArea, Partner, Source
from tests.cases import build_world, count_queries
from tests.factories import (
    ContributionFactory,
    CooperationAreaFactory,
    FigureFactory,
    FrameworkFactory,
    MissionFactory,
    ParticipationFactory,
    PartnerFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db

CASES = [
    "/api/v1/partners/",
    "/api/v1/partners/?page_size=3&page=2",
    "/api/v1/partners/?as_of=2010",
    "/api/v1/partners/?as_of=2010-06-01&framework=pfp&certainty=certain",
    "/api/v1/partners/?status=ally",
    "/api/v1/contributions/",
    "/api/v1/contributions/?as_of=2006",
    "/api/v1/contributions/?partner=EST",
    "/api/v1/contributions/?page_size=2&page=3",
    "/api/v1/figures/",
    "/api/v1/figures/?partner=EST",
    "/api/v1/figures/?page_size=4&page=2",
]


@pytest.fixture
def varied_world(db):
    """Rows that exercise every field: accession with its sources, ended and suspended
    participations, several roles, areas and sources, figures with ties and estimates."""
    world = build_world(5)
    press = SourceFactory(publisher="A Press", title="Same title", tier="press")
    agency = SourceFactory(publisher="A Press", title="Another title")
    estonia = PartnerFactory(
        iso3="EST",
        name="Estonia",
        nato_accession=dt.date(2004, 3, 29),
        nato_accession_precision="day",
        other_names=["Eesti"],
    )
    # The factory's sequence of codes may have made EST already: start it afresh.
    Participation.objects.filter(partner=estonia).delete()
    Contribution.objects.filter(partner=estonia).delete()
    estonia.accession_sources.set([press, agency])
    estonia.sources.set([agency, press, world.source])
    ParticipationFactory(
        partner=estonia,
        framework=world.framework,
        start=dt.date(1994, 1, 1),
        start_precision="year",
        end=dt.date(2004, 3, 29),
        end_precision="day",
        status="ended-by-accession",
    )
    ParticipationFactory(partner=estonia, framework=FrameworkFactory(slug="eapc", name="EAPC"))
    area = CooperationAreaFactory(name="Training")
    for start, precision in ((dt.date(2003, 5, 1), "month"), (dt.date(2006, 1, 1), "year")):
        contribution = ContributionFactory(
            partner=estonia,
            mission=MissionFactory(),
            start=start,
            start_precision=precision,
            description='=HYPERLINK("x")',
            sources=[press, agency],
        )
        contribution.cooperation_areas.set([area])
        FigureFactory(contribution=contribution, personnel=40, as_of=dt.date(2007, 1, 1))
        FigureFactory(
            contribution=contribution, personnel=40, as_of=dt.date(2007, 1, 1), estimate=True
        )
        FigureFactory(contribution=contribution, personnel=60, as_of=dt.date(2005, 6, 1))
        # Ranked figures: a deprecated misprint never counts; a preferred one wins its date.
        FigureFactory(
            contribution=contribution,
            personnel=999,
            as_of=dt.date(2008, 1, 1),
            rank="deprecated",
            rank_reason="A misprint in the source.",
        )
        FigureFactory(
            contribution=contribution,
            personnel=45,
            as_of=dt.date(2005, 6, 1),
            rank="preferred",
            rank_reason="The ministry's own count.",
        )
    ContributionFactory(partner=estonia, mission=MissionFactory(), sources=[press])  # no figure
    return world


def serializer_answer(api, url, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(LeanListMixin, "lean_list_allowed", lambda self, request: False)
        return api.get(url)


@pytest.mark.parametrize("url", CASES)
def test_lean_list_equals_the_serializer(api, varied_world, monkeypatch, url):
    lean = api.get(url)
    full = serializer_answer(api, url, monkeypatch)
    assert lean.status_code == full.status_code == 200, lean.content
    assert lean.json()["count"] == full.json()["count"] > 0
    assert lean.json()["results"], "a case must compare rows"
    for lean_row, full_row in zip(lean.json()["results"], full.json()["results"], strict=True):
        assert list(lean_row) == list(full_row)  # same fields, same order
        assert lean_row == full_row
    assert lean.json() == full.json()


def test_lean_rows_carry_every_relation(api, varied_world):
    """The comparison above is only as good as its data: the rows it compares are full."""
    estonia = api.get("/api/v1/partners/?status=ally").json()["results"][0]
    assert estonia["iso3"] == "EST"
    assert len(estonia["accession_sources"]) == 2 and len(estonia["sources"]) == 3
    assert estonia["flag_url"].startswith("http://testserver/")
    contributions = api.get("/api/v1/contributions/?partner=EST").json()["results"]
    with_figures = [c for c in contributions if c["figure_count"]]
    assert len(with_figures) == 2
    # 60 is outranked by a preferred 45 of its date; the deprecated 999 of 2008 never counts.
    assert all(c["largest_figure"]["personnel"] == 45 for c in with_figures)
    assert all(c["latest_figure"]["as_of"] == "2007-01-01" for c in with_figures)
    training = CooperationArea.objects.get(name="Training").slug
    assert [c["cooperation_areas"] for c in with_figures] == [[training]] * 2
    assert all(c["roles"] and len(c["sources"]) == 2 for c in with_figures)


@pytest.mark.parametrize(
    "url",
    ["/api/v1/partners/", "/api/v1/contributions/", "/api/v1/figures/"],
)
def test_lean_lists_make_the_same_queries_at_any_size(api, db, url):
    build_world(3)
    small, _ = count_queries(api, url)
    build_world(30)
    large, response = count_queries(api, url)
    assert response.status_code == 200
    assert small == large


def test_lean_partner_sources_follow_the_source_order(api, varied_world):
    estonia = api.get("/api/v1/partners/?status=ally").json()["results"][0]
    expected = [s.pk for s in Partner.objects.get(iso3="EST").sources.all()]
    assert [s["id"] for s in estonia["sources"]] == expected
    assert Source.objects.count() >= 3
