"""The CSV import a curator can trust: files as spreadsheets save them, problems in their
terms, updates field by field, exports that round-trip and refuse stale rows, and a number
of queries that does not grow with the file."""

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frameworks.models import Participation
from missions.models import Contribution, ContributionFigure, Role
from partnerships.dates import Precision
from partnerships.provenance.bulk_import import run_import
from partnerships.provenance.csv_files import detect_delimiter
from partnerships.provenance.locking import version_of
from tests.factories import (
    ContributionFactory,
    FrameworkFactory,
    MissionFactory,
    ParticipationFactory,
    PartnerFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


def to_csv(rows: list[dict], delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def participation_row(partner, framework, source, **extra) -> dict:
    return {
        "partner": partner.iso3,
        "framework": framework.slug,
        "start": "1996-10",
        "end": "",
        "status": "active",
        "notes": "Joined; see the 1996 text",
        "sources": source.key,
        **extra,
    }


def upload(client, url, text: str | bytes, **fields):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(url, {"file": SimpleUploadedFile("f.csv", data), **fields})


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiter_is_detected(delimiter):
    partner, framework, source = PartnerFactory(), FrameworkFactory(), SourceFactory()
    text = to_csv([participation_row(partner, framework, source)], delimiter)
    assert detect_delimiter(text) == delimiter
    result = run_import("participations", text, commit=True)
    assert result.committed, result.problems
    assert Participation.objects.get().notes == "Joined; see the 1996 text"


def test_semicolon_file_with_bom_through_the_admin(client, curator):
    """A European spreadsheet's default: UTF-8 with a byte-order mark, semicolons."""
    client.force_login(curator)
    partner, framework, source = PartnerFactory(), FrameworkFactory(), SourceFactory()
    text = "\ufeff" + to_csv([participation_row(partner, framework, source)], ";")
    url = reverse("admin:frameworks_participation_import_csv")
    response = upload(client, url, text)
    assert b"Preview: 1 to create" in response.content
    assert b"semicolon-separated" in response.content


def test_other_encoding_is_asked_then_read(client, curator):
    client.force_login(curator)
    partner, framework, source = PartnerFactory(), FrameworkFactory(), SourceFactory()
    row = participation_row(partner, framework, source, notes="Signé à Bruxelles")
    data = to_csv([row], ";").encode("cp1252")
    url = reverse("admin:frameworks_participation_import_csv")
    refused = upload(client, url, data)
    assert "Windows-1252" in refused.content.decode()
    assert b"Preview:" not in refused.content
    read = upload(client, url, data, encoding="cp1252")
    assert b"Preview: 1 to create" in read.content
    client.post(
        url,
        {"csv_text": read.context["csv_text"], "confirm": "1", "delimiter": ";"},
    )
    assert Participation.objects.get().notes == "Signé à Bruxelles"


def test_messages_in_the_curators_terms():
    contribution = ContributionFactory()
    SourceFactory(key="isaf-placemat-2010")
    text = to_csv([
        {"partner": contribution.partner.iso3, "mission": contribution.mission.slug,
         "start": "2001", "roles": "troops; cooks", "sources": "isaf-placemat-2011"},
    ])  # fmt: skip
    result = run_import("contributions", text, commit=False)
    problems = {field: message for _, _, field, message in result.problems}
    assert problems["sources"] == (
        "Unknown source key \"isaf-placemat-2011\". Did you mean 'isaf-placemat-2010'?"
    )
    roles = ", ".join(Role.objects.order_by("slug").values_list("slug", flat=True))
    assert problems["roles"] == f'role "cooks" is not one of: {roles}.'
    assert "Invalid pk" not in str(result.problems)


def test_errors_come_first_with_line_field_and_row_label(client, curator):
    client.force_login(curator)
    partner, framework, source = PartnerFactory(), FrameworkFactory(), SourceFactory()
    rows = [
        participation_row(partner, framework, source),
        participation_row(partner, framework, source, start="1999", end="1990", status="ended"),
        participation_row(partner, framework, source, start="2005", sources="nope"),
    ]
    url = reverse("admin:frameworks_participation_import_csv")
    response = upload(client, url, to_csv(rows))
    result = response.context["result"]
    assert [(line, field) for line, _, field, _ in result.problems] == [(3, "end"), (4, "sources")]
    page = response.content.decode()
    problems_at, rows_at = page.index('id="problems"'), page.index("Import CSV")
    assert rows_at < problems_at
    # Every problem names its row; no error row without a label.
    labels = [label for _, label, _, _ in result.problems]
    key = f"{partner.iso3} · {framework.slug}"
    assert labels == [f"{key} · 1999", f"{key} · 2005"]
    assert "nothing will be imported" in page and 'id="confirm"' not in page


def test_update_preview_shows_each_field_before_and_after_in_human_terms(client, curator):
    client.force_login(curator)
    source, other = SourceFactory(), SourceFactory()
    participation = ParticipationFactory(
        start=dt.date(1996, 10, 1), start_precision=Precision.MONTH, notes="", sources=[source]
    )
    row = participation_row(
        participation.partner, participation.framework, other, id=participation.pk
    )
    row.update(start="1996", notes="From the framework document")
    url = reverse("admin:frameworks_participation_import_csv")
    response = upload(client, url, to_csv([row]))
    (update,) = response.context["updates"]
    changes = {c.field: (c.before, c.after) for c in update.changes}
    assert changes["Start"] == ("October 1996", "1996")
    assert changes["Notes"] == ("—", "From the framework document")
    assert changes["Sources"] == (str(source), str(other))
    assert set(changes) == {"Start", "Notes", "Sources"}
    assert b"October 1996" in response.content
    # Confirming an update needs a reason; the reason is kept in history.
    text = response.context["csv_text"]
    refused = client.post(url, {"csv_text": text, "confirm": "1"})
    assert refused.status_code == 200 and refused.context["form"].errors["reason"]
    done = client.post(url, {"csv_text": text, "confirm": "1", "reason": "Per the 1996 text"})
    assert done.status_code == 302
    record = participation.history.first()
    assert (record.history_change_reason, record.history_user) == ("Per the 1996 text", curator)
    participation.refresh_from_db()
    assert participation.start_display == "1996"
    assert list(participation.sources.all()) == [other]


def export(client, model_admin: str, ids) -> list[dict]:
    response = client.post(
        reverse(f"admin:{model_admin}_changelist"),
        {"action": "export_csv", "_selected_action": [str(i) for i in ids]},
    )
    assert response.status_code == 200, response.content[:500]
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_export_csv_round_trips_and_carries_versions(client, curator):
    client.force_login(curator)
    first, second = ContributionFactory(description="First"), ContributionFactory()
    rows = export(client, "missions_contribution", [first.pk, second.pk])
    assert [r["id"] for r in rows] == [str(first.pk), str(second.pk)]
    assert rows[0]["version"] == version_of(first)
    assert rows[0]["label"].startswith(f"{first}, 2000 – ongoing")
    again = run_import("contributions", to_csv(rows), commit=True)
    assert [r.action for r in again.rows] == ["unchanged", "unchanged"], again.problems
    rows[0]["description"] = "Edited"
    result = run_import("contributions", to_csv(rows), commit=True, reason="Wording")
    assert result.committed
    first.refresh_from_db()
    assert first.description == "Edited"


def test_a_row_changed_since_the_export_is_refused_with_its_current_values(client, curator):
    client.force_login(curator)
    contribution = ContributionFactory(description="As exported")
    rows = export(client, "missions_contribution", [contribution.pk])
    contribution.description = "Another curator's correction"
    contribution.save()
    rows[0]["end"] = "2012-02"
    result = run_import("contributions", to_csv(rows), commit=True, reason="End date")
    assert not result.committed
    (row,) = result.errors
    assert row.problems[0][0] == "version" and "changed on" in row.problems[0][1]
    changes = {c.field: (c.before, c.after) for c in row.changes}
    assert changes["Description"] == ("Another curator's correction", "As exported")
    contribution.refresh_from_db()
    assert contribution.description == "Another curator's correction"


def contribution_rows(count: int) -> str:
    source = SourceFactory()
    partners = [PartnerFactory() for _ in range(5)]
    missions = [MissionFactory() for _ in range(count // 5)]
    return to_csv(
        [
            {"partner": p.iso3, "mission": m.slug, "start": "2001-03", "roles": "troops",
             "sources": source.key}
            for m in missions
            for p in partners
        ]
    )  # fmt: skip


def queries(kind: str, text: str, **kwargs) -> int:
    with CaptureQueriesContext(connection) as ctx:
        result = run_import(kind, text, **kwargs)
    assert result.valid, result.problems[:3]
    return len(ctx.captured_queries)


def test_queries_do_not_grow_with_the_rows(curator):
    small, large = contribution_rows(5), contribution_rows(50)
    assert queries("contributions", small, commit=False) == queries(
        "contributions", large, commit=False
    )
    assert queries("contributions", small, commit=True) == queries(
        "contributions", large, commit=True
    )
    assert Contribution.objects.count() == 55
    # Updating them all (the same records, their start now to the day): the same again,
    # whatever the number.
    edit = {
        5: small.replace("2001-03", "2001-03-01"),
        50: large.replace("2001-03", "2001-03-01"),
    }
    assert queries("contributions", edit[5], commit=True, reason="To the day") == queries(
        "contributions", edit[50], commit=True, reason="To the day"
    )
    assert Contribution.objects.count() == 55  # updated, not added
    assert set(Contribution.objects.values_list("start_precision", flat=True)) == {"day"}


def test_bulk_writes_keep_full_history_and_spans():
    contribution = ContributionFactory(start=dt.date(2004, 2, 1), start_precision=Precision.MONTH)
    source = SourceFactory()
    text = to_csv([
        {"contribution": contribution.pk, "as_of": "2003-06", "personnel": "40",
         "source": source.key},
    ])  # fmt: skip
    result = run_import("figures", text, commit=True)
    assert result.committed, result.problems
    figure = ContributionFigure.objects.get()
    assert figure.history.get().history_type == "+"
    # A figure is evidence of its contribution: an earlier figure widens the period.
    contribution.refresh_from_db()
    assert contribution.covers_from == dt.date(2003, 6, 1)
    record = contribution.history.first()
    assert record.history_change_reason == "bulk CSV import"
    assert {s.source_id for s in record.sources.all()} == set(
        contribution.sources.values_list("pk", flat=True)
    )


def test_overlapping_rows_of_one_file_are_refused_like_the_admin_refuses_them():
    source, partner, mission = SourceFactory(), PartnerFactory(), MissionFactory()
    text = to_csv([
        {"partner": partner.iso3, "mission": mission.slug, "start": start, "roles": "troops",
         "sources": source.key}
        for start in ("2010-10", "2010-10-15")
    ])  # fmt: skip
    result = run_import("contributions", text, commit=True)
    assert not result.committed
    (bad,) = [row for row in result.rows if row.problems]
    assert bad.line == 3 and "overlaps" in bad.problems[0][-1]
    assert not Contribution.objects.filter(partner=partner).exists()
