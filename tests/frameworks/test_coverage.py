"""Coverage, stated, on a framework: "N of M members recorded" where NATO's count is known."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from tests.factories import FrameworkFactory, ParticipationFactory, PartnerFactory, SourceFactory

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def dialogue():
    framework = FrameworkFactory(
        slug="mediterranean-dialogue",
        coverage_partners=7,
        coverage_partners_statement="Seven countries take part in the Mediterranean Dialogue.",
        coverage_partners_source=SourceFactory(tier="official"),
        coverage_partners_date=D(2000, 3, 14),
        coverage_partners_date_precision="day",
    )
    for code in ("DZA", "EGY", "ISR", "JOR", "MRT"):
        ParticipationFactory(framework=framework, partner=PartnerFactory(iso3=code))
    ParticipationFactory(
        framework=framework,
        partner=PartnerFactory(iso3="MAR"),
        end=D(1999, 1, 1),
        end_precision="day",
        status="ended",
    )
    return framework


def test_the_page_says_how_many_members_are_recorded(client, dialogue):
    page = client.get("/frameworks/mediterranean-dialogue/").content.decode()
    assert "5 of 7 members recorded" in page
    assert "2 are not recorded here as current members" in page
    assert "14 March 2000" in page


def test_the_api_gives_the_coverage(dialogue):
    data = APIClient().get("/api/v1/frameworks/mediterranean-dialogue/").json()["coverage"]
    assert data["summary"] == "5 of 7 members recorded"
    assert data["recorded"] == 5
    assert data["partners"]["date"] == "14 March 2000"
    assert data["partners"]["source"]["tier"] == "official"


def test_more_members_than_nato_counts_is_said(dialogue):
    for code in ("TUN", "LBN", "SYR"):
        ParticipationFactory(framework=dialogue, partner=PartnerFactory(iso3=code))
    data = APIClient().get("/api/v1/frameworks/mediterranean-dialogue/").json()["coverage"]
    assert data["summary"] == "8 of 7 members recorded"
    assert "More current members are recorded (8) than NATO counts (7" in data["missing"]
