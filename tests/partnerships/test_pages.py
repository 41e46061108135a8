"""The core's analysts' pages (home, partners, profile, compare, matrices, map, search,
sources, about): the generic page case of tests/cases.py on each, then each page's own
promises.

Every list and detail page has its query count pinned, and the count is the same with 5
rows as with 50 (the N+1 guard). No test depends on the curated data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import connection
from django.urls import reverse

from frameworks.models import Participation
from partnerships.dates import Precision
from tests.cases import (
    Page,
    PageCases,
    World,
    build_partner_facts,
    build_world,
    count_queries,
    on_world,
    read_csv,
    version_queries,
)
from tests.factories import (
    FrameworkFactory,
    MilestoneFactory,
    MissionFactory,
    ParticipationFactory,
    PartnerFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


# -- the pages, each with its data ------------------------------------------------------------


def _partner_profile(rows: int) -> str:
    partner = PartnerFactory()
    build_partner_facts(partner, rows)
    return f"/partners/{partner.iso3.lower()}/"


def _compare(rows: int) -> str:
    a, b = PartnerFactory(), PartnerFactory()
    build_partner_facts(a, rows)
    build_partner_facts(b, rows)
    return f"/compare/?partners={a.iso3},{b.iso3}"


def _search_world(url: Callable[[World], str]) -> Callable[[int], str]:
    """The page world, plus sources whose title holds the searched word."""

    def build(rows: int) -> str:
        world = build_world(rows)
        for _ in range(rows):
            SourceFactory(title="A nation's white paper")
        return url(world)

    return build


# Ranking every kind: on PostgreSQL one query per kind (seven) and one for the names "Did
# you mean" reads; on SQLite one on its index and one for misspellings (and those names).
SEARCH_RANKING = 7 + 1 if connection.vendor == "postgresql" else 2

PAGES = [
    Page("home", on_world(lambda w: "/"), 9),
    # The list: 8; the filter panel's counts, one query per facet with values (framework,
    # status, region, mission; this world has no cooperation area to count): 4.
    Page("partners", on_world(lambda w: "/partners/"), 8 + 4),
    Page(
        "partners by framework on a day",
        on_world(lambda w: "/partners/?framework=pfp&as_of=2000-01-01&region=europe"),
        10 + 4,  # one more than without as_of: the certain and possible counts
    ),
    # Partner, its sources, participations (+ sources), milestones (+ sources): 6; its
    # contributions one row per mission: totals, the page, the timeline's lanes, then for
    # those shown their periods, roles, figures (sampled in SQL) and sources: 7.
    Page("partner profile", _partner_profile, 14),  # with the accession's own sources
    # Partners, their participations, milestones, the choices: 4; each partner's
    # contributions one row per mission as on the profile, without roles and sources: 5.
    Page("compare", _compare, 4 + 2 * 5),
    Page("framework matrix", on_world(lambda w: "/matrix/frameworks/?as_of=2000-01-01"), 3),
    Page("mission matrix", on_world(lambda w: "/matrix/missions/"), 5),
    Page("map by status", on_world(lambda w: "/map/"), 2),
    Page("map by framework", on_world(lambda w: "/map/?framework=pfp&as_of=2000-01-01"), 6),
    # Ranking (SEARCH_RANKING); then one query per kind shown (sources, the partners'
    # profiles: "a partner nation").
    Page("search", _search_world(lambda w: "/search/?q=nation"), SEARCH_RANKING + 2),
    Page(
        "search one kind",
        _search_world(lambda w: "/search/?q=nation&kind=source"),
        3,  # PostgreSQL: the kind and the names for "Did you mean"; SQLite: its two
    ),
    Page("sources", on_world(lambda w: "/sources/"), 2 + 2),  # + a count per facet (kind, tier)
    Page("source", on_world(lambda w: f"/sources/{w.source.pk}/"), 8),
    # A count per kind of fact (partnerships.kinds: nine kinds), the release, the version.
    Page("about", on_world(lambda w: "/about/"), 10, plus=lambda: version_queries()),
]


@pytest.mark.parametrize("page", PAGES, ids=str)
class TestPage(PageCases):
    """Every case of tests/cases.py.PageCases, for each page above."""


# -- url names the models rely on ---------------------------------------------------------


def test_model_urls_reverse_to_their_pages(client):
    world = build_world(1)
    partner = world.partners[0]
    assert partner.get_absolute_url() == f"/partners/{partner.iso3.lower()}/"
    assert world.framework.get_absolute_url() == "/frameworks/pfp/"
    assert world.mission.get_absolute_url() == "/missions/kfor/"
    assert world.source.get_absolute_url() == reverse("source-detail", args=[world.source.pk])
    for url in (partner, world.framework, world.mission, world.source):
        assert client.get(url.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("url", ["/partners/zzz/", "/partners/GE/", "/sources/9999/"])
def test_unknown_objects_are_404(client, url):
    assert client.get(url).status_code == 404


# -- partners -----------------------------------------------------------------------------


def test_partners_in_a_framework_on_a_day(client):
    framework = FrameworkFactory(slug="md", name="Mediterranean Dialogue", acronym="MD")
    early = PartnerFactory(iso3="JOR", name="Jordan")
    late = PartnerFactory(iso3="ALB", name="Albania")
    ParticipationFactory(partner=early, framework=framework, start=dt.date(1995, 1, 1))
    ParticipationFactory(partner=late, framework=framework, start=dt.date(2005, 1, 1))
    response = client.get("/partners/", {"framework": "md", "as_of": "2000-06-01"})
    names = [p.name for p in response.context["page"]]
    assert names == ["Jordan"]
    heading = '1 partner <span class="results-phrase">in the Mediterranean Dialogue'
    assert heading in response.content.decode() and ", as of 1 June 2000</span>" in (
        response.content.decode()
    )


def test_partner_list_sorts_paginates_and_exports_what_is_shown(client):
    # All partners on one page up to PARTNERS_PER_PAGE (100); pages beyond.
    partners = [PartnerFactory() for _ in range(105)]
    response = client.get("/partners/", {"ordering": "-name"})
    shown = [p.name for p in response.context["page"]]
    assert shown == sorted((p.name for p in partners), reverse=True)[:100]
    assert 'aria-sort="descending"' in response.content.decode()
    second = client.get("/partners/", {"ordering": "-name", "page": 2})
    assert len(second.context["page"]) == 5
    rows = read_csv(client.get("/partners/", {"ordering": "-name", "format": "csv"}))
    assert [row["name"] for row in rows] == sorted((p.name for p in partners), reverse=True)
    region = client.get("/partners/", {"region": "gulf", "format": "csv"})
    assert read_csv(region) == []


def test_bad_as_of_is_a_form_error_not_a_500(client):
    for url in (
        "/partners/?as_of=2000-13-45",
        "/matrix/frameworks/?as_of=yesterday",
        "/matrix/missions/?as_of=1999-02-30",
        "/map/?as_of=soon",
        "/frameworks/?as_of=x",
        "/missions/?as_of=x",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'class="error"' in response.content.decode() or "Check the" in (
            response.content.decode()
        ), url


def test_partner_profile_any_case_with_timeline_citations_and_flag(client):
    source = SourceFactory(title="The founding document")
    partner = PartnerFactory(iso3="GEO", name="Georgia", sources=[source])
    pfp = FrameworkFactory(name="Partnership for Peace", acronym="PfP")
    ParticipationFactory(
        partner=partner, framework=pfp, start=dt.date(1994, 3, 23), sources=[source]
    )
    MilestoneFactory(partner=partner, title="Joins PfP", sources=[SourceFactory()])
    for path in ("/partners/geo/", "/partners/GEO/", "/partners/Geo/"):
        assert client.get(path).status_code == 200
    html = client.get("/partners/geo/").content.decode()
    assert "<svg" in html and 'class="timeline-svg"' in html and "point-milestone" in html
    assert "/static/flags/ge.gif" in html
    # Numbered citations link to the source pages; a source cited twice keeps its number.
    assert f'href="/sources/{source.pk}/"' in html
    assert html.count(">[1]</a>") >= 2 and ">[2]</a>" in html
    assert f'href="/history/partnerships/partner/{partner.pk}/"' in html  # for everyone


def test_curators_see_links_to_history(client, curator):
    partner = PartnerFactory()
    client.force_login(curator)
    html = client.get(partner.get_absolute_url()).content.decode()
    assert f"/admin/partnerships/partner/{partner.pk}/history/" in html


def test_ended_date_unknown_and_unrecorded_start_are_drawn_honestly(client):
    partner = PartnerFactory()
    ParticipationFactory(
        partner=partner,
        status=Participation.Status.ENDED,
        end_unknown=True,
        start=dt.date(1995, 1, 1),
    )
    ParticipationFactory(partner=partner, start=None, start_precision="")
    html = client.get(partner.get_absolute_url()).content.decode()
    assert "is-end-unknown" in html
    assert "not recorded" in html


# -- compare, matrices, map, search, sources, about ---------------------------------------------


def test_compare_two_to_four_partners_on_one_axis(client):
    fin, swe = PartnerFactory(iso3="FIN"), PartnerFactory(iso3="SWE")
    ParticipationFactory(partner=fin)
    ParticipationFactory(partner=swe)
    response = client.get("/compare/?partners=fin,swe")
    assert [p.iso3 for p in response.context["partners"]] == ["FIN", "SWE"]
    assert response.content.decode().count('class="timeline-svg"') == 1
    repeated = client.get("/compare/?partners=swe&partners=fin")
    assert [p.iso3 for p in repeated.context["partners"]] == ["SWE", "FIN"]
    assert "at least two" in client.get("/compare/?partners=fin").content.decode()
    assert (
        "No partner with the code ZZZ" in client.get("/compare/?partners=fin,zzz").content.decode()
    )


def test_framework_matrix_marks_members_on_the_day_and_exports_csv(client):
    world = build_world(3)
    response = client.get("/matrix/frameworks/", {"as_of": "2000-01-01"})
    html = response.content.decode()
    assert html.count('class="member active"') == 3
    rows = read_csv(client.get("/matrix/frameworks/", {"as_of": "2000-01-01", "format": "csv"}))
    assert {row["iso3"] for row in rows} == {p.iso3 for p in world.partners}
    assert all(row["PfP"] == "1995 – ongoing" for row in rows)


def test_framework_matrix_sorts_by_a_column(client):
    framework = FrameworkFactory(slug="md")
    later, earlier = PartnerFactory(name="Aaa"), PartnerFactory(name="Zzz")
    PartnerFactory(name="Mmm")
    ParticipationFactory(partner=later, framework=framework, start=dt.date(2004, 1, 1))
    ParticipationFactory(partner=earlier, framework=framework, start=dt.date(1995, 1, 1))
    rows = client.get("/matrix/frameworks/?sort=md").context["matrix"].rows
    assert [r.name for r in rows] == ["Zzz", "Aaa", "Mmm"]


def test_mission_matrix_gives_the_largest_personnel_recorded(client):
    build_world(2)
    html = client.get("/matrix/missions/").content.decode()
    assert html.count(">150<") == 2
    rows = read_csv(client.get("/matrix/missions/?format=csv"))
    assert all(row["KFOR"] == "troops (largest recorded 150)" for row in rows)


def test_map_links_every_partner_and_colours_by_framework(client):
    world = build_world(2)
    html = client.get("/map/").content.decode()
    for partner in world.partners:
        assert f'href="{partner.get_absolute_url()}"' in html
    by_framework = client.get("/map/?framework=pfp&as_of=1990-01-01")
    assert [key for key, _, rows in by_framework.context["legend"] if rows] == ["earlier"]
    assert "Select a valid choice" in client.get("/map/?framework=nope").content.decode()


def test_search_groups_ranked_results_by_kind(client):
    build_world(1)
    response = client.get("/search/?q=KOSOVO")
    groups = {group.kind: group for group in response.context["groups"]}
    assert [r.key for r in groups["mission"].results] == ["kfor"]
    assert groups["mission"].results[0].page_url == "/missions/kfor/"
    html = response.content.decode()
    assert 'href="/missions/kfor/"' in html
    assert client.get("/search/").status_code == 200


def test_search_shows_more_in_a_kind_and_paginates_it(client):
    for n in range(27):
        SourceFactory(title=f"White paper on piracy {n}")
    response = client.get("/search/", {"q": "piracy"})
    (group,) = response.context["groups"]
    assert (group.kind, group.total, len(group.results)) == ("source", 27, 5)
    assert "kind=source" in response.content.decode()
    first = client.get("/search/", {"q": "piracy", "kind": "source"})
    assert len(first.context["page"]) == 20 and first.context["page"].paginator.num_pages == 2
    second = client.get("/search/", {"q": "piracy", "kind": "source", "page": 2})
    assert len(second.context["page"]) == 7
    assert 'rel="prev"' in second.content.decode()


def test_search_snippets_are_escaped_with_only_marks_added(client):
    PartnerFactory(iso3="SRB", name="Serbia", profile="Kosovo <b>status</b> & talks.")
    html = client.get("/search/", {"q": "kosovo"}).content.decode()
    assert "</mark> &lt;b&gt;status&lt;/b&gt; &amp; talks." in html  # escaped, on both
    assert "<mark>Kosovo</mark>" in html


def test_search_without_results_helps(client):
    build_world(1)
    html = client.get("/search/", {"q": "zzzqqqxx"}).content.decode()
    assert "Nothing found" in html and "?q=PfP" in html
    typo = client.get("/search/", {"q": "Kosovvo Force"})
    found = [r.key for g in typo.context["groups"] for r in g.results]
    # Both databases forgive the typo, and offer the spelling beside the results.
    assert "kfor" in found
    assert typo.context["suggestions"][0] == "Kosovo Force"
    assert "Did you mean" in typo.content.decode()


@pytest.mark.parametrize(
    "query", [{"q": "x" * 201}, {"q": "kosovo", "kind": "nope"}], ids=["overlong", "bad-kind"]
)
def test_bad_search_is_a_form_error_not_a_500(client, query):
    response = client.get("/search/", query)
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()


def test_source_page_lists_every_fact_citing_it(client):
    world = build_world(2)
    response = client.get(world.source.get_absolute_url())
    facts = {title: rows for _, title, rows in response.context["facts"]}
    assert len(facts["Participations"]) == 2
    assert len(facts["Contributions"]) == 2
    assert len(facts["Personnel figures"]) == 2
    assert len(facts["Milestones"]) == 2
    sources = client.get("/sources/").context["page"]
    cited = {s.pk: s.cited_by for s in sources}
    assert cited[world.source.pk] == 8


def test_about_names_the_dataset_version_and_the_date_rule(client):
    build_world(1)
    html = client.get("/about/").content.decode()
    assert "Dataset version" in html and "/api/v1/docs/" in html
    assert "first day of its start" in html


def test_year_precision_is_shown_as_a_year(client):
    partner = PartnerFactory()
    ParticipationFactory(partner=partner, start=dt.date(1995, 1, 1), start_precision=Precision.YEAR)
    html = client.get(partner.get_absolute_url()).content.decode()
    assert "<td>1995</td>" in html
    assert "1 January 1995" not in html


# -- pages stay bounded at any size -----------------------------------------------------------


def build_many_contributions(partner, missions: int, per_mission: int, figures: int) -> list:
    """``partner`` contributing ``per_mission`` times to each of ``missions`` missions (in
    bulk: the factories would take minutes), with ``figures`` figures to the first one."""
    from missions.models import Contribution, ContributionFigure, Role

    source = SourceFactory()
    created = MissionFactory.create_batch(missions, start=dt.date(1995, 1, 1))
    rows = []
    for m, mission in enumerate(created):
        for n in range(per_mission):
            row = Contribution(
                partner=partner,
                mission=mission,
                start=dt.date(1996 + (m + n * 7) % 25, 1 + n % 12, 1),
                start_precision=Precision.MONTH,
                end=dt.date(2021 + n % 3, 6, 30) if (m + n) % 4 else None,
                end_precision=Precision.DAY if (m + n) % 4 else "",
            )
            row.compute_coverage()
            rows.append(row)
    rows = Contribution.objects.bulk_create(rows)
    troops = Role.objects.get(slug="troops")
    Contribution.roles.through.objects.bulk_create(
        Contribution.roles.through(contribution=row, role=troops) for row in rows
    )
    Contribution.sources.through.objects.bulk_create(
        Contribution.sources.through(contribution=row, source=source) for row in rows
    )
    first = rows[0]
    ContributionFigure.objects.bulk_create(
        ContributionFigure(
            contribution=first,
            as_of=dt.date(2000, 1, 1) + dt.timedelta(days=7 * n),
            as_of_precision=Precision.DAY,
            personnel=100 + (n * 37) % 500,
            source=source,
        )
        for n in range(figures)
    )
    return created


def test_profile_and_mission_pages_stay_bounded_at_scale(client):
    """300 contributions to 120 missions, 1,000 figures on one: the pages draw a page of
    rows, the most recent lanes and a sample of figures, in as many queries as for five."""
    from missions.groups import GROUPS_PER_PAGE, MAX_LANES, MAX_POINTS

    partner = PartnerFactory()
    ParticipationFactory(partner=partner)
    MilestoneFactory(partner=partner)
    missions = build_many_contributions(partner, missions=60, per_mission=3, figures=1000)
    build_many_contributions(partner, missions=60, per_mission=2, figures=0)
    url = partner.get_absolute_url()
    queries, response = count_queries(client, url)
    assert queries == 14  # as pinned for five rows above
    html = response.content.decode()
    assert len(response.content) < 1_000_000, len(response.content)
    groups = response.context["groups"]
    assert (groups.groups, groups.contributions) == (120, 300)
    assert len(groups.page) == GROUPS_PER_PAGE and groups.page.paginator.num_pages == 5
    assert len(groups.lanes) == MAX_LANES and response.context["timeline"].more == 90
    wide, narrow = html.split('class="timeline-narrow-svg"')  # the phone's layout: the same
    assert wide.count('class="lane mission"') == narrow.count('class="lane mission"')
    assert wide.count('class="lane mission"') == MAX_LANES
    assert f"all {groups.groups} are in the" in html
    assert 'rel="next"' in html and "contributions_page=2#contributions-title" in html
    assert f"/api/v1/contributions/?partner={partner.iso3}&amp;format=csv" in html
    # The first row holds the 1,000 figures: sampled in SQL, with the latest and the peak.
    (row,) = [g for g in groups.page if g.key == missions[0].pk]
    assert row.figures == 1000 and MAX_POINTS <= len(row.series) <= MAX_POINTS + 2
    assert row.latest.as_of == dt.date(2000, 1, 1) + dt.timedelta(days=7 * 999)
    assert row.largest.personnel == 599
    assert "of 1000 figures charted" in html and "All 1000 figures (CSV)" in html
    assert f"mission={missions[0].slug}" in row.figures_url
    # Another page: the same size, the same queries.
    queries, second = count_queries(client, url + "?contributions_page=5")
    assert queries == 14 and len(second.context["groups"].page) == 120 - 4 * GROUPS_PER_PAGE
    assert len(second.content) < 1_000_000
    # The mission page: one partner, 3 contributions, the figures sampled the same way.
    queries, page = count_queries(client, missions[0].get_absolute_url())
    assert queries == 11 and len(page.content) < 200_000
    assert "3 contributions" in page.content.decode()
    assert "of 1000 figures charted" in page.content.decode()


def test_compare_page_stays_bounded_at_scale(client):
    """A partner with 300 contributions to 120 missions beside a small one: a row per
    mission, at most a page of them, the most recent lanes, in as many queries as for five."""
    from missions.groups import GROUPS_PER_PAGE, MAX_LANES

    big, small = PartnerFactory(), PartnerFactory()
    ParticipationFactory(partner=big)
    MilestoneFactory(partner=big)
    missions = build_many_contributions(big, missions=60, per_mission=3, figures=1000)
    build_many_contributions(big, missions=60, per_mission=2, figures=0)
    build_partner_facts(small, 3)
    url = f"/compare/?partners={big.iso3},{small.iso3}"
    queries, response = count_queries(client, url)
    assert queries == 4 + 2 * 5  # as pinned for five rows above
    html = response.content.decode()
    assert len(response.content) < 1_000_000, len(response.content)
    first, second = response.context["partners"]
    assert (first.groups.groups, first.groups.contributions) == (120, 300)
    assert len(first.groups.page) == GROUPS_PER_PAGE and len(first.groups.lanes) == MAX_LANES
    assert (second.groups.groups, len(second.groups.page), len(second.groups.lanes)) == (3, 3, 3)
    wide, narrow = html.split('class="timeline-narrow-svg"')  # the phone's layout: the same
    assert wide.count('class="lane mission"') == narrow.count('class="lane mission"')
    assert wide.count('class="lane mission"') == MAX_LANES + 3
    assert response.context["timeline"].more == 90 and first.lanes_more == 90
    assert "and 90 more" in html
    assert f"{GROUPS_PER_PAGE} of 120 missions" in html
    assert f"{big.get_absolute_url()}#contributions-title" in html
    assert f"/api/v1/contributions/?partner={big.iso3}&amp;format=csv" in html
    # A mission with three contributions: one row listing their three periods.
    (row,) = [g for g in first.groups.page if g.key == missions[0].pk]
    assert row.contributions == 3 and len(row.listed_spans) == 3
    assert html.count(f'<li><a href="{missions[0].get_absolute_url()}">') == 1
    # Four partners: five queries more each, whatever their size.
    others = PartnerFactory.create_batch(2)
    for other in others:
        build_partner_facts(other, 1)
    codes = ",".join(p.iso3 for p in [big, small, *others])
    queries, _ = count_queries(client, f"/compare/?partners={codes}")
    assert queries == 4 + 4 * 5
