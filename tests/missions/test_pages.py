"""The missions' pages: contributors with roles and figures over time, the host map."""

import datetime as dt

import pytest

from missions.models import Role
from tests.cases import Page, PageCases, count_queries, on_world, without_history
from tests.factories import ContributionFactory, FigureFactory, MissionFactory, PartnerFactory

pytestmark = pytest.mark.django_db

PAGES = [
    # The missions: 1; the panel's lists of partners and cooperation areas: 2; a count per
    # facet with values (kind, region; this world has no cooperation area): 2.
    Page("missions", on_world(lambda w: "/missions/"), 1 + 2 + 2),
    # Mission, sources, areas: 3; contributors one row per partner: 7 (as on the profile);
    # partners per year, counted in one query: 1.
    Page("mission", on_world(lambda w: "/missions/kfor/"), 11),
]


@pytest.mark.parametrize("page", PAGES, ids=str)
class TestPage(PageCases):
    """Every case of tests/cases.py.PageCases, for each page above."""


@pytest.mark.parametrize("url", ["/missions/nope/"])
def test_unknown_objects_are_404(client, url):
    assert client.get(url).status_code == 404


def test_mission_page_shows_contributors_roles_figures_and_hosts(client):
    mission = MissionFactory(slug="kfor", name="Kosovo Force", hosts=["XK"])
    partner = PartnerFactory(iso3="FIN", name="Finland")
    contribution = ContributionFactory(
        partner=partner, mission=mission, roles=Role.objects.filter(slug__in=["troops"])
    )
    FigureFactory(contribution=contribution, personnel=800)
    FigureFactory(contribution=contribution, as_of=dt.date(2008, 1, 1), personnel=400)
    response = client.get("/missions/kfor/")
    html = response.content.decode()
    assert "Finland" in html and "troops" in html
    assert 'class="timeline-svg"' in html  # contributors over time
    assert "chart-small" in html  # the figures, charted because there are several
    assert 'class="map-svg"' in html and "fill-host" in html
    assert ">800<" in html and ">400<" in html


def test_mission_list_counts_contributors_and_filters(client):
    mission = MissionFactory(slug="isaf", name="ISAF", start=dt.date(2001, 12, 20))
    MissionFactory(
        slug="old",
        name="Old",
        end=dt.date(1999, 12, 31),
        end_precision="day",
        start=dt.date(1996, 1, 1),
    )
    ContributionFactory(mission=mission, start=dt.date(2002, 1, 1))
    ContributionFactory(mission=mission, start=dt.date(2003, 1, 1))
    response = client.get("/missions/", {"as_of": "2005-01-01"})
    assert [(m.slug, m.contributors) for m in response.context["missions"]] == [("isaf", 2)]
    assert client.get("/missions/nope/").status_code == 404


def test_mission_page_pages_its_contributors(client):
    mission = MissionFactory(start=dt.date(1995, 1, 1))
    with without_history():
        partners = PartnerFactory.create_batch(40)
        for n, partner in enumerate(partners):
            start = dt.date(1996 + n % 20, 1, 1)
            ContributionFactory(partner=partner, mission=mission, start=start)
    queries, response = count_queries(client, mission.get_absolute_url())
    assert queries == 11
    groups = response.context["groups"]
    assert groups.groups == 40 and len(groups.page) == 25 and len(groups.lanes) == 30
    chart = response.context["chart"]
    # Partners per year, counted in SQL, from the mission's start (1995, none yet): two
    # a year from 1996 (year precision: a year each), every one of them ongoing.
    assert [(c.label, c.value) for c in chart.columns][:4] == [
        ("1995", 0),
        ("1996", 2),
        ("1997", 4),
        ("1998", 6),
    ]
    nxt = client.get(mission.get_absolute_url(), {"contributors_page": 2})
    assert len(nxt.context["groups"].page) == 15
