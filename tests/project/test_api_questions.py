"""The researchers' questions of the API issue, each answered by one request, as JSON and
as the same CSV; plus the matrices and the partner timeline."""

import datetime as dt

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.cases import count_queries, read_csv, without_history
from tests.factories import (
    ContributionFactory,
    FigureFactory,
    FrameworkFactory,
    MilestoneFactory,
    MissionFactory,
    ParticipationFactory,
    PartnerFactory,
)

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def world():
    pfp = FrameworkFactory(slug="partnership-for-peace", acronym="PfP")
    md = FrameworkFactory(slug="mediterranean-dialogue", acronym="MD", kind="dialogue")
    fin = PartnerFactory(
        iso3="FIN", name="Finland", nato_accession=D(2023, 4, 4), nato_accession_precision="day"
    )
    geo = PartnerFactory(iso3="GEO", name="Georgia", region="south-caucasus")
    jor = PartnerFactory(iso3="JOR", name="Jordan", region="middle-east")
    est = PartnerFactory(
        iso3="EST", name="Estonia", nato_accession=D(2004, 3, 29), nato_accession_precision="day"
    )
    ParticipationFactory(
        partner=fin,
        framework=pfp,
        start=D(1994, 1, 1),
        start_precision="year",
        end=D(2023, 4, 4),
        end_precision="day",
        status="ended-by-accession",
    )
    ParticipationFactory(partner=geo, framework=pfp, start=D(1994, 3, 23), start_precision="day")
    ParticipationFactory(
        partner=est,
        framework=pfp,
        start=D(1994, 2, 3),
        start_precision="day",
        end=D(2004, 3, 29),
        end_precision="day",
        status="ended-by-accession",
    )
    ParticipationFactory(partner=jor, framework=md, start=D(1995, 11, 1), start_precision="month")
    isaf = MissionFactory(slug="isaf", acronym="ISAF", start=D(2001, 12, 20))
    kfor = MissionFactory(slug="kfor", acronym="KFOR", start=D(1999, 6, 12))
    ContributionFactory(partner=fin, mission=isaf, start=D(2002, 1, 1))
    fin_kfor = ContributionFactory(
        partner=fin, mission=kfor, start=D(1999, 6, 12), start_precision="day"
    )
    ContributionFactory(partner=geo, mission=kfor, start=D(1999, 9, 1), start_precision="month")
    FigureFactory(contribution=fin_kfor, as_of=D(2017, 2, 1), personnel=20)
    FigureFactory(contribution=fin_kfor, as_of=D(2005, 6, 1), personnel=800)
    FigureFactory(contribution=ContributionFactory(partner=geo, mission=isaf), personnel=1500)
    MilestoneFactory(partner=geo, date=D(2008, 4, 3), title="Bucharest Summit decision")
    return {"fin": fin, "geo": geo, "jor": jor, "est": est}


def codes(response):
    return sorted(row["iso3"] for row in response.data["results"])


def test_partners_in_the_pfp_on_a_day(api, world):
    url = "/api/v1/partners/?framework=partnership-for-peace&as_of=2010-01-01"
    assert codes(api.get(url)) == ["FIN", "GEO"]
    assert sorted(r["iso3"] for r in read_csv(api.get(url + "&format=csv"))) == ["FIN", "GEO"]
    assert codes(api.get("/api/v1/partners/?framework=partnership-for-peace&as_of=2000-01-01")) == [
        "EST", "FIN", "GEO"]  # fmt: skip


def test_nations_that_were_partners_on_a_day(api, world):
    assert codes(api.get("/api/v1/partners/?as_of=2010-01-01")) == ["FIN", "GEO", "JOR"]
    # Month precision: Jordan counts from 1 November 1995.
    assert "JOR" not in codes(api.get("/api/v1/partners/?as_of=1995-10-31"))
    assert "JOR" in codes(api.get("/api/v1/partners/?as_of=1995-11-01"))


def test_partners_that_contributed_to_both_isaf_and_kfor(api, world):
    url = "/api/v1/partners/?mission_all=isaf&mission_all=kfor"
    assert codes(api.get(url)) == ["FIN", "GEO"]
    assert codes(api.get("/api/v1/partners/?mission=isaf&mission=kfor")) == ["FIN", "GEO"]
    assert [r["iso3"] for r in read_csv(api.get(url + "&format=csv"))] == ["FIN", "GEO"]


def test_every_dated_figure_of_a_partner_in_one_mission(api, world):
    url = "/api/v1/figures/?partner=fin&mission=kfor&ordering=as_of"
    rows = api.get(url).data["results"]
    assert [(r["as_of"], r["personnel"]) for r in rows] == [("2005-06-01", 800), ("2017-02-01", 20)]
    assert [(r["as_of"], r["personnel"]) for r in read_csv(api.get(url + "&format=csv"))] == [
        ("2005-06-01", "800"), ("2017-02-01", "20")]  # fmt: skip


def test_partner_status_and_current_frameworks(api, world):
    geo = api.get("/api/v1/partners/GEO/").data
    assert geo["status"] == "partner"
    assert geo["current_frameworks"][0]["slug"] == "partnership-for-peace"
    assert geo["current_frameworks"][0]["since"] == "1994-03-23"
    fin = api.get("/api/v1/partners/fin/").data
    assert fin["status"] == "ally"
    assert fin["nato_accession"] == "2023-04-04"


def test_contribution_shows_latest_and_largest_recorded_figure(api, world):
    rows = api.get("/api/v1/contributions/?partner=FIN&mission=kfor").data["results"]
    assert rows[0]["latest_figure"]["personnel"] == 20
    assert rows[0]["largest_figure"]["personnel"] == 800
    assert rows[0]["start"] == "1999-06-12"


def test_framework_matrix_as_of_and_csv(api, world):
    # The page's parameters: with as_of alone, the rows are the partners on that day (an
    # Ally by then is not one), and each cell says whether the partner was in it that day.
    data = api.get("/api/v1/matrix/frameworks/?as_of=2010-01-01").data
    cells = {row["partner"]["iso3"]: row["cells"] for row in data["rows"]}
    assert cells["GEO"]["partnership-for-peace"]["active"] is True
    assert "EST" not in cells
    assert cells["JOR"]["mediterranean-dialogue"]["periods"][0]["start"] == "1995-11"
    every = api.get("/api/v1/matrix/frameworks/?column=partnership-for-peace").data
    periods = {row["partner"]["iso3"]: row["cells"] for row in every["rows"]}
    assert periods["EST"]["partnership-for-peace"]["active"] is None  # no day asked
    assert [c["slug"] for c in every["columns"]] == ["partnership-for-peace"]
    rows = read_csv(api.get("/api/v1/matrix/frameworks/?as_of=2010-01-01&format=csv"))
    by_code = {r["iso3"]: r for r in rows}
    assert by_code["GEO"]["partnership-for-peace"].startswith("certain in:")
    assert "EST" not in by_code
    region = api.get("/api/v1/matrix/frameworks/?region=middle-east").data
    assert [row["partner"]["iso3"] for row in region["rows"]] == ["JOR"]


def test_matrix_page_and_api_answer_the_same_query(api, client, world):
    """One FilterSet per matrix: a page's query string gives the API the same rows and
    columns."""
    for path, query in (
        ("frameworks", "as_of=2010-01-01&region=south-caucasus&sort=partnership-for-peace"),
        ("missions", "column=kfor&kind=peace-support&region=europe"),
    ):
        page = client.get(f"/matrix/{path}/?{query}").context["matrix"]
        data = api.get(f"/api/v1/matrix/{path}/?{query}").data
        assert [row["partner"]["iso3"] for row in data["rows"]] == [r.iso3 for r in page.rows]
        assert [c["slug"] for c in data["columns"]] == [c.slug for c in page.columns]


def test_mission_matrix_roles_and_peak(api, world):
    data = api.get("/api/v1/matrix/missions/?column=kfor").data
    assert [c["slug"] for c in data["columns"]] == ["kfor"]
    cells = {row["partner"]["iso3"]: row["cells"] for row in data["rows"]}
    assert cells["FIN"]["kfor"] == {"roles": ["troops"], "largest_personnel": 800}
    rows = read_csv(api.get("/api/v1/matrix/missions/?format=csv&column=kfor"))
    assert {r["iso3"]: r["kfor"] for r in rows}["FIN"] == "troops (largest recorded 800)"


def test_matrix_bad_input_is_400(api, world):
    assert api.get("/api/v1/matrix/frameworks/?as_of=2010-02-31").status_code == 400
    response = api.get("/api/v1/matrix/frameworks/?column=nope")
    assert response.status_code == 400
    assert "column" in response.json()
    assert api.get("/api/v1/matrix/missions/?partner=zzz").status_code == 400


def test_matrix_query_count_does_not_grow(api, world):
    few, _ = count_queries(api, "/api/v1/matrix/missions/")
    with without_history():
        for _ in range(20):
            ContributionFactory()
    many, _ = count_queries(api, "/api/v1/matrix/missions/")
    assert few == many


def test_partner_timeline_in_order(api, world):
    events = api.get("/api/v1/partners/geo/timeline/").data
    assert [e["date"] for e in events] == sorted(e["date"] for e in events)
    titles = [e["title"] for e in events]
    assert "Joins PfP" in titles
    assert "Bucharest Summit decision" in titles
    rows = read_csv(api.get("/api/v1/partners/geo/timeline/?format=csv"))
    assert [r["title"] for r in rows] == titles
    assert api.get("/api/v1/partners/zzz/timeline/").status_code == 404


def test_anonymous_requests_are_throttled_with_429(api, settings, world):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import AnonRateThrottle

    AnonRateThrottle.THROTTLE_RATES = {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "3/minute"}
    try:
        statuses = [api.get("/api/v1/frameworks/").status_code for _ in range(5)]
    finally:
        AnonRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3] == 429


def test_partner_status_shown_agrees_with_the_status_filter(api):
    """The serializer's status (Python, from prefetched participations) and the ``status``
    filter (SQL) state one rule twice: they must give the same answer for every status."""
    framework = FrameworkFactory()
    PartnerFactory(iso3="EST", nato_accession=D(2004, 3, 29), nato_accession_precision="day")
    ParticipationFactory(partner=PartnerFactory(iso3="GEO"), framework=framework)
    ParticipationFactory(
        partner=PartnerFactory(iso3="RUS"), framework=framework, status="suspended"
    )
    ParticipationFactory(
        partner=PartnerFactory(iso3="MLT"), framework=framework, end=D(1996, 10, 27),
        end_precision="day", status="ended",
    )  # fmt: skip
    shown = {row["iso3"]: row["status"] for row in api.get("/api/v1/partners/").data["results"]}
    assert shown == {"EST": "ally", "GEO": "partner", "RUS": "suspended", "MLT": "former"}
    for status in ("ally", "partner", "suspended", "former"):
        assert codes(api.get(f"/api/v1/partners/?status={status}")) == sorted(
            code for code, value in shown.items() if value == status
        )
