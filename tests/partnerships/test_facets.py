"""The lists' filter panel: counts beside values (with the other filters kept), active
filters as removable chips named in the heading, URLs without empty parameters, the
shared panel on every list, and all partners on one page."""

import datetime as dt
import re

import pytest

from partnerships.models import Precision, Region, Source
from tests.factories import (
    ISO3_CODES,
    ContributionFactory,
    FrameworkFactory,
    MissionFactory,
    ParticipationFactory,
    PartnerFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


def counts(html: str, name: str) -> dict[str, int]:
    """The facet counts of one field of the panel: {value: count}."""
    found = re.findall(
        rf'<input type="checkbox" name="{name}" value="([^"]+)"[^>]*>\s*<span>[^<]*</span>'
        r' <span class="facet-count"[^>]*>(\d+)</span>',
        html,
    )
    return {value: int(n) for value, n in found}


def ticked_order(html: str, name: str) -> list[str]:
    return re.findall(rf'<input type="checkbox" name="{name}" value="([^"]+)"', html)


@pytest.fixture
def partners():
    """PfP: four partners (two joined in 1994, two in 2000); MD: two, one also in PfP;
    five in Europe, one in North Africa; one KFOR contributor."""
    pfp = FrameworkFactory(
        slug="partnership-for-peace", name="Partnership for Peace", acronym="PfP"
    )
    md = FrameworkFactory(
        slug="mediterranean-dialogue", name="Mediterranean Dialogue", acronym="MD"
    )
    codes = ["AUT", "FIN", "SWE", "CHE", "MLT", "EGY"]
    rows = {code: PartnerFactory(iso3=code) for code in codes}
    rows["EGY"].region = Region.NORTH_AFRICA
    rows["EGY"].save()
    for code, year in (("AUT", 1995), ("FIN", 1994), ("SWE", 1994), ("CHE", 1996)):
        ParticipationFactory(
            partner=rows[code],
            framework=pfp,
            start=dt.date(year, 1, 1),
            start_precision=Precision.YEAR,
        )
    for code in ("MLT", "EGY"):
        ParticipationFactory(partner=rows[code], framework=md, start=dt.date(1995, 1, 1))
    ParticipationFactory(partner=rows["AUT"], framework=md, start=dt.date(2000, 1, 1))
    ContributionFactory(partner=rows["FIN"], mission=MissionFactory(slug="kfor", name="KFOR"))
    return rows


def test_counts_beside_values_keep_the_other_filters(client, partners):
    html = client.get("/partners/").content.decode()
    assert counts(html, "framework") == {"partnership-for-peace": 4, "mediterranean-dialogue": 3}
    assert counts(html, "region")["europe"] == 5 and counts(html, "region")["north-africa"] == 1
    assert counts(html, "mission") == {"kfor": 1}
    # With a region chosen, each framework counts the partners of that region only; the
    # region's own counts stay those of the other filters (none).
    html = client.get("/partners/?region=north-africa").content.decode()
    assert counts(html, "framework") == {"partnership-for-peace": 0, "mediterranean-dialogue": 1}
    assert counts(html, "region")["europe"] == 5
    # With a framework chosen, the regions count within it.
    html = client.get("/partners/?framework=mediterranean-dialogue").content.decode()
    assert counts(html, "region")["north-africa"] == 1 and counts(html, "region")["europe"] == 2


def test_counts_with_as_of_are_what_the_list_gives(client, partners):
    html = client.get("/partners/?as_of=1994").content.decode()
    framework_counts = counts(html, "framework")
    for slug, n in framework_counts.items():
        listed = client.get(f"/partners/?as_of=1994&framework={slug}").context["page"]
        assert listed.paginator.count == n
    assert framework_counts["partnership-for-peace"] == 2


@pytest.mark.parametrize("n", [6, 40])
def test_query_count_does_not_grow_with_rows_or_values(
    client, partners, n, django_assert_num_queries
):
    for code in [c for c in ISO3_CODES if c not in partners][: n - 6]:
        ParticipationFactory(partner=PartnerFactory(iso3=code), framework=FrameworkFactory())
    # The same count for 6 partners in 2 frameworks as for 40 in 36: the list's 8 (the
    # framework's slug read once), one query per facet (framework, status, region,
    # mission, cooperation area), whatever the number of values.
    with django_assert_num_queries(13 + 1):  # and the serving layer's data stamp
        response = client.get("/partners/?framework=partnership-for-peace&region=europe")
    assert response.status_code == 200
    with django_assert_num_queries(14 + 1):  # and the data stamp
        client.get("/partners/?framework=partnership-for-peace&as_of=1995")


def test_chips_remove_one_filter_each_and_the_heading_names_them(client, partners):
    response = client.get("/partners/?framework=partnership-for-peace&as_of=1995&region=europe")
    html = response.content.decode()
    heading = re.search(r'<h2 id="results-title">(.*?)</h2>', html, re.S).group(1)
    assert "3 partners" in heading
    assert "in the Partnership for Peace (PfP)" in heading and "as of 1995" in heading
    assert "in Europe" in heading
    chips = dict(
        re.findall(
            r'<a class="filter-chip" href="([^"]+)"[^>]*>'
            r'<span class="filter-chip-name">([^<]+)</span>',
            html,
        )
    )
    by_label = {label: url for url, label in chips.items()}
    assert by_label["Framework:"] == "/partners/?as_of=1995&amp;region=europe"
    assert by_label["As of:"] == "/partners/?framework=partnership-for-peace&amp;region=europe"
    assert by_label["Region:"] == "/partners/?framework=partnership-for-peace&amp;as_of=1995"
    # A repeated parameter gives a chip per value; removing one keeps the other.
    html = client.get(
        "/partners/?framework=partnership-for-peace&framework=mediterranean-dialogue"
    ).content.decode()
    assert 'href="/partners/?framework=mediterranean-dialogue"' in html
    assert 'href="/partners/?framework=partnership-for-peace"' in html
    assert "Partnership for Peace (PfP) or Mediterranean Dialogue (MD)" in html


def test_ticked_values_are_listed_first(client, partners):
    html = client.get("/partners/?framework=partnership-for-peace").content.decode()
    assert ticked_order(html, "framework")[0] == "partnership-for-peace"
    assert 'class="checks checks-scroll checks-ticked"' in html
    html = client.get("/partners/?mission=KFOR".lower()).content.decode()
    assert ticked_order(html, "mission")[0] == "kfor"


def test_empty_parameters_are_dropped(client, partners):
    response = client.get("/partners/?q=&known_at=&framework=partnership-for-peace&as_of=")
    assert response.status_code == 302
    assert response["Location"] == "/partners/?framework=partnership-for-peace"
    assert client.get("/partners/?q=&known_at=")["Location"] == "/partners/"
    for path in ("/missions/?q=", "/missions/contributions/?year=", "/sources/?kind=&q="):
        response = client.get(path)
        assert response.status_code == 302 and "=" not in response["Location"]
    # No link of a page carries an empty parameter; the form drops empty fields with JS.
    html = client.get("/partners/?framework=partnership-for-peace&ordering=name").content.decode()
    assert not re.search(r'href="[^"]*=(&amp;|")', html)
    assert "data-drop-empty" in html


def test_all_partners_on_one_page_and_paging_beyond_a_hundred(client):
    for code in ISO3_CODES[:60]:
        PartnerFactory(iso3=code)
    response = client.get("/partners/")
    assert len(response.context["page"].object_list) == 60
    assert 'class="pagination"' not in response.content.decode()
    for code in ISO3_CODES[60:130]:
        PartnerFactory(iso3=code)
    response = client.get("/partners/")
    assert len(response.context["page"].object_list) == 100
    assert "Page 1 of 2" in response.content.decode()


@pytest.mark.parametrize(
    "path", ["/partners/", "/missions/", "/missions/contributions/", "/sources/"]
)
def test_every_list_has_the_one_collapsible_panel(client, path):
    html = client.get(path).content.decode()
    assert html.count('<details class="filters-toggle" open data-filters>') == 1
    assert '<summary><span class="filters-title">Filters</span>' in html
    assert "/static/css/filters.css" in html


def test_missions_contributions_and_sources_count_their_facets(client, partners):
    kfor = MissionFactory(slug="kfor-2", name="KFOR 2", kind="peace-support")
    MissionFactory(slug="other", name="Other", kind="maritime")
    ContributionFactory(mission=kfor, partner=partners["AUT"])
    ContributionFactory(mission=kfor, partner=partners["SWE"])
    html = client.get("/missions/").content.decode()
    assert counts(html, "kind")["maritime"] == 1
    html = client.get("/missions/contributions/").content.decode()
    assert counts(html, "mission")["kfor-2"] == 2
    html = client.get("/missions/contributions/?partner=AUT").content.decode()
    assert counts(html, "mission")["kfor-2"] == 1 and counts(html, "mission")["kfor"] == 0
    SourceFactory(tier=Source.Tier.PRESS)
    html = client.get("/sources/?tier=press").content.decode()
    assert counts(html, "tier")["press"] == Source.objects.filter(tier="press").count()
    assert "of tier press" in html
