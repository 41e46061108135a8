"""Small page defects, each pinned: the favicon, distinct labels side by side, an "as known
on" moment before the data, the About citation, the date help, the API pages' policy."""

import datetime as dt
import re
from html import unescape
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.test import Client

from partnerships.api.browsable import DRF_BUTTON_STYLE, style_hash
from partnerships.labels import short_labels
from tests.cases import read_csv
from tests.factories import (
    ContributionFactory,
    FrameworkFactory,
    MissionFactory,
    ParticipationFactory,
    PartnerFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def client():
    return Client()


@pytest.fixture
def ukraine():
    """Two frameworks that share an acronym, as the NATO-Ukraine Commission and Council do."""
    ukraine = PartnerFactory(iso3="UKR", name="Ukraine")
    commission = FrameworkFactory(
        slug="nato-ukraine-commission",
        name="NATO-Ukraine Commission",
        acronym="NUC",
        start=dt.date(1997, 7, 9),
    )
    council = FrameworkFactory(
        slug="nato-ukraine-council",
        name="NATO-Ukraine Council",
        acronym="NUC",
        start=dt.date(2023, 7, 12),
    )
    ParticipationFactory(partner=ukraine, framework=commission, start=dt.date(1997, 7, 9))
    ParticipationFactory(partner=ukraine, framework=council, start=dt.date(2023, 7, 12))
    return ukraine


def text_of(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def test_favicon_ico_is_served_at_the_root(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    body = b"".join(response.streaming_content)
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO header, not an HTML error page


def test_short_labels_tell_shared_acronyms_apart():
    def item(pk, acronym, name, start):
        return SimpleNamespace(pk=pk, acronym=acronym, name=name, start=start)

    labels = short_labels(
        [
            item(1, "NUC", "NATO-Ukraine Commission", dt.date(1997, 7, 9)),
            item(2, "NUC", "NATO-Ukraine Council", dt.date(2023, 7, 12)),
            item(3, "PfP", "Partnership for Peace", dt.date(1994, 1, 10)),
            item(4, "", "Operation Allied Provider", dt.date(2008, 10, 24)),
            item(5, "X", "Same year one", dt.date(2001, 1, 1)),
            item(6, "X", "Same year two", dt.date(2001, 5, 1)),
        ]
    )
    assert labels == {
        1: "NUC 1997",
        2: "NUC 2023",
        3: "PfP",
        4: "Operation Allied Provider",
        5: "Same year one",
        6: "Same year two",
    }


def test_profile_timeline_names_each_nuc_distinctly(client, ukraine):
    html = client.get("/partners/UKR/").content.decode()
    lanes = re.findall(r'class="lane-label"[^>]*>([^<]+)<', html)
    assert "NUC 1997" in lanes and "NUC 2023" in lanes
    assert "NUC" not in lanes


def test_framework_matrix_headers_and_csv_columns_are_distinct(client, ukraine):
    html = client.get("/matrix/frameworks/").content.decode()
    headers = re.findall(r'<abbr class="col-label[^"]*" title="([^"]+)">([^<]+)</abbr>', html)
    assert ("NATO-Ukraine Commission", "NUC 1997") in headers
    assert ("NATO-Ukraine Council", "NUC 2023") in headers
    header = read_csv(client.get("/matrix/frameworks/?format=csv"))[0].keys()
    assert "NUC 1997" in header and "NUC 2023" in header


def test_mission_matrix_headers_are_not_truncated_alike(client):
    partner = PartnerFactory(iso3="SWE", name="Sweden")
    for slug, name in (
        ("allied-provider", "Operation Allied Provider"),
        ("allied-protector", "Operation Allied Protector"),
    ):
        ContributionFactory(
            partner=partner, mission=MissionFactory(slug=slug, name=name, acronym="")
        )
    html = client.get("/matrix/missions/").content.decode()
    labels = re.findall(r'<abbr class="col-label[^"]*" title="[^"]+">([^<]+)</abbr>', html)
    assert "Operation Allied Provider" in labels and "Operation Allied Protector" in labels
    assert len(labels) == len(set(labels))


def test_known_at_before_the_partner_was_recorded_explains_itself(client, ukraine):
    response = client.get("/partners/UKR/?known_at=2000-01-01")
    assert response.status_code == 404
    html = response.content.decode()
    assert "was not yet in the knowledge base on 1 January 2000" in html
    assert "first recorded Ukraine on" in text_of(html)
    link = re.search(r'href="(/partners/UKR/\?known_at=[^"]+)"', html).group(1)
    then = client.get(unescape(link))
    assert then.status_code == 200  # the link lands on the profile as first recorded
    assert "As the knowledge base stood on" in then.content.decode()


def test_known_at_for_a_partner_never_recorded_is_the_plain_404(client):
    response = client.get("/partners/XKX/?known_at=2000-01-01")
    assert response.status_code == 404
    assert "was not yet in the knowledge base" not in response.content.decode()


def test_about_citation_names_the_last_change_once(client, ukraine):
    html = client.get("/about/").content.decode()
    citation = re.search(r'<p class="citation">(.*?)</p>', html, re.S).group(1)
    assert citation.count("last change") == 1


def test_date_controls_help_does_not_prescribe_a_typed_format(client, ukraine):
    """A type=date control shows the browser's own format (mm/dd/yyyy in en-US): its help
    must not tell the reader to type YYYY-MM-DD."""
    for url in ("/map/", "/partners/", "/partners/UKR/", "/history/"):
        html = client.get(url).content.decode()
        pattern = r'<input[^>]*type="date"[^>]*aria-describedby="([^"]+)"'
        for described in re.findall(pattern, html):
            found = re.search(rf'id="{described}"[^>]*>(.*?)</', html, re.S)
            assert found, (url, f"aria-describedby={described} names no element")
            assert "YYYY" not in found.group(1), (url, found.group(1))


def test_history_link_and_its_words_sit_together(client, ukraine):
    """The provenance bar spreads its children apart; the link and "to this ..." must be one
    child (a paragraph), not two."""
    mission = MissionFactory()
    framework = FrameworkFactory()
    for url in (mission.get_absolute_url(), framework.get_absolute_url()):
        html = client.get(url).content.decode()
        assert re.search(r'<div class="provenance-bar"><p><a [^>]+>History of changes</a> to', html)


def test_browsable_api_has_no_inline_style_block_and_admits_only_drf_button_style(client):
    response = client.get("/api/v1/partners/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<style" not in html
    policy = response["Content-Security-Policy"]
    assert "style-src 'self'" in policy and "unsafe-inline" not in policy
    attr = re.search(r"style-src-attr ([^;]+)", policy).group(1).split()
    assert attr == ["'unsafe-hashes'", style_hash(DRF_BUTTON_STYLE)]
    # every inline style attribute on the page is the one the hash admits
    assert set(re.findall(r'style="([^"]*)"', html)) <= {DRF_BUTTON_STYLE}


def test_redoc_loads_the_local_logo_guard_before_redoc(client):
    html = client.get("/api/v1/redoc/").content.decode()
    guard = html.index("docs/redoc-local.js")
    assert guard < html.index("redoc.standalone.js")
    assert "cdn." not in html and "fonts.googleapis" not in html
