"""The missions' pages: contributors with roles and figures over time, the host map."""

import datetime as dt

import pytest

from missions.models import Role
from tests.factories import ContributionFactory, FigureFactory, MissionFactory, PartnerFactory

pytestmark = pytest.mark.django_db


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
    response = client.get("/missions/", {"active_on": "2005-01-01"})
    assert [(m.slug, m.contributors) for m in response.context["missions"]] == [("isaf", 2)]
    assert client.get("/missions/nope/").status_code == 404
