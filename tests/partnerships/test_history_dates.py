"""History diffs read dates as a curator does: "October 1996", one row per date with its
precision, never "1996-10-01" and "End precision: day -> month"."""

import datetime as dt

import pytest

from frameworks.models import Participation
from partnerships.dates import Precision
from partnerships.provenance.diffs import VersionDiff
from tests.factories import ParticipationFactory

pytestmark = pytest.mark.django_db


def rows_of(obj) -> list[dict]:
    records = list(obj.history.order_by("-history_date", "-history_id"))
    return VersionDiff(Participation, records, len(records)).versions()


def test_a_date_and_its_precision_are_one_human_row():
    participation = ParticipationFactory(
        start=dt.date(1996, 10, 1), start_precision=Precision.MONTH
    )
    participation.end, participation.end_precision = dt.date(2004, 3, 29), Precision.DAY
    participation.status = Participation.Status.ENDED
    participation.save()
    participation.end, participation.end_precision = dt.date(2004, 3, 1), Precision.MONTH
    participation.save()
    versions = rows_of(participation)
    latest, ended, created = versions[0], versions[1], versions[-1]
    assert [(r["field"], r["old"], r["new"]) for r in latest["rows"]] == [
        ("End", "29 March 2004", "March 2004")
    ]
    assert ("End", "—", "29 March 2004") in [
        (r["field"], r["old"], r["new"]) for r in ended["rows"]
    ]
    first = {r["field"]: r["new"] for r in created["rows"]}
    assert first["Start"] == "October 1996"
    assert not any(
        "precision" in r["field"].lower() for v in (latest, ended, created) for r in v["rows"]
    )
