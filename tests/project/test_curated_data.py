"""Tests of the curated dataset in data/: complete, sourced, consistent, loadable twice."""

import shutil

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Q

from frameworks.models import Framework, Participation
from missions.models import Contribution, ContributionFigure, Mission
from partnerships.management.commands.load_knowledge import load_knowledge
from partnerships.models import Milestone, Partner, Source

CANONICAL_FRAMEWORKS = {
    "partnership-for-peace",
    "euro-atlantic-partnership-council",
    "north-atlantic-cooperation-council",
    "mediterranean-dialogue",
    "istanbul-cooperation-initiative",
    "partners-across-the-globe",
    "intensified-dialogue",
    "membership-action-plan",
    "individual-partnership-action-plan",
    "partnership-interoperability-initiative",
    "enhanced-opportunities-partners",
    "nato-ukraine-commission",
    "nato-georgia-commission",
    "nato-russia-council",
}
CANONICAL_MISSIONS = {
    "ifor",
    "sfor",
    "kfor",
    "isaf",
    "resolute-support",
    "allied-force",
    "active-endeavour",
    "sea-guardian",
    "allied-provider",
    "allied-protector",
    "ocean-shield",
    "unified-protector",
    "ntm-i",
    "nato-mission-iraq",
}
FORMER_PARTNERS_NOW_ALLIES = {
    "CZE", "HUN", "POL", "BGR", "EST", "LVA", "LTU", "ROU",
    "SVK", "SVN", "ALB", "HRV", "MNE", "MKD", "FIN", "SWE",
}  # fmt: skip


@pytest.fixture(scope="module")
def curated(django_db_setup, django_db_blocker):
    """The curated files loaded once for this module, rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_knowledge(settings.DATA_DIR)
        transaction.set_rollback(True)


@pytest.fixture
def db_with_data(curated, db):
    return curated


def test_canonical_frameworks_and_missions_are_there(db_with_data):
    assert set(Framework.objects.values_list("slug", flat=True)) >= CANONICAL_FRAMEWORKS
    assert set(Mission.objects.values_list("slug", flat=True)) >= CANONICAL_MISSIONS


def test_every_former_partner_that_became_an_ally_has_its_accession(db_with_data):
    allies = Partner.objects.filter(nato_accession__isnull=False)
    assert set(allies.values_list("iso3", flat=True)) == FORMER_PARTNERS_NOW_ALLIES
    assert not allies.exclude(nato_accession_precision="day").exists()
    assert not allies.filter(sources=None).exists()


def test_framework_members_are_there(db_with_data):
    def members(slug):
        return set(
            Participation.objects.filter(framework__slug=slug).values_list(
                "partner__iso3", flat=True
            )
        )

    assert members("mediterranean-dialogue") == {"DZA", "EGY", "ISR", "JOR", "MRT", "MAR", "TUN"}
    assert members("istanbul-cooperation-initiative") == {"BHR", "KWT", "QAT", "ARE"}
    assert {"AUS", "FIN", "GEO", "JOR", "SWE", "UKR"} <= members("enhanced-opportunities-partners")
    assert FORMER_PARTNERS_NOW_ALLIES - {"HRV", "SVN", "ALB", "MNE", "MKD"} <= members(
        "partnership-for-peace"
    ) | members("membership-action-plan")


@pytest.mark.parametrize(
    "model", [Participation, Contribution, Milestone, Framework, Mission], ids=lambda m: m.__name__
)
def test_every_fact_names_a_source(db_with_data, model):
    unsourced = model.objects.annotate(n=Count("sources")).filter(n=0)
    assert not unsourced.exists(), list(unsourced[:5])


def test_every_figure_has_its_source_and_date(db_with_data):
    assert not ContributionFigure.objects.filter(
        Q(source__isnull=True) | Q(as_of__isnull=True)
    ).exists()


def test_no_partner_stays_in_a_partners_only_framework_after_accession(db_with_data):
    late = Participation.objects.filter(
        framework__members_only_partners=True, partner__nato_accession__isnull=False
    ).filter(Q(covers_until__isnull=True) | Q(covers_until__gt=F("partner__nato_accession")))
    assert not late.exists(), list(late)


def test_every_contribution_lies_within_its_mission(db_with_data):
    early = Contribution.objects.filter(covers_from__lt=F("mission__covers_from"))
    late = Contribution.objects.filter(mission__covers_until__isnull=False).filter(
        Q(covers_until__gt=F("mission__covers_until"))
        | Q(covers_until__isnull=True, end_unknown=False)
    )
    assert not early.exists(), list(early)
    assert not late.exists(), list(late)


def test_every_source_cited_has_a_title_and_publisher(db_with_data):
    assert not Source.objects.filter(Q(title="") | Q(publisher="")).exists()


def test_loading_twice_is_a_no_op(db_with_data):
    again = load_knowledge(settings.DATA_DIR)
    changed = {
        kind: counts
        for kind, counts in again.tally.items()
        if counts["created"] or counts["updated"]
    }
    assert changed == {}


def test_a_broken_file_is_refused_with_its_line_and_changes_nothing(tmp_path, db_with_data):
    copy = tmp_path / "data"
    shutil.copytree(settings.DATA_DIR, copy)
    path = copy / "participations" / "dialogues-and-global.yaml"
    text = path.read_text()
    path.write_text(text.replace("partner: JOR", "partner: ZZZ", 1))
    before = Participation.objects.count(), Source.objects.count()
    with pytest.raises(CommandError, match=r"dialogues-and-global.yaml:\d+: unknown partner 'ZZZ'"):
        call_command("load_knowledge", data=str(copy))
    assert (Participation.objects.count(), Source.objects.count()) == before


# -- citable: tiers, one record per document, consistency, coverage, release 1.0.0 -----------


def test_every_source_has_a_tier(db_with_data):
    assert not Source.objects.exclude(tier__in=Source.Tier.values).exists()
    assert set(Source.objects.values_list("tier", flat=True)) == set(Source.Tier.values)


def test_no_two_sources_are_one_document(db_with_data):
    from partnerships.documents import normalise_url

    seen = {}
    for key, url in Source.objects.exclude(url="").values_list("key", "url"):
        document = normalise_url(url)
        assert document not in seen, f"{key} is the same document as {seen[document]}"
        seen[document] = key


def test_no_joins_milestone_contradicts_its_participation(db_with_data):
    from partnerships.provenance.consistency import joins_contradicting_participation

    assert joins_contradicting_participation() == {}


def test_no_mission_description_counts_fewer_partners_than_are_recorded(db_with_data):
    from partnerships.provenance.consistency import descriptions_contradicting_rows

    assert descriptions_contradicting_rows() == {}


def test_the_coverage_statements_are_recorded_with_their_sources(db_with_data):
    stated = {
        m.slug: (m.coverage_nations, m.coverage_partners)
        for m in Mission.objects.exclude(coverage_nations=None, coverage_partners=None)
    }
    assert stated == {
        "isaf": (50, None),
        "resolute-support": (41, 14),
        "ifor": (None, 19),
        "sfor": (None, 19),
        "kfor": (30, 8),
        "unified-protector": (18, 4),
    }
    members = dict(
        Framework.objects.exclude(coverage_partners=None).values_list("slug", "coverage_partners")
    )
    assert members == {
        "partnership-interoperability-initiative": 21,
        "enhanced-opportunities-partners": 4,
        "partners-across-the-globe": 9,
        "euro-atlantic-partnership-council": 18,
        "mediterranean-dialogue": 7,
        "istanbul-cooperation-initiative": 4,
    }
    kfor = Mission.objects.get(slug="kfor")
    assert kfor.coverage_partners_source.key == "msn-kfor-placemat-2017-02"
    assert kfor.coverage_partners_source.tier == "copy"


def test_release_1_0_0_is_made_from_the_files_with_the_committed_checksums(db_with_data):
    """What a fresh install gets: the loaded content's checksum is the manifest's, so
    load_knowledge makes release 1.0.0, and its archive's bytes are the ones the manifest
    names (on SQLite and PostgreSQL alike)."""
    import json

    from partnerships.models import Release
    from partnerships.provenance.dataset import checksum
    from partnerships.provenance.releases import release_from_manifests

    manifest = json.loads((settings.DATA_DIR / "releases" / "1.0.0.json").read_text())
    assert checksum() == manifest["checksum"]
    with transaction.atomic():
        (said,) = release_from_manifests(settings.DATA_DIR)
        release = Release.objects.get(version="1.0.0")
        assert release.archive_sha256 == manifest["archive_sha256"], said
        assert release.release_date.isoformat() == manifest["released"]
        transaction.set_rollback(True)
