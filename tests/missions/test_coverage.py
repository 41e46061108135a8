"""Coverage, stated, on a mission: the source's count beside the partner contributors
recorded, with what is missing, on the page and in the API."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from tests.factories import ContributionFactory, MissionFactory, PartnerFactory, SourceFactory

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def ifor():
    brochure = SourceFactory(title="The challenge of peacekeeping", tier="copy")
    mission = MissionFactory(
        slug="ifor",
        start=D(1995, 12, 20),
        coverage_partners=19,
        coverage_partners_statement="19 non-NATO countries took part.",
        coverage_partners_source=brochure,
    )
    for code in ("AUT", "FIN", "SWE"):
        ContributionFactory(mission=mission, partner=PartnerFactory(iso3=code))
    # An Ally when it contributed: not a partner contributor.
    ally = PartnerFactory(iso3="POL", nato_accession=D(1999, 3, 12), nato_accession_precision="day")
    ContributionFactory(mission=mission, partner=ally, start=D(2000, 1, 1))
    # A partner then, an Ally since: a partner contributor.
    later = PartnerFactory(
        iso3="CZE", nato_accession=D(1999, 3, 12), nato_accession_precision="day"
    )
    ContributionFactory(mission=mission, partner=later, start=D(1996, 1, 1))
    return mission


def test_the_page_says_how_many_of_the_stated_partners_are_recorded(client, ifor):
    page = client.get("/missions/ifor/").content.decode()
    assert "4 of at least 19 partner contributors recorded" in page
    assert "15 of them are not recorded here yet" in page
    assert "19 non-NATO countries took part." in page
    assert 'class="tier tier-copy"' in page


def test_the_api_gives_the_coverage(ifor):
    data = APIClient().get("/api/v1/missions/ifor/").json()["coverage"]
    assert data["recorded"] == 4
    assert data["summary"] == "4 of at least 19 partner contributors recorded"
    assert data["partners"]["count"] == 19
    assert data["partners"]["source"]["tier"] == "copy"
    assert data["nations"] is None
    listed = APIClient().get("/api/v1/missions/").json()["results"]
    assert listed[0]["coverage"]["recorded"] == 4


def test_a_count_of_nations_only_says_what_cannot_be_counted(client):
    mission = MissionFactory(
        slug="isaf",
        coverage_nations=50,
        coverage_nations_statement="50 NATO and partner nations at its height.",
        coverage_nations_source=SourceFactory(),
    )
    ContributionFactory(mission=mission)
    data = APIClient().get("/api/v1/missions/isaf/").json()["coverage"]
    assert data["summary"] == (
        "1 partner contributors recorded; the source counts 50 nations in all, Allies and partners"
    )
    assert "cannot be counted" in data["missing"]


def test_no_coverage_recorded_is_null_and_not_shown(client):
    mission = MissionFactory()
    assert APIClient().get(f"/api/v1/missions/{mission.slug}/").json()["coverage"] is None
    assert "Coverage" not in client.get(mission.get_absolute_url()).content.decode()


def test_a_stated_count_needs_its_statement_and_source():
    from django.core.exceptions import ValidationError

    mission = MissionFactory(coverage_partners=3)
    with pytest.raises(ValidationError, match="statement and source"):
        mission.full_clean()
