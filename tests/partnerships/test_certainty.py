"""Certain and possible: the rule of partnerships.dates on every kind of date, with and
without evidence, the same in SQL and in Python, and as researchers meet it in the API."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from frameworks.models import Participation
from missions.models import Contribution
from partnerships.dates import Precision, certain_span, certainty, question_span
from partnerships.filtersets import AsOfField
from tests.factories import (
    ContributionFactory,
    FigureFactory,
    FrameworkFactory,
    MissionFactory,
    ParticipationFactory,
    PartnerFactory,
)

D = dt.date
Y, M, DAY = Precision.YEAR, Precision.MONTH, Precision.DAY
OCT_1 = D(2009, 10, 1)


@pytest.mark.parametrize(
    ("start", "end", "end_unknown", "evidence", "span"),
    [
        # Both ends at every precision: from the last day of the start's unit to the first
        # day of the end's unit.
        ((D(1995, 1, 1), Y), (D(2004, 3, 1), M), False, (), (D(1995, 12, 31), D(2004, 3, 1))),
        ((D(1995, 11, 1), M), (D(2004, 1, 1), Y), False, (), (D(1995, 11, 30), D(2004, 1, 1))),
        ((D(1995, 11, 28), DAY), (D(2004, 3, 29), DAY), False, (), (D(1995, 11, 28), D(2004, 3, 29))),  # noqa: E501
        # Ongoing: certain from the start's last day, open (to today).
        ((D(1994, 1, 1), Y), None, False, (), (D(1994, 12, 31), None)),
        # A year start and a year end in the same year: no certain day.
        ((D(1996, 1, 1), Y), (D(1996, 1, 1), Y), False, (), (None, None)),
        # Ended, date unknown: certain on its start day when known to the day, else never.
        ((D(2001, 5, 3), DAY), None, True, (), (D(2001, 5, 3), D(2001, 5, 3))),
        ((D(2001, 1, 1), Y), None, True, (), (None, None)),
        # Start not recorded: nothing certain but the evidence.
        (None, (D(2010, 1, 1), Y), False, (), (None, None)),
        (None, None, False, ((D(2009, 10, 1), DAY),), (D(2009, 10, 1), None)),
        (None, (D(2012, 6, 1), M), False, ((OCT_1, DAY),), (OCT_1, D(2012, 6, 1))),
        # Evidence widens the certain span both ways; a year-precision figure proves one day
        # of that year, which one unknown.
        ((D(2003, 1, 1), Y), None, True, ((OCT_1, DAY),), (D(2003, 12, 31), OCT_1)),
        ((D(2003, 1, 1), Y), None, True, ((D(2009, 1, 1), Y),), (D(2003, 12, 31), D(2009, 1, 1))),
        (None, None, True, ((D(2009, 1, 1), Y),), (None, None)),
    ],
)  # fmt: skip
def test_certain_span(start, end, end_unknown, evidence, span):
    start_date, start_precision = start or (None, "")
    end_date, end_precision = end or (None, "")
    got = certain_span(start_date, start_precision, end_date, end_precision, end_unknown, evidence)
    assert got == span


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("1995", (D(1995, 1, 1), D(1995, 12, 31))),
        ("1996-02", (D(1996, 2, 1), D(1996, 2, 29))),
        ("1995-01-05", (D(1995, 1, 5), D(1995, 1, 5))),
    ],
)
def test_a_question_is_a_day_a_month_or_a_year(text, span):
    assert question_span(text) == span
    assert AsOfField().clean(text)[:2] == span


@pytest.mark.parametrize("text", ["95", "1995-13", "1995-02-30", "1899", "2101", "yesterday"])
def test_a_malformed_question_is_refused_with_a_reason(text):
    from django import forms

    with pytest.raises(forms.ValidationError):
        AsOfField().clean(text)


@pytest.fixture
def pfp(db):
    return FrameworkFactory(slug="pfp", start=D(1994, 1, 10), start_precision=DAY)


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("1993", ""),  # before the start's unit
        ("1994-01-05", "possible"),  # Finland's start is "1994": possibly, never certainly
        ("1994-12", "possible"),
        ("1994-12-31", "certain"),
        ("1994", "possible"),  # the whole of 1994 is not certain
        ("1995-01-01", "certain"),
        ("1995", "certain"),
        ("2022-06", "certain"),  # end "2023-04-04": certain until that day
        ("2023-04", "possible"),  # part of April 2023 is after the end
        ("2023-05", ""),
    ],
)
def test_sql_and_python_give_the_same_answer(pfp, question, answer):
    fin = PartnerFactory(iso3="FIN")
    period = ParticipationFactory(partner=fin, framework=pfp, start=D(1994, 1, 1),
                                  start_precision=Y, end=D(2023, 4, 4), end_precision=DAY,
                                  status="ended-by-accession")  # fmt: skip
    first, last = question_span(question)
    assert certainty(period, first, last) == answer
    found = APIClient().get("/api/v1/participations/", {"as_of": question}).json()["results"]
    assert [row["certainty"] for row in found] == ([answer] if answer else [])


def test_finland_in_pfp_before_pfp_existed_is_possible_not_yes(pfp):
    """The issue's first example: as of 5 January 1994, five days before PfP was launched,
    Finland (start "1994") is possible; on 1 January 1995 it is certain."""
    ParticipationFactory(partner=PartnerFactory(iso3="FIN"), framework=pfp, start=D(1994, 1, 1),
                         start_precision=Y)  # fmt: skip
    api = APIClient()
    early = api.get("/api/v1/partners/", {"framework": "pfp", "as_of": "1994-01-05"}).json()
    assert [(p["iso3"], p["certainty"]) for p in early["results"]] == [("FIN", "possible")]
    certain = api.get(
        "/api/v1/partners/", {"framework": "pfp", "as_of": "1994-01-05", "certainty": "certain"}
    ).json()
    assert certain["count"] == 0
    later = api.get("/api/v1/partners/", {"framework": "pfp", "as_of": "1995-01-01"}).json()
    assert [(p["iso3"], p["certainty"]) for p in later["results"]] == [("FIN", "certain")]


@pytest.mark.django_db
def test_a_figure_proves_a_contribution_whose_start_is_not_recorded():
    """The issue's second example: a partner with a figure dated 2009-10-01 is active that
    day, though its contribution's start is not recorded."""
    isaf = MissionFactory(slug="isaf", start=D(2001, 12, 20), start_precision=DAY)
    contribution = ContributionFactory(mission=isaf, start=None, start_precision="")
    api = APIClient()
    query = {"mission": "isaf", "as_of": "2009-10-01"}
    before = api.get("/api/v1/contributions/", query).json()["results"]
    assert [row["certainty"] for row in before] == ["possible"]  # from the mission's start
    FigureFactory(contribution=contribution, as_of=D(2009, 10, 1), as_of_precision=DAY)
    after = api.get("/api/v1/contributions/", query).json()["results"]
    assert [row["certainty"] for row in after] == ["certain"]
    contribution.refresh_from_db()
    assert (contribution.certain_from, contribution.certain_until) == (D(2009, 10, 1), None)
    contribution.figures.all().delete()
    contribution.refresh_from_db()
    assert contribution.certain_from is None


@pytest.mark.django_db
def test_an_unrecorded_start_is_possible_from_the_parent_start_only():
    kfor = MissionFactory(slug="kfor", start=D(1999, 6, 12), start_precision=DAY)
    ContributionFactory(mission=kfor, start=None, start_precision="")
    api = APIClient()
    assert api.get("/api/v1/contributions/", {"as_of": "1999-06-11"}).json()["count"] == 0
    found = api.get("/api/v1/contributions/", {"as_of": "1999-06-12"}).json()["results"]
    assert [row["certainty"] for row in found] == ["possible"]


@pytest.mark.django_db
def test_known_at_answers_with_the_spans_as_they_stood():
    isaf = MissionFactory(slug="isaf", start=D(2001, 12, 20), start_precision=DAY)
    contribution = ContributionFactory(mission=isaf, start=None, start_precision="")
    then = timezone.now()
    FigureFactory(contribution=contribution, as_of=D(2009, 10, 1), as_of_precision=DAY)
    api = APIClient()
    query = {"mission": "isaf", "as_of": "2009-10-01"}
    past = api.get("/api/v1/contributions/", {**query, "known_at": then.isoformat()}).json()
    assert [row["certainty"] for row in past["results"]] == ["possible"]
    now = api.get("/api/v1/contributions/", query).json()
    assert [row["certainty"] for row in now["results"]] == ["certain"]


@pytest.mark.django_db
def test_certainty_needs_a_question():
    response = APIClient().get("/api/v1/contributions/", {"certainty": "certain"})
    assert response.status_code == 400
    assert "certainty" in response.json()


@pytest.mark.django_db
def test_partners_in_an_as_of_answer_show_their_state_then():
    pfp = FrameworkFactory(slug="pfp", start=D(1994, 1, 10), start_precision=DAY)
    est = PartnerFactory(iso3="EST", nato_accession=D(2004, 3, 29), nato_accession_precision=DAY)
    ParticipationFactory(partner=est, framework=pfp, start=D(1994, 2, 3), start_precision=DAY,
                         end=D(2004, 3, 29), end_precision=DAY,
                         status="ended-by-accession")  # fmt: skip
    api = APIClient()
    then = api.get("/api/v1/partners/", {"framework": "pfp", "as_of": "2000"}).json()["results"]
    assert [(p["iso3"], p["status"]) for p in then] == [("EST", "partner")]
    assert [f["slug"] for f in then[0]["current_frameworks"]] == ["pfp"]
    today = api.get("/api/v1/partners/EST/").json()
    assert today["status"] == "ally" and today["current_frameworks"] == []


@pytest.mark.django_db
def test_pages_mark_possible_rows_and_count_them(client, pfp):
    ParticipationFactory(partner=PartnerFactory(iso3="FIN", name="Finland"), framework=pfp,
                         start=D(1994, 1, 1), start_precision=Y)  # fmt: skip
    ParticipationFactory(partner=PartnerFactory(iso3="GEO", name="Georgia"), framework=pfp,
                         start=D(1994, 3, 23), start_precision=DAY)  # fmt: skip
    html = client.get("/partners/", {"framework": "pfp", "as_of": "1994-06"}).content.decode()
    assert "<strong>1</strong> certain" in html and "<strong>1</strong> possible" in html
    assert html.count('class="possible"') == 1
    assert Participation.objects.count() == 2 and Contribution.objects.count() == 0
