"""The search (partnerships/search.py) and its API (partnerships/search_api.py).

Relevance on PostgreSQL (full text, prefixes, trigrams, ranking), the plain fallback on
SQLite, the API's pagination and 400s, and the query counts. A small fixture set built with
the factories; no test reads the curated data.

The API is served here through this module's own URLConf (``urlpatterns`` below): the page
URL names the results link to, the API's namespace, and the search endpoint.
"""

import datetime as dt

import pytest
from django.db import connection
from django.http import HttpResponse
from django.urls import include, path
from rest_framework.test import APIClient

from partnerships import search as engine
from partnerships.api.search import SearchView
from partnerships.search import QueryError, parse_query, search, suggest
from tests.cases import without_history
from tests.factories import (
    CooperationAreaFactory,
    FrameworkFactory,
    MilestoneFactory,
    MissionFactory,
    PartnerFactory,
    SourceFactory,
)


def _page(request, *args, **kwargs):
    return HttpResponse("page")


urlpatterns = [
    path("api/v1/search/", SearchView.as_view(), name="search-api"),
    path("api/v1/", include("partnerships.api.urls")),
    path("partners/", _page, name="partner-list"),
    path("partners/<str:iso3>/", _page, name="partner-detail"),
    path("frameworks/<slug:slug>/", _page, name="framework-detail"),
    path("missions/<slug:slug>/", _page, name="mission-detail"),
    path("sources/<int:pk>/", _page, name="source-detail"),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@pytest.fixture
def on_sqlite():
    if connection.vendor != "sqlite":
        pytest.skip("tests the SQLite fallback")


@pytest.fixture
def kb(db):
    """A small knowledge base with the examples of issue 6."""
    piracy = CooperationAreaFactory(
        slug="counter-piracy",
        name="Counter-piracy",
        description="Operations and cooperation against piracy off the Horn of Africa.",
    )
    terrorism = CooperationAreaFactory(
        slug="counter-terrorism",
        name="Counter-terrorism",
        description="Cooperation against terrorism.",
    )
    cyber = CooperationAreaFactory(
        slug="cyber-defence", name="Cyber defence", description="Protecting networks."
    )
    maritime = CooperationAreaFactory(
        slug="maritime-security", name="Maritime security", description="Freedom of navigation."
    )
    georgia = PartnerFactory(
        iso3="GEO", name="Georgia", region="south-caucasus", profile="South Caucasus state."
    )
    PartnerFactory(
        iso3="MKD",
        name="North Macedonia",
        other_names=["the former Yugoslav Republic of Macedonia", "Macedonia"],
        region="western-balkans",
        profile="Western Balkan state.",
    )
    PartnerFactory(iso3="ARE", name="United Arab Emirates", other_names=["UAE"], region="gulf")
    PartnerFactory(
        iso3="KOR",
        name="Republic of Korea",
        other_names=["South Korea", "Korea"],
        region="asia-pacific",
    )
    PartnerFactory(iso3="ARM", name="Armenia", region="south-caucasus")
    PartnerFactory(iso3="EGY", name="Egypt", region="north-africa", profile="Geography of Egypt.")
    pfp = FrameworkFactory(
        slug="partnership-for-peace",
        acronym="PfP",
        name="Partnership for Peace",
        description="Programme of practical bilateral cooperation.",
    )
    FrameworkFactory(
        slug="mediterranean-dialogue",
        acronym="MD",
        name="Mediterranean Dialogue",
        description="Partnership forum with countries of the Mediterranean region.",
    )
    ici = FrameworkFactory(
        slug="istanbul-cooperation-initiative",
        acronym="ICI",
        name="Istanbul Cooperation Initiative",
        description="Practical security cooperation with the Gulf.",
    )
    ici.cooperation_areas.set([terrorism])
    FrameworkFactory(
        slug="nato-georgia-commission",
        acronym="NGC",
        name="NATO-Georgia Commission",
        description="Forum of the Allies and Georgia.",
    )
    FrameworkFactory(
        slug="euro-atlantic",
        acronym="EAPC",
        name="Euro-Atlantic Partnership Council",
        description="Multilateral forum; cooperation on cyber defence.",
    )
    MissionFactory(
        slug="kfor",
        acronym="KFOR",
        name="Kosovo Force",
        region="western-balkans",
        description="NATO-led peace-support operation in Kosovo.",
    )
    shield = MissionFactory(
        slug="ocean-shield",
        acronym="",
        name="Operation Ocean Shield",
        kind="maritime",
        region="horn-of-africa",
        description="NATO counter-piracy operation in the Gulf of Aden.",
    )
    provider = MissionFactory(
        slug="allied-provider",
        acronym="",
        name="Operation Allied Provider",
        kind="maritime",
        region="horn-of-africa",
        description="Escort of World Food Programme ships off Somalia.",
    )
    protector = MissionFactory(
        slug="allied-protector",
        acronym="",
        name="Operation Allied Protector",
        kind="maritime",
        region="horn-of-africa",
        mandate="UN Security Council resolutions on piracy off Somalia",
        description="Operation off the Horn of Africa.",
    )
    for mission in (shield, provider, protector):
        mission.cooperation_areas.set([piracy, maritime])
    endeavour = MissionFactory(
        slug="active-endeavour",
        acronym="OAE",
        name="Operation Active Endeavour",
        kind="maritime",
        region="mediterranean",
        description="Maritime counter-terrorism operation after 11 September 2001.",
    )
    endeavour.cooperation_areas.set([terrorism, maritime])
    coalition = MissionFactory(
        slug="cyber-coalition-2023",
        acronym="",
        name="Cyber Coalition 2023",
        kind="exercise",
        region="europe",
        description="NATO's flagship exercise.",
    )
    coalition.cooperation_areas.set([cyber])
    MilestoneFactory(
        partner=georgia,
        title="Georgia joins the Partnership for Peace",
        description="Georgia joined the PfP programme on 23 March 1994.",
    )
    SourceFactory(title="Partnership for Peace programme", publisher="NATO")
    return {"pfp": pfp}


def titles(q, kind=None, n=3):
    return [r.title for r in search(q, [kind] if kind else None)[:n]]


def first(q, kind=None):
    result = search(q, [kind] if kind else None)[0]
    return result.kind, result.key


# -- relevance on every database: exact codes, acronyms and names first ----------------------


@pytest.mark.parametrize(
    "q, expected",
    [
        ("PfP", ("framework", "partnership-for-peace")),
        ("pfp", ("framework", "partnership-for-peace")),
        ("GEO", ("partner", "GEO")),
        ("Georgia", ("partner", "GEO")),
        ("ICI", ("framework", "istanbul-cooperation-initiative")),
        ("KFOR", ("mission", "kfor")),
        ("Macedonia", ("partner", "MKD")),
        ("UAE", ("partner", "ARE")),
        ("Korea", ("partner", "KOR")),
        ("AM", ("partner", "ARM")),  # an ISO alpha-2 code that is an English stop word
        ("counter-terrorism", ("cooperation-area", "counter-terrorism")),
    ],
)
def test_exact_codes_acronyms_and_names_come_first(kb, q, expected):
    assert first(q) == expected


def test_a_theme_finds_what_is_tagged_with_it_and_what_describes_it(kb):
    missions = {r.key for r in search("piracy", ["mission"])}
    # Ocean Shield by its description and its tag, Allied Provider by its tag only,
    # Allied Protector by its mandate and tag.
    assert missions == {"ocean-shield", "allied-provider", "allied-protector"}
    assert {r.key for r in search("counter-terrorism", ["mission"])} == {"active-endeavour"}
    assert "cyber-coalition-2023" in {r.key for r in search("cyber", ["mission"])}


def test_kind_narrows_the_search(kb):
    assert {r.kind for r in search("Georgia", ["milestone"])} == {"milestone"}
    assert {r.kind for r in search("Georgia", ["partner", "framework"])} == {
        "partner",
        "framework",
    }


def test_results_link_to_pages_and_api(kb):
    by_kind = {r.kind: r for r in search("Georgia")}
    assert by_kind["partner"].page_url == "/partners/geo/"
    assert by_kind["partner"].api_url == "/api/v1/partners/GEO/"
    milestone = by_kind["milestone"]
    assert milestone.page_url == f"/partners/geo/#milestone-{milestone.key}"
    assert by_kind["framework"].page_url == "/frameworks/nato-georgia-commission/"
    area = search("piracy", ["cooperation-area"])[0]
    assert area.page_url == "/partners/?cooperation_area=counter-piracy"
    source = search("Partnership for Peace programme", ["source"])[0]
    assert source.page_url.startswith("/sources/")


def test_grouped_by_kind_best_group_first(kb):
    groups = search("Georgia").groups(per_kind=1)
    assert groups[0].kind == "partner"
    assert {g.kind for g in groups} >= {"partner", "framework", "milestone"}
    assert all(len(g.results) == 1 for g in groups)


def test_snippets_are_escaped_and_mark_the_match(kb):
    MissionFactory(
        slug="xss", name="Operation Script", description="<script>alert(1)</script> piracy"
    )
    snippet = next(r.snippet for r in search("piracy", ["mission"]) if r.key == "xss")
    assert "<script" not in snippet
    assert "<mark>piracy</mark>" in snippet
    # Whatever the database returns is escaped; only our <mark> tags are HTML.
    assert engine.postgres.marked("a <b>\ue000x\ue001</b>") == "a &lt;b&gt;<mark>x</mark>&lt;/b&gt;"
    assert engine.sqlite.plain_snippet(["<i>piracy</i>"], ["piracy"]) == (
        "&lt;i&gt;<mark>piracy</mark>&lt;/i&gt;"
    )


def test_a_query_is_cleaned_or_refused():
    assert parse_query("  Partnership   for Peace ").text == "Partnership for Peace"
    assert parse_query("counter-terrorism").terms == ("counter", "terrorism")
    assert parse_query('"for peace" -Georgia').operators
    with pytest.raises(QueryError, match="Type something"):
        parse_query("   ")
    with pytest.raises(QueryError, match="no more than 200"):
        parse_query("x" * 201)
    with pytest.raises(QueryError, match="Unknown kind: ship"):
        engine.resolve_kinds(["ship"])


# -- PostgreSQL: stemming, prefixes, typos, websearch syntax, indexes -------------------------


@pytest.mark.parametrize(
    "q, expected",
    [
        ("Mediteranean", ("framework", "mediterranean-dialogue")),  # a typo: trigrams
        ("Medit", ("framework", "mediterranean-dialogue")),  # a prefix
        ("partnerships peace", ("framework", "partnership-for-peace")),  # stemming
        ("Istambul Cooperation", ("framework", "istanbul-cooperation-initiative")),
    ],
)
def test_postgres_finds_prefixes_stems_and_misspellings(kb, on_postgres, q, expected):
    assert first(q) == expected


def test_postgres_piracy_ranks_the_counter_piracy_operations_above_other_missions(kb, on_postgres):
    ranked = [r.key for r in search("piracy", ["mission"])]
    assert set(ranked[:3]) == {"ocean-shield", "allied-provider", "allied-protector"}
    assert first("piracy") == ("cooperation-area", "counter-piracy")


def test_postgres_websearch_syntax(kb, on_postgres):
    milestones = [r.key for r in search('"Partnership for Peace"', ["milestone"])]
    assert len(milestones) == 1
    assert search('"Partnership for Peace" -Georgia', ["milestone"])[:] == []
    either = {r.key for r in search("Kosovo or Gulf", ["mission", "framework"])}
    assert {"kfor", "istanbul-cooperation-initiative"} <= either


def test_postgres_region_label_is_searched(kb, on_postgres):
    assert "active-endeavour" in {r.key for r in search("Mediterranean", ["mission"])}


def test_postgres_suggestions_by_trigram_similarity(kb, on_postgres):
    assert suggest("Mediteranean Dialog")[0] == "Mediterranean Dialogue"
    assert "North Macedonia" in suggest("Macedona")
    assert suggest("zzzzqqqq") == []


def test_postgres_every_way_of_matching_is_served_by_an_index(kb, on_postgres):
    """Each kind's filter uses the GIN / btree indexes of migration 0002 (no table scan)."""
    query = parse_query("Mediteranean")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    for kind in engine.kinds().values():
        table = kind.model._meta.db_table
        rows = kind.model.objects.filter(engine.postgres.pg_filter(kind, query, query.tsquery()))
        plan = rows.order_by().values("pk").explain()
        assert f"Seq Scan on {table}" not in plan, (kind.name, plan)
        assert "_doc" in plan and "_trgm" in plan, (kind.name, plan)


# -- SQLite: the plain fallback -----------------------------------------------------------------


def test_sqlite_every_word_must_occur_in_a_field(kb, on_sqlite):
    assert first("partnership peace", "framework") == ("framework", "partnership-for-peace")
    assert search("partnership zanzibar")[:] == []


def test_sqlite_has_no_typo_tolerance_but_suggests_by_difflib(kb, on_sqlite):
    assert "mediterranean-dialogue" not in {r.key for r in search("Mediteranean")}
    assert suggest("Mediteranean")[0] == "Mediterranean Dialogue"
    assert "North Macedonia" in suggest("Macedona")


def test_sqlite_matches_substrings_and_region_labels(kb, on_sqlite):
    # No stemming: a substring of a word matches ("Medit" in "Mediterranean").
    assert first("Medit") == ("framework", "mediterranean-dialogue")
    assert "active-endeavour" in {r.key for r in search("Mediterranean", ["mission"])}


def test_sqlite_snippet_is_cut_around_the_match(kb, on_sqlite):
    snippet = search("Gulf of Aden")[0].snippet
    assert "<mark>gulf</mark>" in snippet.lower()


# -- query counts -------------------------------------------------------------------------------


def _many(n):
    georgia = PartnerFactory(iso3="GEO", name="Georgia")
    for i in range(n):
        MilestoneFactory(partner=georgia, title=f"Georgia milestone {i}")
        MissionFactory(name=f"Georgia exercise {i}", description="Held in Georgia.")


@pytest.mark.parametrize("n", [5, 50])
def test_query_count_is_constant_in_the_number_of_rows(db, n, django_assert_num_queries):
    with without_history():
        _many(n)
    kinds_count = len(engine.kinds())
    with django_assert_num_queries(kinds_count):  # ranking: one query per kind
        results = search("Georgia")
    with django_assert_num_queries(3):  # a page: one query per kind it shows
        page = results[:100]
    assert len(page) == min(100, 2 * n + 1)
    with django_assert_num_queries(3):
        groups = results.groups(per_kind=10)
    assert [g.total for g in groups] == [1, n, n]


@pytest.mark.parametrize("n", [5, 50])
def test_api_query_count_is_constant(db, n, django_assert_num_queries):
    with without_history():
        _many(n)
    with django_assert_num_queries(len(engine.kinds()) + 3):
        response = APIClient().get("/api/v1/search/", {"q": "Georgia", "page_size": 500})
    assert response.status_code == 200
    assert response.json()["count"] == 2 * n + 1


# -- the API ------------------------------------------------------------------------------------


@pytest.fixture
def api():
    return APIClient()


def test_api_returns_ranked_paginated_results(kb, api):
    body = api.get("/api/v1/search/", {"q": "Georgia", "page_size": 2}).json()
    assert body["count"] >= 3 and body["next"]
    top = body["results"][0]
    assert set(top) == {"kind", "key", "title", "snippet", "rank", "api_url", "page_url"}
    assert (top["kind"], top["key"], top["title"]) == ("partner", "GEO", "Georgia")
    assert top["api_url"] == "http://testserver/api/v1/partners/GEO/"
    assert top["page_url"] == "http://testserver/partners/geo/"
    ranks = [r["rank"] for r in body["results"]]
    assert ranks == sorted(ranks, reverse=True)


def test_api_kind_narrows(kb, api):
    body = api.get("/api/v1/search/", {"q": "Georgia", "kind": "framework"}).json()
    assert [r["key"] for r in body["results"]] == ["nato-georgia-commission"]
    body = api.get("/api/v1/search/?q=Georgia&kind=framework&kind=partner").json()
    assert {r["kind"] for r in body["results"]} == {"framework", "partner"}


@pytest.mark.parametrize(
    "params, field, reason",
    [
        ({}, "q", "Type something"),
        ({"q": ""}, "q", "Type something"),
        ({"q": "   "}, "q", "Type something"),
        ({"q": "x" * 201}, "q", "no more than 200 characters"),
        ({"q": "Georgia", "kind": "ship"}, "kind", "Unknown kind: ship"),
    ],
)
def test_api_refuses_bad_queries_with_the_field_and_reason(db, api, params, field, reason):
    response = api.get("/api/v1/search/", params)
    assert response.status_code == 400
    assert reason in response.json()[field][0]


def test_api_query_of_200_characters_is_accepted(db, api):
    assert api.get("/api/v1/search/", {"q": "x" * 200}).status_code == 200


def test_api_csv_export(kb, api):
    response = api.get("/api/v1/search/", {"q": "Georgia", "format": "csv"})
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == "kind,key,title,rank,api_url,page_url"
    assert lines[1].startswith("partner,GEO,Georgia,")


def test_api_is_read_only(db, api):
    assert api.post("/api/v1/search/?q=x").status_code == 405


def test_schema_with_search_validates():
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    schema = SchemaGenerator(urlconf=__name__).get_schema(request=None, public=True)
    validate_schema(schema)
    operation = schema["paths"]["/api/v1/search/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"q", "kind", "page", "page_size"}
    assert "PaginatedSearchResultList" in str(operation["responses"]["200"])


def test_a_milestone_is_found_by_its_partners_name(kb):
    MilestoneFactory(
        partner=PartnerFactory(iso3="GEO"), date=dt.date(2008, 4, 3), title="Bucharest Summit"
    )
    assert "Georgia: Bucharest Summit" in titles("Georgia", "milestone", n=5)
