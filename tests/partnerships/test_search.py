"""The search (partnerships/search/) and its API (partnerships/api/search.py).

Every test of relevance runs on both databases and asks the same: PostgreSQL (full text,
prefixes, trigrams) and SQLite (its FTS5 trigram index) must both forgive misspellings,
know old names, search contributions, suggest better spellings and give plain-text snippets
with offsets. Only the PostgreSQL index plans, SQLite's index upkeep and its plain fallback
are backend-specific. A small fixture set built with the factories; no test reads the
curated data.

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
from partnerships.models import Precision
from partnerships.search import QueryError, index, parse_query, search, suggest
from partnerships.search.text import fold
from tests.cases import without_history
from tests.factories import (
    ContributionFactory,
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
    path("contributions/", _page, name="contribution-list"),
    path("search/", _page, name="search"),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@pytest.fixture
def on_sqlite():
    if connection.vendor != "sqlite":
        pytest.skip("tests the SQLite fallback")


@pytest.fixture
def kb(db):
    """A small knowledge base with the examples of issues 6 and 16."""
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
    ukraine = PartnerFactory(
        iso3="UKR", name="Ukraine", region="eastern-europe", profile="Eastern European state."
    )
    MilestoneFactory(
        partner=ukraine,
        title="NATO Information and Documentation Centre opens in Kyiv",
        description="The centre opened in Kyiv in May 1997.",
    )
    sweden = PartnerFactory(iso3="SWE", name="Sweden")
    MilestoneFactory(
        partner=sweden,
        title="Türkiye ratifies Sweden's Accession Protocol",
        description="Türkiye's ratification left Hungary as the last Ally to ratify.",
    )
    PartnerFactory(iso3="MDA", name="Moldova", other_names=["Republic of Moldova"])
    PartnerFactory(iso3="BLR", name="Belarus")
    frigate = ContributionFactory(
        partner=ukraine,
        mission=shield,
        start=dt.date(2013, 10, 10),
        start_precision=Precision.DAY,
        end=dt.date(2014, 1, 1),
        end_precision=Precision.MONTH,
        description="The Ukrainian Navy flagship, the frigate Hetman Sahaidachny, joined "
        "Operation Ocean Shield: the first partner contribution to NATO's counter-piracy effort.",
    )
    frigate.cooperation_areas.set([piracy, maritime])
    return {"pfp": pfp, "frigate": frigate, "ukraine": ukraine, "piracy": piracy}


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


def test_snippets_are_plain_text_with_the_offsets_of_their_matches(kb):
    MissionFactory(
        slug="xss", name="Operation Script", description="<script>alert(1)</script> piracy"
    )
    result = next(r for r in search("piracy", ["mission"]) if r.key == "xss")
    # Plain text: whatever the row holds, as it is (the page escapes it, the API returns it).
    assert result.snippet == "<script>alert(1)</script> piracy"
    assert [result.snippet[a:b] for a, b in result.highlights] == ["piracy"]
    assert result.snippet_parts == [("<script>alert(1)</script> ", False), ("piracy", True)]


@pytest.mark.parametrize(
    "q, words",
    [
        ("piracy", {"piracy"}),
        ("Gulf of Aden", {"gulf", "of", "aden"}),
        ("Kyiv", {"kyiv"}),
        ("Kiev", {"kyiv", "kiev"}),
        ("Georgia", {"georgia"}),
    ],
)
def test_highlight_offsets_cut_the_matched_words_out_of_the_snippet(kb, q, words):
    results = search(q)[:50]
    marked = [r.snippet[a:b].lower() for r in results for a, b in r.highlights]
    assert marked, q
    assert set(marked) <= words
    for r in results:
        assert all(0 <= a < b <= len(r.snippet) for a, b in r.highlights)


def test_accents_are_folded_in_the_offsets_too(kb):
    result = next(r for r in search("Turkiye", ["milestone"]))
    assert {fold(result.snippet[a:b]) for a, b in result.highlights} == {"turkiye"}
    assert "Türkiye" in {result.snippet[a:b] for a, b in result.highlights}


def test_a_long_text_is_cut_around_the_match(kb):
    MissionFactory(slug="long", name="Operation Long", description="word " * 200 + "piracy.")
    result = next(r for r in search("piracy", ["mission"]) if r.key == "long")
    assert result.snippet.startswith("… ")
    assert len(result.snippet) <= 260
    [(a, b)] = result.highlights
    assert result.snippet[a:b] == "piracy"


def test_a_query_is_cleaned_or_refused():
    assert parse_query("  Partnership   for Peace ").text == "Partnership for Peace"
    assert parse_query("counter-terrorism").terms == ("counter", "terrorism")
    assert parse_query("Türkiye").terms == ("turkiye",)
    assert parse_query('"for peace" -Georgia').operators
    with pytest.raises(QueryError, match="Type something"):
        parse_query("   ")
    with pytest.raises(QueryError, match="no more than 200"):
        parse_query("x" * 201)
    with pytest.raises(QueryError, match="Unknown kind: ship"):
        engine.resolve_kinds(["ship"])


# -- forgiving on both databases: prefixes, stems, misspellings, old names, accents ----------


@pytest.mark.parametrize(
    "q, expected",
    [
        ("Mediteranean", ("framework", "mediterranean-dialogue")),  # a typo: trigrams
        ("mediteranean dialog", ("framework", "mediterranean-dialogue")),
        ("Medit", ("framework", "mediterranean-dialogue")),  # a prefix
        ("partnerships peace", ("framework", "partnership-for-peace")),  # another form
        ("Istambul Cooperation", ("framework", "istanbul-cooperation-initiative")),
        ("Kosovvo Force", ("mission", "kfor")),
        ("FYROM", ("partner", "MKD")),  # old names
        ("former Yugoslav Republic of Macedonia", ("partner", "MKD")),
        ("Moldavia", ("partner", "MDA")),
        ("Byelorussia", ("partner", "BLR")),
    ],
)
def test_misspellings_prefixes_and_old_names_are_forgiven(kb, q, expected):
    assert first(q) == expected


@pytest.mark.parametrize("q", ["Kiev", "Kyiv", "kyiv"])
def test_kyiv_and_kiev_find_the_same(kb, q):
    assert titles(q, "milestone") == [
        "Ukraine: NATO Information and Documentation Centre opens in Kyiv"
    ]


@pytest.mark.parametrize("q", ["Turkey", "Turkiye", "Türkiye", "TÜRKIYE ratifies"])
def test_turkey_turkiye_and_turkiye_without_accent_find_the_same(kb, q):
    assert titles(q, "milestone") == ["Sweden: Türkiye ratifies Sweden's Accession Protocol"]


def test_names_come_before_descriptions_and_exact_before_fuzzy(kb):
    MissionFactory(
        slug="dialogue-support", name="Dialogue Support", description="Mediterranean Dialogue help."
    )
    ranked = [r.key for r in search("Mediterranean Dialogue", ["framework", "mission"])]
    assert ranked[0] == "mediterranean-dialogue"  # exact name, before a description match
    assert ranked.index("mediterranean-dialogue") < ranked.index("dialogue-support")
    # A misspelling ranks below the exact names it resembles.
    FrameworkFactory(slug="mediterranian-forum", acronym="", name="Mediterranian Forum")
    ranked = [r.key for r in search("Mediterranean", ["framework"])]
    assert ranked.index("mediterranean-dialogue") < ranked.index("mediterranian-forum")


def test_piracy_ranks_the_counter_piracy_operations_above_other_missions(kb):
    ranked = [r.key for r in search("piracy", ["mission"])]
    assert set(ranked[:3]) == {"ocean-shield", "allied-provider", "allied-protector"}
    assert first("piracy") == ("cooperation-area", "counter-piracy")


def test_websearch_syntax(kb):
    milestones = [r.key for r in search('"Partnership for Peace"', ["milestone"])]
    assert len(milestones) == 1
    assert search('"Partnership for Peace" -Georgia', ["milestone"])[:] == []
    either = {r.key for r in search("Kosovo or Gulf", ["mission", "framework"])}
    assert {"kfor", "istanbul-cooperation-initiative"} <= either


def test_every_word_must_occur(kb):
    assert first("partnership peace", "framework") == ("framework", "partnership-for-peace")
    assert search("partnership zanzibar")[:] == []


def test_region_label_is_searched(kb):
    assert "active-endeavour" in {r.key for r in search("Mediterranean", ["mission"])}


# -- contributions --------------------------------------------------------------------------


def test_a_contribution_is_found_by_its_text_and_its_tags(kb):
    found = search("piracy", ["contribution"])
    assert [r.key for r in found] == [str(kb["frigate"].pk)]
    result = found[0]
    assert result.title == "Ukraine to Operation Ocean Shield (10 October 2013 – January 2014)"
    assert result.page_url == "/contributions/?partner=UKR&mission=ocean-shield"
    assert result.api_url == f"/api/v1/contributions/{kb['frigate'].pk}/"
    assert [r.key for r in search("frigate", ["contribution"])] == [str(kb["frigate"].pk)]
    assert "piracy" in {result.snippet[a:b] for a, b in result.highlights}


@pytest.mark.parametrize("q", ["Ukraine Ocean Shield", "Ukraine frigate", "Ocean Shield"])
def test_a_contribution_is_found_by_its_partners_and_missions_names(kb, q):
    assert str(kb["frigate"].pk) in {r.key for r in search(q, ["contribution"])}


def test_contributions_rank_below_the_missions_they_are_to(kb):
    ranked = [r.kind for r in search("Ocean Shield")]
    assert ranked.index("mission") < ranked.index("contribution")


# -- "Did you mean" ---------------------------------------------------------------------------


def test_did_you_mean_a_better_spelling_even_when_results_are_found(kb):
    results = search("Mediteranean")
    assert len(results)  # the misspelling finds the Dialogue...
    assert results.suggestions[0] == "Mediterranean"  # ...and the spelling is offered
    assert search("Istambul Cooperation").suggestions[0] == "Istanbul Cooperation"


@pytest.mark.parametrize(
    "q, current", [("Kiev", "Kyiv"), ("FYROM", "North Macedonia"), ("Turkey", "Türkiye")]
)
def test_did_you_mean_the_current_name(kb, q, current):
    assert search(q).suggestions[0] == current


@pytest.mark.parametrize("q", ["Georgia", "Mediterranean", "piracy", "frigate", "Georgian"])
def test_no_suggestion_for_a_well_spelt_query(kb, q):
    assert search(q).suggestions == []


def test_suggestions_when_nothing_is_found(kb):
    assert len(search("Dialogue zzzzqqqq")) == 0
    assert suggest("Dialogue zzzzqqqq") == ["Mediterranean Dialogue"]
    assert suggest("zzzzqqqq") == []


def test_a_misspelt_name_is_found_and_spelt(kb):
    assert first("Macedona") == ("partner", "MKD")
    assert suggest("Macedona")[0] == "Macedonia"


# -- PostgreSQL: every way of matching is served by an index ---------------------------------


def test_postgres_every_way_of_matching_is_served_by_an_index(kb, on_postgres):
    """Each kind's filter uses the GIN / btree indexes of migrations 0002 and 0007."""
    query = parse_query("Mediteranean")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    for kind in engine.kinds().values():
        table = kind.model._meta.db_table
        rows = kind.model.objects.filter(engine.postgres.pg_filter(kind, query, query.tsquery()))
        plan = rows.order_by().values("pk").explain()
        assert f"Seq Scan on {table}" not in plan, (kind.name, plan)
        assert "_doc" in plan, (kind.name, plan)
        if any(f.trigram for f in kind.fields):
            assert "_trgm" in plan, (kind.name, plan)


# -- SQLite: the index follows the tables; the plain fallback ---------------------------------


def test_the_index_follows_saves_renames_tags_and_deletes(kb):
    frigate, ukraine = kb["frigate"], kb["ukraine"]
    ukraine.name = "Ukrayina"
    ukraine.save()  # its milestones and contributions are found by the new name
    assert str(frigate.pk) in {r.key for r in search("Ukrayina", ["contribution"])}
    assert search("Ukrayina", ["milestone"])[:]
    area = CooperationAreaFactory(slug="escort", name="Convoy escorting")
    frigate.cooperation_areas.add(area)
    assert str(frigate.pk) in {r.key for r in search("escorting", ["contribution"])}
    area.name = "Shipping protection"
    area.save()
    assert str(frigate.pk) in {r.key for r in search("shipping", ["contribution"])}
    area.contributions.clear()
    assert search("shipping", ["contribution"])[:] == []
    frigate.delete()
    assert search("piracy", ["contribution"])[:] == []


def test_a_bulk_load_updates_the_index_once_at_its_end(kb, on_sqlite):
    with index.deferred():
        MissionFactory(slug="late", name="Operation Latecomer")
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM {index.TABLE} WHERE {index.TABLE} MATCH ?", ['"latecomer"']
            )
            assert cursor.fetchone()[0] == 0
    assert first("Latecomer") == ("mission", "late")


def test_without_the_trigram_index_the_plain_fallback_answers(kb, on_sqlite, monkeypatch):
    monkeypatch.setattr(index, "supported", lambda using="default": False)
    assert first("Medit") == ("framework", "mediterranean-dialogue")
    assert first("FYROM") == ("partner", "MKD")  # old names through the exact match
    assert "mediterranean-dialogue" not in {r.key for r in search("Mediteranean")}
    assert search("Mediteranean").suggestions[0] == "Mediterranean"


# -- query counts -------------------------------------------------------------------------------


def _many(n):
    georgia = PartnerFactory(iso3="GEO", name="Georgia")
    for i in range(n):
        MilestoneFactory(partner=georgia, title=f"Georgia milestone {i}")
        MissionFactory(name=f"Georgia exercise {i}", description="Held in Georgia.")


def ranking_queries() -> int:
    """Queries to rank a search: one per kind and one for the names "Did you mean" reads on
    PostgreSQL; on SQLite one for the index match and one for misspellings (and names)."""
    return len(engine.kinds()) + 1 if connection.vendor == "postgresql" else 2


@pytest.mark.parametrize("n", [5, 50])
def test_query_count_is_constant_in_the_number_of_rows(db, n, django_assert_num_queries):
    with without_history():
        _many(n)
    with django_assert_num_queries(ranking_queries()):
        results = search("Georgia")
    with django_assert_num_queries(3):  # a page: one query per kind it shows
        page = results[:100]
    assert len(page) == min(100, 2 * n + 1)
    with django_assert_num_queries(3):
        groups = results.groups(per_kind=10)
    assert [g.total for g in groups] == [1, n, n]
    with django_assert_num_queries(0):  # "Did you mean" reads the names already fetched
        assert results.suggestions == []


@pytest.mark.parametrize("n", [5, 50])
def test_api_query_count_is_constant(db, n, django_assert_num_queries):
    with without_history():
        _many(n)
    # Ranking, the answer's three, and the serving layer's data stamp.
    with django_assert_num_queries(ranking_queries() + 3 + 1):
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
    assert set(top) == {
        "kind",
        "key",
        "title",
        "snippet",
        "highlights",
        "rank",
        "api_url",
        "page_url",
    }
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


def test_api_snippets_are_plain_text_with_offsets_not_html(kb, api):
    MissionFactory(
        slug="quoted",
        name="Operation Quote",
        description="NATO's <b>escort</b> & piracy patrols.",
    )
    response = api.get("/api/v1/search/", {"q": "piracy", "kind": "mission"})
    raw = response.content.decode()
    assert "<mark>" not in raw and "&#x27;" not in raw and "&amp;" not in raw
    hit = next(r for r in response.json()["results"] if r["key"] == "quoted")
    assert hit["snippet"] == "NATO's <b>escort</b> & piracy patrols."
    assert hit["highlights"] == [[23, 29]]
    assert hit["snippet"][23:29] == "piracy"


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
    result = schema["components"]["schemas"]["SearchResult"]
    assert result["properties"]["snippet"]["type"] == "string"
    highlights = result["properties"]["highlights"]
    assert highlights["type"] == "array"
    assert highlights["items"] == {
        "type": "array",
        "items": {"type": "integer", "minimum": 0},
        "minItems": 2,
        "maxItems": 2,
    }
    assert "highlights" in result["required"]


def test_a_milestone_is_found_by_its_partners_name(kb):
    MilestoneFactory(
        partner=PartnerFactory(iso3="GEO"), date=dt.date(2008, 4, 3), title="Bucharest Summit"
    )
    assert "Georgia: Bucharest Summit" in titles("Georgia", "milestone", n=5)
