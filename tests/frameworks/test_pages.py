"""The frameworks' pages: participants year by year, then and now, the as-of control."""

import datetime as dt

import pytest

from frameworks.models import Participation
from partnerships.dates import Precision
from tests.cases import Page, PageCases, on_world
from tests.factories import FrameworkFactory, ParticipationFactory, PartnerFactory

pytestmark = pytest.mark.django_db

PAGES = [
    Page("frameworks", on_world(lambda w: "/frameworks/"), 1),
    Page("framework", on_world(lambda w: "/frameworks/pfp/?as_of=2000-01-01"), 10),
]


@pytest.mark.parametrize("page", PAGES, ids=str)
class TestPage(PageCases):
    """Every case of tests/cases.py.PageCases, for each page above."""


@pytest.mark.parametrize("url", ["/frameworks/nope/"])
def test_unknown_objects_are_404(client, url):
    assert client.get(url).status_code == 404


@pytest.fixture
def dialogue():
    framework = FrameworkFactory(slug="md", name="Mediterranean Dialogue", acronym="MD")
    child = FrameworkFactory(slug="md-child", name="A tool of the dialogue", parent=framework)
    jordan, albania = PartnerFactory(iso3="JOR", name="Jordan"), PartnerFactory(iso3="ALB")
    ParticipationFactory(partner=jordan, framework=framework, start=dt.date(1995, 1, 1))
    ParticipationFactory(
        partner=albania,
        framework=framework,
        start=dt.date(1996, 1, 1),
        end=dt.date(2000, 1, 1),
        end_precision=Precision.YEAR,
        status=Participation.Status.ENDED,
    )
    return framework, child


def test_framework_page_shows_then_and_now(client, dialogue):
    framework, child = dialogue
    response = client.get(framework.get_absolute_url(), {"as_of": "1998-06-01"})
    assert [p.partner.iso3 for p in response.context["then"]] == ["ALB", "JOR"]
    assert [p.partner.iso3 for p in response.context["now"]] == ["JOR"]
    html = response.content.decode()
    assert child.name in html and 'class="column"' in html


def test_participants_per_year_follow_the_period_rule(client, dialogue):
    framework, _ = dialogue
    per_year = dict(client.get(framework.get_absolute_url()).context["per_year"])
    assert per_year[1995] == 1
    assert per_year[2000] == 2  # Albania's year-precision end covers all of 2000
    assert per_year[2001] == 1


def test_bad_as_of_is_a_form_error(client, dialogue):
    framework, _ = dialogue
    response = client.get(framework.get_absolute_url(), {"as_of": "1998-02-30"})
    assert response.status_code == 200
    assert response.context["then_errors"]
    assert 'class="error"' in response.content.decode()


def test_framework_list_counts_partners_on_a_day(client, dialogue):
    response = client.get("/frameworks/", {"as_of": "1998-01-01"})
    counts = {
        f.slug: (f.participants_on_day, f.participants_ever) for f in response.context["frameworks"]
    }
    assert counts["md"] == (2, 2)
    assert client.get("/frameworks/nope/").status_code == 404
