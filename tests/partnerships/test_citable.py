"""The knowledge made citable: sources graded by tier (model, filter, pages, API), one record
per document, facts resting only on the lowest tiers and the consistency checks on
/quality/, and releases as reproducible zip archives with their citations."""

import datetime as dt
import hashlib
import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from partnerships.documents import normalise_url
from partnerships.models import Release, Source
from partnerships.provenance.archive import build_archive, citation_texts
from partnerships.provenance.consistency import (
    descriptions_contradicting_rows,
    joins_contradicting_participation,
    stated_partner_counts,
)
from partnerships.provenance.dataset import checksum, export_records
from partnerships.provenance.quality import lowest_tier_share, quality_checks
from partnerships.provenance.releases import make_release, release_from_manifests
from tests.factories import (
    ContributionFactory,
    FigureFactory,
    FrameworkFactory,
    MilestoneFactory,
    MissionFactory,
    ParticipationFactory,
    PartnerFactory,
    SourceFactory,
)

D = dt.date
pytestmark = pytest.mark.django_db


# -- one record per document ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.nato.int/cps/en/natohq/topics_49188.htm?selectedLocale=en", None),
        ("http://nato.int/cps/fr/natohq/topics_49188.htm", None),
        ("https://www.nato.int/cps/en/SID-16BAC953-FA125A86/natolive/topics_49188.htm", None),
        ("https://www.nato.int/cps/en/natohq/topics_49188.htm/#part-2", None),
        ("https://example.org/a/?id=3&lang=de", "example.org/a?id=3"),
        ("https://example.org/a?id=3", "example.org/a?id=3"),
        ("", ""),
    ],
)
def test_the_normalised_url_drops_what_does_not_change_the_document(url, expected):
    page = "nato.int/cps/natohq/topics_49188.htm"
    assert normalise_url(url) == (page if expected is None else expected)


def test_a_second_source_of_one_document_is_refused_by_clean():
    SourceFactory(key="first", url="https://www.nato.int/docu/pr/2000/p00-027e.htm")
    twin = Source(
        key="second",
        title="T",
        publisher="P",
        tier="primary",
        url="http://nato.int/docu/pr/2000/p00-027e.htm/",
    )
    with pytest.raises(ValidationError, match="'first'"):
        twin.full_clean()


# -- tiers: model, filter, pages, API --------------------------------------------------------


def test_tier_is_required_has_choices_and_help():
    field = Source._meta.get_field("tier")
    assert not field.blank
    assert [value for value, _ in field.choices] == [
        "primary",
        "official",
        "press",
        "reference",
        "copy",
    ]
    assert "mirror" in field.help_text
    with pytest.raises(ValidationError):
        Source(key="x", title="T", publisher="P", tier="rumour").full_clean()


def test_sources_filter_by_tier_in_the_api_and_on_the_page(client):
    SourceFactory(title="A primary text", tier="primary")
    SourceFactory(title="A copy on a blog", tier="copy")
    data = APIClient().get("/api/v1/sources/?tier=copy").json()
    assert [row["title"] for row in data["results"]] == ["A copy on a blog"]
    assert data["results"][0]["tier"] == "copy"
    both = APIClient().get("/api/v1/sources/?tier=copy&tier=primary").json()
    assert both["count"] == 2
    assert APIClient().get("/api/v1/sources/?tier=gossip").status_code == 400
    page = client.get("/sources/?tier=copy").content.decode()
    assert "A copy on a blog" in page and "A primary text" not in page
    assert 'class="tier tier-copy"' in page


def test_every_citation_shows_its_tier_on_pages_and_in_the_api(client):
    source = SourceFactory(tier="press")
    participation = ParticipationFactory(sources=[source])
    page = client.get(participation.partner.get_absolute_url()).content.decode()
    assert 'class="tier tier-press"' in page
    detail = client.get(source.get_absolute_url()).content.decode()
    assert "Reliability tier" in detail and "tier-press" in detail
    row = APIClient().get(f"/api/v1/participations/{participation.pk}/").json()
    assert row["sources"][0]["tier"] == "press"


# -- facts resting only on the lowest tiers ----------------------------------------------------


def test_facts_resting_only_on_the_lowest_tiers_are_listed_with_their_share(client, superuser):
    copy, reference, official = (
        SourceFactory(tier="copy"),
        SourceFactory(tier="reference"),
        SourceFactory(tier="official"),
    )
    only_copy = ParticipationFactory(sources=[copy])
    copy_and_reference = ParticipationFactory(sources=[copy, reference])
    ParticipationFactory(sources=[copy, official])  # an official source too: not flagged
    MilestoneFactory(sources=[official])
    FigureFactory(source=copy, contribution=ContributionFactory(sources=[official]))
    checks = quality_checks()
    assert list(checks["participations-copy-only"]["queryset"]) == [only_copy]
    assert set(checks["participations-copy-or-reference-only"]["queryset"]) == {
        only_copy,
        copy_and_reference,
    }
    assert checks["figures-copy-only"]["queryset"].count() == 1
    share = lowest_tier_share()
    # 3 participations, 1 milestone, 1 contribution, 1 figure
    assert share == {
        "facts": 6,
        "copy_only": 2,
        "copy_or_reference_only": 3,
        "copy_only_share": round(2 / 6, 4),
        "copy_or_reference_only_share": 0.5,
    }
    staff = APIClient()
    staff.force_authenticate(superuser)  # the quality API is staff only, like its page
    summary = staff.get("/api/v1/quality/").json()
    assert summary["participations-copy-only"]["count"] == 1
    assert summary["lowest_tier_share"]["copy_only"] == 2
    client.force_login(superuser)
    page = client.get("/quality/?check=participations-copy-only").content.decode()
    assert "rest only on copies" in page and str(only_copy.partner.name) in page


# -- consistency checks ------------------------------------------------------------------------


def test_a_joins_milestone_contradicting_its_participation_is_flagged(client, superuser):
    pfp = FrameworkFactory(name="Partnership for Peace", acronym="PfP")
    geo, fin = PartnerFactory(iso3="GEO"), PartnerFactory(iso3="FIN")
    ParticipationFactory(partner=geo, framework=pfp, start=D(1994, 3, 23), start_precision="day")
    ParticipationFactory(partner=fin, framework=pfp, start=D(1994, 5, 9), start_precision="day")
    wrong = MilestoneFactory(
        partner=geo, date=D(1995, 3, 23), title="Georgia joins the Partnership for Peace"
    )
    # a year-only milestone agrees with a day in that year
    MilestoneFactory(
        partner=fin,
        date=D(1994, 1, 1),
        date_precision="year",
        title="Finland joins the Partnership for Peace",
    )
    # a title naming no framework, and a framework the partner has no participation in
    MilestoneFactory(partner=fin, date=D(2001, 1, 1), title="Something else")
    found = joins_contradicting_participation()
    assert list(found) == [wrong.pk]
    assert "1995-03-23" in found[wrong.pk] and "1994-03-23" in found[wrong.pk]
    staff = APIClient()
    staff.force_authenticate(superuser)  # the quality API is staff only, like its page
    summary = staff.get("/api/v1/quality/").json()
    assert summary["milestones-joins-contradict-participation"]["count"] == 1
    listing = staff.get("/api/v1/quality/?check=milestones-joins-contradict-participation").json()
    assert listing["results"][0]["reason"] == found[wrong.pk]
    client.force_login(superuser)
    page = client.get("/quality/?check=milestones-joins-contradict-participation")
    assert "but the participation in Partnership for Peace starts" in page.content.decode()


def test_stated_partner_counts_are_read_from_descriptions():
    assert stated_partner_counts("14 Allies and 4 partner countries provided forces") == [4]
    assert stated_partner_counts("nineteen non-NATO nations took part") == [19]
    assert stated_partner_counts("more than 20 partner nations") == []
    assert stated_partner_counts("51 NATO and partner nations") == []


def test_a_mission_description_counting_fewer_partners_than_recorded_is_flagged():
    mission = MissionFactory(description="Forces came from 14 Allies and 1 partner country.")
    fine = MissionFactory(description="Two partner nations took part.")
    for code in ("AUT", "CHE"):
        ContributionFactory(mission=mission, partner=PartnerFactory(iso3=code))
        ContributionFactory(mission=fine, partner=PartnerFactory(iso3=code))
    # an Ally from the start is not a partner contributor
    ally = PartnerFactory(iso3="POL", nato_accession=D(1999, 3, 12), nato_accession_precision="day")
    ContributionFactory(mission=fine, partner=ally, start=D(2005, 1, 1))
    found = descriptions_contradicting_rows()
    assert list(found) == [mission.pk]
    assert "states 1 partner nations, but 2" in found[mission.pk]


# -- releases: one reproducible archive, its checksum, its citation ----------------------------


def _archive_files(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def test_the_archive_is_reproducible_and_describes_every_file_and_column():
    MilestoneFactory(sources=[SourceFactory(tier="copy")])
    records = export_records()
    first = build_archive(records, "1.0.0", D(2026, 12, 2))
    assert build_archive(export_records(), "1.0.0", D(2026, 12, 2)) == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        infos = archive.infolist()
        assert {info.date_time for info in infos} == {(2026, 12, 2, 0, 0, 0)}
        assert [info.filename for info in infos][:3] == [
            "partnerships-kb-1.0.0/README.md",
            "partnerships-kb-1.0.0/datapackage.json",
            "partnerships-kb-1.0.0/manifest.json",
        ]
    files = _archive_files(first)
    package = json.loads(files["partnerships-kb-1.0.0/datapackage.json"])
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert package["content_checksum"] == "sha256:" + checksum(records)
    described = {resource["path"] for resource in package["resources"]}
    assert described == {name.split("/", 1)[1] for name in files} - {"datapackage.json"}
    for resource in package["resources"]:
        body = files["partnerships-kb-1.0.0/" + resource["path"]]
        if "hash" in resource:
            assert resource["hash"] == "sha256:" + hashlib.sha256(body).hexdigest()
        if resource.get("format") == "csv":
            header = body.decode().splitlines()[0].split(",") if body else []
            fields = resource["schema"]["fields"]
            assert [f["name"] for f in fields] == header
            assert all(f["type"] in {"string", "integer", "boolean"} for f in fields)
    sources = next(r for r in package["resources"] if r["name"] == "sources")
    assert {"name": "tier", "type": "string"} in sources["schema"]["fields"]
    readme = files["partnerships-kb-1.0.0/README.md"].decode()
    assert "CC-BY-4.0" in readme and "BibTeX" in readme and "/releases/1.0.0/download/" in readme


def test_a_release_is_downloadable_with_its_sha256_printed_and_citable(client):
    ParticipationFactory()
    release = make_release("1.0.0", "First.", released=D(2026, 12, 2))
    assert release.archive_sha256 == hashlib.sha256(bytes(release.archive)).hexdigest()
    response = client.get("/releases/1.0.0/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert 'filename="partnerships-kb-1.0.0.zip"' in response["Content-Disposition"]
    assert hashlib.sha256(response.content).hexdigest() == release.archive_sha256
    assert client.get("/releases/9.9.9/download/").status_code == 404
    page = client.get("/releases/1.0.0/").content.decode()
    assert release.archive_sha256 in page
    assert "@misc{partnershipskb_1_0_0" in page and "[Data set]" in page
    assert "&quot;type&quot;: &quot;dataset&quot;" in page  # the CSL-JSON record
    about = client.get("/about/").content.decode()
    assert "CC BY 4.0" in about and release.archive_sha256 in about and "@misc{" in about
    data = APIClient().get("/api/v1/releases/1.0.0/").json()
    assert data["archive_sha256"] == release.archive_sha256
    assert data["download_url"].endswith("/releases/1.0.0/download/")
    assert data["released"] == "2026-12-02"
    assert data["cite"]["csl"]["version"] == "1.0.0"
    assert data["cite"]["csl"]["URL"].endswith("/releases/1.0.0/")
    assert data["cite"]["apa"].startswith("Partnerships KB contributors. (2026).")


def test_citation_texts_name_the_release_and_its_url():
    texts = citation_texts("1.2.0", D(2027, 1, 5), "https://kb.example.org/releases/1.2.0/")
    assert "(Version 1.2.0) [Data set]. https://kb.example.org/releases/1.2.0/" in texts["apa"]
    assert "version   = {1.2.0}" in texts["bibtex"]
    csl = json.loads(texts["csl_json"])
    assert csl["issued"] == {"date-parts": [[2027, 1, 5]]}
    assert csl["type"] == "dataset"


def test_a_committed_manifest_makes_its_release_when_the_content_matches(tmp_path):
    ParticipationFactory()
    (tmp_path / "releases").mkdir()
    manifest = {
        "version": "1.0.0",
        "released": "2026-12-02",
        "notes": "First.",
        "checksum": "0" * 64,
        "archive_sha256": "",
    }
    path = tmp_path / "releases" / "1.0.0.json"
    path.write_text(json.dumps(manifest))
    (said,) = release_from_manifests(tmp_path)
    assert "not made: the content differs" in said
    assert not Release.objects.exists()
    archive = build_archive(export_records(), "1.0.0", D(2026, 12, 2))
    manifest.update(checksum=checksum(), archive_sha256=hashlib.sha256(archive).hexdigest())
    path.write_text(json.dumps(manifest))
    (said,) = release_from_manifests(tmp_path)
    release = Release.objects.get()
    assert release.archive_sha256 == manifest["archive_sha256"]
    assert release.release_date == D(2026, 12, 2)
    assert "made from 1.0.0.json" in said and "the manifest says" not in said
    assert release_from_manifests(tmp_path) == []  # made once


def test_the_extracted_archive_loads_back_unchanged(tmp_path, capsys):
    from django.core.management import call_command

    ParticipationFactory(sources=[SourceFactory(tier="reference")])
    archive = build_archive(export_records(), "1.0.0", D(2026, 12, 2))
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        opened.extractall(tmp_path)
    folder = tmp_path / "partnerships-kb-1.0.0"
    assert json.loads((folder / "manifest.json").read_text())["checksum"] == checksum()
    call_command("load_knowledge", data=str(folder))
    assert "Nothing to change" in capsys.readouterr().out
