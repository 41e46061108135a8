"""Releases with changelogs from history, dataset version in exports, export/import round
trip with the same checksum."""

import json

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from frameworks.models import Participation
from partnerships.models import Partner, Release, Source
from partnerships.provenance.dataset import checksum
from partnerships.provenance.releases import make_release
from partnerships.provenance.versioning import dataset_version
from tests.cases import read_csv
from tests.factories import FigureFactory, MilestoneFactory, ParticipationFactory, PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def test_release_changelog_lists_exactly_the_changes_made():
    kept = PartnerFactory(name="Kept")
    edited = PartnerFactory(name="Before")
    doomed = PartnerFactory(name="Doomed")
    first = make_release("1.0.0", "first")
    assert first.changelog["since"] is None
    assert {e["id"] for e in first.changelog["added"]["partners"]} >= {
        kept.pk,
        edited.pk,
        doomed.pk,
    }

    edited.name = "After"
    edited.save()
    doomed_id = doomed.pk
    doomed.delete()
    new = PartnerFactory(name="Newcomer")
    briefly = PartnerFactory(name="Briefly")
    briefly.delete()
    second = make_release("1.1.0")
    log = second.changelog
    assert log["since"] == "1.0.0"
    assert [e["id"] for e in log["added"]["partners"]] == [new.pk]
    assert [e["id"] for e in log["removed"]["partners"]] == [doomed_id]
    (change,) = log["changed"]["partners"]
    assert change["id"] == edited.pk
    assert change["fields"] == [{"field": "name", "before": "Before", "after": "After"}]
    assert kept.pk not in {e["id"] for section in log.values() if isinstance(section, dict)
                           for items in section.values() for e in items}  # fmt: skip


def test_changelog_reads_a_date_and_its_precision_as_one_value_and_labels_facts_with_dates(
    client,
):
    import datetime as dt

    from missions.models import Contribution
    from tests.factories import ContributionFactory

    contribution = ContributionFactory(
        start=dt.date(2010, 10, 15), start_precision="day", end=None, end_precision="day"
    )
    make_release("1.0.0")
    contribution = Contribution.objects.get(pk=contribution.pk)
    contribution.start, contribution.start_precision = dt.date(2010, 10, 1), "month"
    contribution.save()
    release = make_release("1.1.0")
    (entry,) = release.changelog["changed"]["contributions"]
    assert entry["label"] == f"{contribution}, Oct 2010 – ongoing"  # told apart by its dates
    # One change, not "start: 2010-10-15 -> 2010-10-01" and "precision: day -> month".
    assert entry["fields"] == [
        {
            "field": "start",
            "before": "2010-10-15",
            "after": "2010-10",
            "before_shown": "15 October 2010",
            "after_shown": "October 2010",
        }
    ]
    page = client.get("/releases/1.1.0/").content.decode()
    assert "15 October 2010" in page and "October 2010" in page
    assert "2010-10-01" not in page and "start_precision" not in page


def test_release_version_is_unique_and_well_formed():
    make_release("2.0")
    with pytest.raises(Exception, match="already exists"):
        make_release("2.0")
    with pytest.raises(CommandError, match="version"):
        call_command("release", "two")


def test_exports_name_the_release_or_the_changes_since():
    PartnerFactory()
    assert dataset_version().startswith("unreleased (last change")
    make_release("1.0.0")
    assert dataset_version() == "1.0.0"
    api = APIClient()
    assert api.get("/api/v1/partners/?format=csv")["X-Dataset-Version"] == "1.0.0"
    PartnerFactory()
    assert dataset_version() == "unreleased changes since 1.0.0"
    assert api.get("/api/v1/partners/?format=csv")["X-Dataset-Version"] == (
        "unreleased changes since 1.0.0"
    )


def test_releases_api_lists_and_details_with_changelog():
    PartnerFactory()
    make_release("1.0.0", "first")
    api = APIClient()
    listing = api.get("/api/v1/releases/").json()
    assert listing["results"][0]["version"] == "1.0.0"
    assert "changelog" not in listing["results"][0]
    detail = api.get("/api/v1/releases/1.0.0/").json()
    assert detail["citation"].startswith("Partnerships KB, dataset release 1.0.0")
    assert "partners" in detail["changelog"]["added"]
    assert api.get("/api/v1/releases/9.9.9/").status_code == 404
    assert api.post("/api/v1/releases/", {}).status_code in (401, 403, 405)


def test_export_import_round_trip_gives_the_same_facts_and_checksum(tmp_path, django_db_blocker):
    participation = ParticipationFactory(notes="Rejoined later")
    FigureFactory(contribution__partner=participation.partner)
    MilestoneFactory(partner=participation.partner)
    call_command("export_dataset", str(tmp_path), verbosity=0)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["checksum"] == checksum()
    assert (tmp_path / "csv" / "participations.csv").exists()

    # Empty the database, then restore it from the export.
    from frameworks.models import Framework
    from missions.models import Contribution, ContributionFigure, Mission
    from partnerships.models import CooperationArea, Milestone

    for model in (ContributionFigure, Contribution, Mission, Participation, Framework,
                  Milestone, Partner, CooperationArea, Source):  # fmt: skip
        model.objects.all().delete()
    call_command("import_dataset", str(tmp_path), verbosity=0)
    assert checksum() == manifest["checksum"]
    assert Participation.objects.get().notes == "Rejoined later"


def test_import_refuses_a_database_that_is_not_empty(tmp_path):
    PartnerFactory()
    call_command("export_dataset", str(tmp_path), verbosity=0)
    with pytest.raises(CommandError, match="not empty"):
        call_command("import_dataset", str(tmp_path))


def test_csv_exports_carry_the_version_header_and_rows():
    PartnerFactory(iso3="GEO")
    make_release("3.0")
    response = APIClient().get("/api/v1/partners/?format=csv")
    assert response["X-Dataset-Version"] == "3.0"
    assert [r["iso3"] for r in read_csv(response)] == ["GEO"]
    assert Release.objects.count() == 1


def test_release_after_deleting_a_partner_with_facts():
    participation = ParticipationFactory()
    make_release("1.0.0")
    participation.partner.delete()  # its participations go with it
    release = make_release("1.0.1")
    removed = release.changelog["removed"]
    assert [e["id"] for e in removed["participations"]] == [participation.pk]
    assert removed["participations"][0]["label"]
