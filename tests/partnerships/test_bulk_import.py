"""Bulk CSV import: preview row by row, all or nothing, round trip with the API's CSV."""

import csv
import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from frameworks.models import Participation
from missions.models import ContributionFigure
from partnerships.provenance.bulk_import import REASON_REQUIRED, run_import
from tests.cases import read_csv
from tests.factories import (
    ContributionFactory,
    FrameworkFactory,
    ParticipationFactory,
    PartnerFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def to_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def exported(path: str) -> list[dict]:
    return read_csv(APIClient().get(path, {"format": "csv"}))


def test_exported_csv_edited_and_imported_updates_the_same_rows():
    first = ParticipationFactory(notes="")
    second = ParticipationFactory()
    rows = sorted(exported("/api/v1/participations/"), key=lambda r: r["id"] != str(first.pk))
    assert rows[0]["id"] == str(first.pk)
    rows[0]["notes"] = "Edited in a spreadsheet"
    rows[0]["end"] = "2004-03-29"
    rows[0]["status"] = "ended"
    preview = run_import("participations", to_csv(rows), commit=False)
    assert preview.valid, [r.errors for r in preview.rows]
    assert [r.action for r in preview.rows] == ["update", "unchanged"]
    assert Participation.objects.get(pk=first.pk).notes == ""  # a preview writes nothing
    refused = run_import("participations", to_csv(rows), commit=True)
    assert not refused.committed and refused.file_problems == [REASON_REQUIRED]
    result = run_import("participations", to_csv(rows), commit=True, reason="End per 2004 text")
    assert result.committed
    first.refresh_from_db()
    assert (first.notes, first.end_iso, first.status) == (
        "Edited in a spreadsheet",
        "2004-03-29",
        "ended",
    )
    assert Participation.objects.count() == 2
    assert first.history.first().history_change_reason == "End per 2004 text"
    second.refresh_from_db()


def test_new_rows_are_created_by_natural_key():
    partner, framework, source = PartnerFactory(), FrameworkFactory(), SourceFactory()
    row = {"partner": partner.iso3.lower(), "framework": framework.slug, "start": "1995-11"}
    text = to_csv([{**row, "end": "", "status": "active", "sources": source.key}])
    result = run_import("participations", text, commit=True)
    assert result.committed and result.count("create") == 1
    created = Participation.objects.get()
    assert created.start_display == "November 1995"
    # Importing the same file again changes nothing.
    again = run_import("participations", text, commit=True)
    assert [r.action for r in again.rows] == ["unchanged"]


def test_one_invalid_row_rejects_the_whole_file_with_line_and_reason():
    good = ParticipationFactory()
    rows = exported("/api/v1/participations/")
    source = SourceFactory()
    rows.append({**rows[0], "id": "", "partner": "ZZZ", "sources": source.key})
    rows.append({**rows[0], "id": "", "partner": PartnerFactory().iso3, "start": "1999",
                 "end": "1990", "status": "ended", "sources": source.key})  # fmt: skip
    rows[0]["notes"] = "would be changed"
    result = run_import("participations", to_csv(rows), commit=True)
    assert not result.committed
    problems = {r.line: " ".join(r.errors) for r in result.errors}
    assert "ZZZ" in problems[3] or "partner" in problems[3]
    assert "before the start" in problems[4]
    good.refresh_from_db()
    assert good.notes != "would be changed"
    assert Participation.objects.count() == 1


def test_figures_import_with_source_keys():
    contribution = ContributionFactory()
    source = SourceFactory(key="isaf-placemat-2010")
    text = to_csv([
        {"contribution": contribution.pk, "as_of": "2010-06-14", "personnel": "150",
         "measure": "snapshot", "estimate": "false", "source": "isaf-placemat-2010"},
        {"contribution": contribution.pk, "as_of": "2010-07-01", "personnel": "-3",
         "measure": "snapshot", "estimate": "false", "source": "isaf-placemat-2010"},
    ])  # fmt: skip
    result = run_import("figures", text, commit=True)
    assert not result.committed
    assert "personnel" in " ".join(result.rows[1].errors)
    fixed = text.replace("-3", "170")
    assert run_import("figures", fixed, commit=True).committed
    assert sorted(ContributionFigure.objects.values_list("personnel", flat=True)) == [150, 170]
    assert ContributionFigure.objects.filter(source=source).count() == 2


def test_command_previews_then_commits(tmp_path, capsys):
    partner, framework, source = PartnerFactory(), FrameworkFactory(), SourceFactory()
    path = tmp_path / "p.csv"
    path.write_text(to_csv([{"partner": partner.iso3, "framework": framework.slug, "start": "2001",
                             "status": "active", "sources": source.key}]))  # fmt: skip
    call_command("import_csv", "participations", str(path))
    assert "Preview: 1 to create" in capsys.readouterr().out
    assert not Participation.objects.exists()
    call_command("import_csv", "participations", str(path), "--commit")
    assert Participation.objects.count() == 1
    path.write_text(path.read_text().replace(source.key, "no-such-source"))
    with pytest.raises(CommandError, match="invalid row"):
        call_command("import_csv", "participations", str(path), "--commit")


def test_admin_preview_then_confirm(client, curator):
    client.force_login(curator)
    partner, framework, source = PartnerFactory(), FrameworkFactory(), SourceFactory()
    text = to_csv([{"partner": partner.iso3, "framework": framework.slug, "start": "2001",
                    "status": "active", "sources": source.key}])  # fmt: skip
    url = reverse("admin:frameworks_participation_import_csv")
    assert client.get(reverse("admin:frameworks_participation_changelist")).content.count(
        url.encode()
    )
    preview = client.post(url, {"file": SimpleUploadedFile("p.csv", text.encode())})
    assert preview.status_code == 200
    assert b"Preview: 1 to create" in preview.content
    assert not Participation.objects.exists()
    done = client.post(url, {"csv_text": text, "confirm": "1"})
    assert done.status_code == 302
    created = Participation.objects.get()
    assert created.history.first().history_user == curator


def test_readers_cannot_import(client, reader):
    client.force_login(reader)
    response = client.get(reverse("admin:frameworks_participation_import_csv"))
    assert response.status_code == 302  # to the admin login
