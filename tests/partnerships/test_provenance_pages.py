"""The provenance pages: recent changes, an object's history with its diffs, "as known on"
on the partners' pages, releases, reconciliation of figures, and the curators' data-quality
page. Query counts pinned (the same with 5 rows as with 50), like the other pages'."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from partnerships.models import Partner
from partnerships.provenance.releases import make_release
from tests.cases import build_partner_facts, build_world, count_queries, read_csv, without_history
from tests.factories import (
    ContributionFactory,
    FigureFactory,
    FrameworkFactory,
    MissionFactory,
    PartnerFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def curator_edits(curator, partner, **changes):
    """A curator's change through the API (the user is recorded by the history middleware)."""
    api = APIClient()
    api.force_login(curator)
    response = api.patch(f"/api/v1/partners/{partner.iso3}/", changes, format="json")
    assert response.status_code == 200, response.content[:300]


def assert_accessible(html: str) -> None:
    assert '<html lang="en">' in html and html.count("<h1") == 1
    assert "style=" not in html and "<script>" not in html


# -- recent changes -------------------------------------------------------------------------


def test_history_lists_a_curators_change_with_the_user(client, curator):
    partner = PartnerFactory(name="Macedonia")
    curator_edits(curator, partner, name="North Macedonia")
    response = client.get("/history/")
    html = response.content.decode()
    assert_accessible(html)
    row = response.context["rows"][0]
    # The public history names no curator; staff see who.
    assert (row["kind"], row["word"], row["who"]) == (
        "partnerships.partner",
        "changed",
        "a curator",
    )
    assert row["label"] == "North Macedonia" and row["url"] == partner.get_absolute_url()
    assert curator.username not in html and "~</span> changed" in html
    client.force_login(curator)
    assert client.get("/history/").context["rows"][0]["who"] == curator.username
    mine = client.get("/history/", {"user": curator.username}).context["rows"]
    assert [r["id"] for r in mine] == [partner.pk]
    assert client.get("/history/", {"model": "missions.mission"}).context["rows"] == []
    tomorrow = (timezone.now() + dt.timedelta(days=1)).date().isoformat()
    assert client.get("/history/", {"since": tomorrow}).context["rows"] == []


@pytest.mark.parametrize(
    "query",
    [
        {"user": "nobody-at-all"},
        {"since": "2026-02-30"},
        {"since": "2026-03-01", "until": "2026-01-01"},
        {"model": "auth.user"},
        {"before": "yesterday"},
    ],
)
def test_bad_history_filters_are_form_errors(client, curator, query):
    client.force_login(curator)  # staff: the user filter is theirs
    response = client.get("/history/", query)
    assert response.status_code == 400
    assert "Check the filters" in response.content.decode()


def test_history_pages_go_back_in_time_without_gaps(client):
    partners = [PartnerFactory() for _ in range(60)]  # 60 partners, 120 records with sources
    seen, url, pages = [], "/history/?model=partnerships.partner", 0
    while url:
        response = client.get(url)
        seen += [(r["id"], r["history_id"]) for r in response.context["rows"]]
        pages += 1
        cursor = response.context["next_cursor"]
        query = urlencode({"model": "partnerships.partner", "before": cursor})
        url = f"/history/?{query}" if cursor else ""
    history = Partner.history.order_by("-history_date", "-history_id")
    assert seen == [(h.id, h.history_id) for h in history]
    assert pages == 3 and len({pk for pk, _ in seen}) == len(partners)


def test_deleted_facts_stay_in_the_history_and_link_to_it(client):
    partner = PartnerFactory(name="Gone")
    partner_pk = partner.pk
    partner.delete()
    row = client.get("/history/").context["rows"][0]
    assert (row["word"], row["exists"]) == ("deleted", False)
    assert row["url"] == f"/history/partnerships/partner/{partner_pk}/"
    page = client.get(row["url"])
    assert page.status_code == 200 and "no longer in the knowledge base" in page.content.decode()


def _history_world(rows: int) -> str:
    build_world(rows)
    return "/history/"


def test_history_query_count_is_pinned_and_does_not_grow(client):
    # Kinds on the page: source, partner, milestone, participation, contribution, figure,
    # cooperation area none; a query per kind (9) + per kind shown: records, labels, alive.
    for url in ("/history/?model=frameworks.participation", "/history/"):
        few, _ = count_queries(client, _history_world(5).replace("/history/", url))
        many, _ = count_queries(client, _history_world(45).replace("/history/", url))
        assert few == many, url
    # One kind: its page (1), its records (1), partner and framework (2), which exist (1).
    assert count_queries(client, "/history/?model=frameworks.participation")[0] == 5


# -- one object's history ---------------------------------------------------------------------


def test_object_history_shows_field_diffs_links_user_and_reason(client, curator):
    partner = PartnerFactory(name="Macedonia")
    curator_edits(curator, partner, name="North Macedonia")
    extra = SourceFactory(title="The Prespa agreement")
    partner.refresh_from_db()  # the link's history record copies the instance's fields
    partner.sources.add(extra)
    record = partner.history.latest()
    record.history_change_reason = "Renamed in 2019"
    record.save()
    response = client.get(f"/history/partnerships/partner/{partner.pk}/")
    html = response.content.decode()
    assert_accessible(html)
    versions = response.context["versions"]
    rename = next(v for v in versions if v["record"].history_user_id == curator.pk)
    assert {"field": "Name", "old": "Macedonia", "new": "North Macedonia"} in rename["rows"]
    links = versions[0]["rows"]
    assert links[0]["added"] == [str(extra)] and links[0]["removed"] == []
    assert versions[-1]["word"] == "created" and versions[-1]["first"]
    assert "Renamed in 2019" in html and curator.username not in html and "a curator" in html
    client.force_login(curator)
    assert (
        curator.username
        in client.get(f"/history/partnerships/partner/{partner.pk}/").content.decode()
    )
    assert "+ The Prespa agreement" in html
    assert f"/partners/{partner.iso3.lower()}/?known_at=" in html  # each version as it stood


def test_object_history_shows_related_rows_by_name(client):
    contribution = ContributionFactory()
    other = MissionFactory(name="Operation Sea Guardian")
    contribution.mission = other
    contribution.save()
    response = client.get(f"/history/missions/contribution/{contribution.pk}/")
    change = response.context["versions"][0]["rows"]
    assert {"field": "Mission", "old": str(contribution.history.earliest().mission),
            "new": str(other)} in change  # fmt: skip


def test_object_history_query_count_does_not_grow_with_versions(client):
    def build(versions: int) -> str:
        partner = PartnerFactory()
        for n in range(versions):
            partner.profile = f"Version {n}"
            partner.save()
            partner.sources.add(SourceFactory())
        return f"/history/partnerships/partner/{partner.pk}/"

    few, _ = count_queries(client, build(5))
    many, _ = count_queries(client, build(45))
    # Count, versions, each kept link's history (sources, accession sources), names of
    # sources, the object today, its label.
    assert few == many == 6


@pytest.mark.parametrize(
    "url", ["/history/auth/user/1/", "/history/partnerships/partner/99999/", "/history/x/y/1/"]
)
def test_unknown_histories_are_404(client, url):
    assert client.get(url).status_code == 404


def test_every_object_page_links_to_its_history(client):
    world = build_world(1)
    pages = [
        (world.partners[0], world.partners[0].get_absolute_url()),
        (world.framework, world.framework.get_absolute_url()),
        (world.mission, world.mission.get_absolute_url()),
        (world.source, world.source.get_absolute_url()),
    ]
    for obj, url in pages:
        meta = obj._meta
        history = reverse("object-history", args=[meta.app_label, meta.model_name, obj.pk])
        assert f'href="{history}"' in client.get(url).content.decode(), url
        assert client.get(history).status_code == 200


# -- as known on ------------------------------------------------------------------------------


def test_known_at_shows_a_later_deleted_partner_and_hides_a_later_added_one(client):
    framework = FrameworkFactory(slug="pfp", acronym="PfP")
    doomed = PartnerFactory(iso3="AFG", name="Afghanistan")
    kept = PartnerFactory(iso3="MKD", name="Macedonia")
    from tests.factories import ParticipationFactory

    ParticipationFactory(partner=kept, framework=framework, start=dt.date(1995, 1, 1))
    moment = timezone.now().isoformat()
    doomed.delete()
    kept.name = "North Macedonia"
    kept.save()
    PartnerFactory(iso3="ARM", name="Armenia")

    now = client.get("/partners/")
    assert [p.iso3 for p in now.context["page"]] == ["ARM", "MKD"]
    then = client.get("/partners/", {"known_at": moment})
    html = then.content.decode()
    assert_accessible(html)
    shown = {p.iso3: p for p in then.context["page"]}
    assert sorted(shown) == ["AFG", "MKD"]
    assert shown["MKD"].name == "Macedonia"
    assert [x.framework.acronym for x in shown["MKD"].on_day] == ["PfP"]
    assert "As the knowledge base stood on" in html and "Show what it says today" in html
    # The same filters, over history.
    in_pfp = client.get("/partners/", {"known_at": moment, "framework": "pfp"})
    assert [p.iso3 for p in in_pfp.context["page"]] == ["MKD"]
    # The deleted partner's profile, as it stood.
    profile = client.get("/partners/afg/", {"known_at": moment})
    assert profile.status_code == 200 and "Afghanistan" in profile.content.decode()
    assert client.get("/partners/afg/").status_code == 404
    assert client.get("/partners/arm/", {"known_at": moment}).status_code == 404


def test_known_at_profile_shows_facts_and_sources_as_they_were(client):
    old_source, new_source = SourceFactory(title="Old source"), SourceFactory(title="New one")
    partner = PartnerFactory(iso3="GEO", name="Georgia", sources=[old_source])
    contribution = ContributionFactory(partner=partner)
    FigureFactory(contribution=contribution, personnel=150)
    moment = timezone.now().isoformat()
    partner.sources.set([new_source])
    contribution.delete()
    html = client.get("/partners/geo/", {"known_at": moment}).content.decode()
    assert "Old source" in html and "New one" not in html
    assert contribution.mission.name in html and ">150<" in html
    today = client.get("/partners/geo/").content.decode()
    assert "New one" in today and contribution.mission.name not in today


def test_known_at_csv_answers_from_history(client):
    gone = PartnerFactory(iso3="AFG")
    moment = timezone.now().isoformat()
    gone.delete()
    rows = read_csv(client.get("/partners/", {"known_at": moment, "format": "csv"}))
    assert [row["iso3"] for row in rows] == ["AFG"]


@pytest.mark.parametrize("url", ["/partners/", "/partners/geo/"])
def test_bad_known_at_is_a_form_error(client, url):
    PartnerFactory(iso3="GEO")
    response = client.get(url, {"known_at": "last tuesday"})
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()


def _known_at_list(rows: int) -> str:
    build_world(rows)
    return f"/partners/?known_at={timezone.now().date().isoformat()}"


def _known_at_profile(rows: int) -> str:
    partner = PartnerFactory()
    build_partner_facts(partner, rows)
    return f"/partners/{partner.iso3.lower()}/?known_at={timezone.now().date().isoformat()}"


@pytest.mark.parametrize(
    ("build", "expected"),
    # The list: 11, and a count per facet with values (framework, status, region, mission).
    [(_known_at_list, 11 + 4), (_known_at_profile, 15)],
    ids=["list", "profile"],
)
def test_known_at_query_count_is_pinned_and_does_not_grow(client, build, expected):
    few, _ = count_queries(client, build(5))
    many, _ = count_queries(client, build(45))
    assert (few, many) == (expected, expected)


# -- releases -----------------------------------------------------------------------------


def test_release_pages_show_the_changelog_and_citation(client):
    partner = PartnerFactory(name="Macedonia")
    doomed = SourceFactory(title="A doomed source")
    first = make_release("1.0.0", notes="First release")
    partner.name = "North Macedonia"
    partner.save()
    doomed.delete()
    added = PartnerFactory(name="Armenia")
    second = make_release("1.0.1", notes="Second release")
    assert (
        second.get_absolute_url()
        == reverse("release-detail", args=["1.0.1"])
        == ("/releases/1.0.1/")
    )
    listing = client.get("/releases/").content.decode()
    assert_accessible(listing)
    assert listing.index("1.0.1") < listing.index("1.0.0") and "Second release" in listing
    response = client.get("/releases/1.0.1/")
    html = response.content.decode()
    assert_accessible(html)
    sections = {s["key"]: s for s in response.context["sections"]}
    added_kinds = {k["kind"]: k["entries"] for k in sections["added"]["kinds"]}
    assert [e["label"] for e in added_kinds["partners"]] == ["Armenia"]
    removed = {k["kind"]: k["entries"] for k in sections["removed"]["kinds"]}
    assert [e["label"] for e in removed["sources"]] == [str(doomed)]
    changed = {k["kind"]: k["entries"] for k in sections["changed"]["kinds"]}
    (entry,) = changed["partners"]
    assert {"field": "name", "before": "Macedonia", "after": "North Macedonia"} in entry["fields"]
    assert "Armenia" in html and "A doomed source" in html
    assert f'href="/history/partnerships/partner/{added.pk}/"' in html
    assert second.citation in html.replace("&#x27;", "'")
    assert 'href="/api/v1/releases/1.0.1/"' in html
    assert f'href="{first.get_absolute_url()}"' in html  # changes since 1.0.0
    assert client.get("/releases/9.9.9/").status_code == 404
    about = client.get("/about/").content.decode()
    assert "1.0.1" in about and second.citation in about.replace("&#x27;", "'")
    assert 'href="/releases/"' in about


def test_release_page_names_changed_links(client):
    source, other = SourceFactory(title="First source"), SourceFactory(title="Second source")
    partner = PartnerFactory(sources=[source])
    make_release("1.0.0")
    partner.sources.set([other])
    make_release("1.1.0")
    html = client.get("/releases/1.1.0/").content.decode()
    assert "+ Second source" in html and "− First source" in html


def test_release_query_counts_are_pinned(client):
    build_world(3)
    make_release("1.0.0")
    assert count_queries(client, "/releases/")[0] == 2
    # The release, the previous one, names of changed links (none here).
    assert count_queries(client, "/releases/1.0.0/")[0] == 2


# -- reconciliation -----------------------------------------------------------------------


def plant_disagreement():
    contribution = ContributionFactory()
    press = SourceFactory(title="A press report", kind="press")
    FigureFactory(contribution=contribution, as_of=dt.date(2006, 6, 1), personnel=100)
    FigureFactory(contribution=contribution, as_of=dt.date(2006, 6, 20), personnel=150,
                  source=press)  # fmt: skip
    agreeing = ContributionFactory()
    FigureFactory(contribution=agreeing, as_of=dt.date(2006, 6, 1), personnel=80)
    FigureFactory(contribution=agreeing, as_of=dt.date(2006, 6, 9), personnel=80)
    return contribution, agreeing


def test_reconcile_page_shows_a_planted_disagreement_side_by_side(client):
    contribution, agreeing = plant_disagreement()
    response = client.get("/reconcile/")
    html = response.content.decode()
    assert_accessible(html)
    (found,) = response.context["page"]
    assert (found.partner, found.mission, found.spread) == (
        contribution.partner,
        contribution.mission,
        50,
    )
    assert "A press report" in html and ">150<" in html and ">100<" in html
    assert "33%" in html
    assert f'href="{agreeing.partner.get_absolute_url()}"' not in html
    mine = client.get("/reconcile/", {"partner": contribution.partner.iso3.lower()})
    assert len(mine.context["page"]) == 1
    other = client.get("/reconcile/", {"partner": agreeing.partner.iso3})
    assert len(other.context["page"]) == 0
    bad = client.get("/reconcile/", {"mission": "nope"})
    assert bad.status_code == 200 and "Check the filters" in bad.content.decode()


def test_reconcile_query_count_does_not_grow(client):
    def build(rows):
        with without_history():
            for _ in range(rows):
                plant_disagreement()
        return "/reconcile/"

    few, _ = count_queries(client, build(5))
    many, _ = count_queries(client, build(45))
    # Partners and missions of the filter form; the disagreements counted, the page's
    # clusters, their figures with contributions, partners, missions, sources.
    assert few == many == 8


# -- data quality: curators only ----------------------------------------------------------


def test_quality_page_is_for_staff_only(client, reader, curator):
    SourceFactory(title="Unlinked source", url="")
    assert client.get("/quality/").status_code == 302
    client.force_login(reader)
    assert client.get("/quality/").status_code == 302
    client.force_login(curator)
    response = client.get("/quality/", {"check": "sources-without-url"})
    html = response.content.decode()
    assert_accessible(html)
    counts = {c["key"]: c["count"] for c in response.context["summary"]}
    assert counts["sources-without-url"] == 1
    (item,) = response.context["items"]
    assert item["admin_url"] == reverse("admin:partnerships_source_change", args=[item["obj"].pk])
    assert "Unlinked source" in html
    assert client.get("/quality/", {"check": "nope"}).status_code == 404


def test_quality_query_count_does_not_grow(client, curator):
    client.force_login(curator)

    def build(rows):
        with without_history():
            for _ in range(rows):
                SourceFactory(url="")
        return "/quality/?check=sources-without-url"

    few, _ = count_queries(client, build(5))
    many, _ = count_queries(client, build(45))
    # Session and user, every check counted (twenty), the consistency checks' reads (four),
    # the lowest-tier share (twelve counts), the chosen check's page: the same for any rows.
    assert few == many == 38


def test_admin_index_and_about_link_the_checks(client, curator):
    client.force_login(curator)
    admin = client.get("/admin/").content.decode()
    assert 'href="/quality/"' in admin and 'href="/reconcile/"' in admin
    about = client.get("/about/").content.decode()
    assert 'href="/quality/"' in about and 'href="/reconcile/"' in about
    client.logout()
    about = client.get("/about/").content.decode()
    assert 'href="/reconcile/"' in about and 'href="/quality/"' not in about


def test_the_public_cannot_learn_who_curates_from_the_user_filter(client, curator):
    """Anonymous visitors get the same 400 and explanation for an existing account and a
    missing one: the filter does not tell which accounts exist."""
    answers = []
    for name in (curator.username, "no-such-account"):
        response = client.get("/history/", {"user": name})
        answers.append((response.status_code, response.context["form"].errors["user"]))
    assert answers[0] == answers[1]
    assert answers[0][0] == 400 and "Only curators" in answers[0][1][0]
