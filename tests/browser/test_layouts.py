"""Every kind of page at a phone's 390 x 844 and a desktop's 1400 x 1000: no sideways page
scroll, no console error; dark mode and print. Screenshots are kept as test artefacts in
``$BROWSER_ARTIFACTS`` (default ``tests/browser/artifacts/``, not versioned), named
``<page>-<width>.png``."""

import datetime as dt
import os
from pathlib import Path

import pytest

from partnerships.dates import Precision
from tests.factories import (
    ContributionFactory,
    FrameworkFactory,
    MilestoneFactory,
    MissionFactory,
    ParticipationFactory,
    PartnerFactory,
    SourceFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(os.environ.get("BROWSER_ARTIFACTS", Path(__file__).parent / "artifacts"))
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 1000}

FRAMEWORKS = [
    ("north-atlantic-cooperation-council", "North Atlantic Cooperation Council", "NACC", 1991),
    ("partnership-for-peace", "Partnership for Peace", "PfP", 1994),
    ("euro-atlantic-partnership-council", "Euro-Atlantic Partnership Council", "EAPC", 1997),
    ("nato-ukraine-commission", "NATO-Ukraine Commission", "NUC", 1997),
    ("intensified-dialogue", "Intensified Dialogue", "ID", 2005),
    ("individual-partnership-action-plan", "Individual Partnership Action Plan", "IPAP", 2002),
    (
        "partnership-interoperability-initiative",
        "Partnership Interoperability Initiative",
        "PII",
        2014,
    ),
    ("enhanced-opportunities-partners", "Enhanced Opportunities Partners", "EOP", 2014),
    ("nato-ukraine-council", "NATO-Ukraine Council", "NUC", 2023),
]
MISSIONS = [
    ("ifor", "Implementation Force (Operation Joint Endeavour)", "IFOR", 1995),
    ("kfor", "Kosovo Force", "KFOR", 1999),
    ("isaf", "International Security Assistance Force", "ISAF", 2001),
    ("allied-provider", "Operation Allied Provider", "", 2008),
    ("allied-protector", "Operation Allied Protector", "", 2009),
    ("cooperative-longbow-lancer-2009", "Cooperative Longbow / Cooperative Lancer 2009", "", 2009),
    ("ocean-shield", "Operation Ocean Shield", "", 2009),
    ("cyber-coalition-2013", "Cyber Coalition 2013", "", 2013),
    ("resolute-support", "Resolute Support Mission", "RSM", 2015),
    ("cyber-coalition-2019", "Cyber Coalition 2019", "", 2019),
]


@pytest.fixture
def knowledge():
    """Long names, many columns, a long source address: what makes pages wide."""
    source = SourceFactory(
        title="Charter on a Distinctive Partnership between the North Atlantic Treaty "
        "Organization and Ukraine",
        url="https://www.nato.int/cps/en/natohq/official_texts_25457.htm?selectedLocale=en"
        "&a-very-long-query-string-that-does-not-break=1",
    )
    frameworks = [
        FrameworkFactory(slug=slug, name=name, acronym=acronym, start=dt.date(year, 1, 1))
        for slug, name, acronym, year in FRAMEWORKS
    ]
    missions = [
        MissionFactory(slug=slug, name=name, acronym=acronym, start=dt.date(year, 1, 1))
        for slug, name, acronym, year in MISSIONS
    ]
    ukraine = PartnerFactory(iso3="UKR", name="Ukraine", region="eastern-europe")
    georgia = PartnerFactory(iso3="GEO", name="Georgia", region="south-caucasus")
    bosnia = PartnerFactory(iso3="BIH", name="Bosnia and Herzegovina", region="western-balkans")
    for partner in (ukraine, georgia, bosnia):
        for framework in frameworks:
            if framework.slug.startswith("nato-ukraine") and partner is not ukraine:
                continue
            ParticipationFactory(
                partner=partner,
                framework=framework,
                start=framework.start,
                start_precision=Precision.YEAR,
                sources=[source],
            )
        for mission in missions:
            ContributionFactory(partner=partner, mission=mission, start=mission.start)
    for year in (1994, 1997, 2005, 2008, 2022):
        MilestoneFactory(partner=ukraine, date=dt.date(year, 6, 1), title=f"A milestone of {year}")
    return {"source": source}


def pages(source) -> dict[str, str]:
    return {
        "home": "/",
        "partners": "/partners/",
        "profile": "/partners/UKR/",
        "mission": "/missions/kfor/",
        "framework": "/frameworks/partnership-for-peace/",
        "compare": "/compare/?partners=ukr&partners=geo&partners=bih",
        "matrix-frameworks": "/matrix/frameworks/",
        "matrix-missions": "/matrix/missions/",
        "map": "/map/",
        "search": "/search/?q=ukraine",
        "sources": "/sources/",
        "source": f"/sources/{source.pk}/",
        "history": "/history/",
        "about": "/about/",
        "api-docs": "/api/v1/docs/",
        "api-redoc": "/api/v1/redoc/",
        "api-root": "/api/v1/",
    }


def shoot(page, name: str, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def watch_console(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def settle(page, name: str) -> None:
    """Wait until the documentation viewers have drawn (Redoc adds its logo last)."""
    if name == "api-redoc":
        page.wait_for_selector("img[alt='redocly logo']", state="attached", timeout=60000)
        page.wait_for_load_state("networkidle")
    elif name == "api-docs":
        page.wait_for_selector(".swagger-ui .info", timeout=60000)
        page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["390", "1400"])
def test_every_page_fits_the_screen_without_console_errors(page, knowledge, size):
    page.set_viewport_size(size)
    errors = watch_console(page)
    wide, failed = [], []
    for name, url in pages(knowledge["source"]).items():
        errors.clear()
        response = page.goto(page.base + url)
        assert response.status == 200, (name, response.status)
        settle(page, name)
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        if scroll > inner:
            wide.append(f"{name}: {scroll} px in {inner}")
        if errors:
            failed.append(f"{name}: {errors}")
        if not url.startswith("/api/"):
            button = page.locator(".header-search button").bounding_box()
            assert button["x"] + button["width"] <= inner, f"{name}: Search button cut off"
        # The documentation viewers are very long: their first screen is enough.
        shoot(page, f"{name}-{size['width']}", full_page=not url.startswith("/api/"))
    assert not wide, wide
    assert not failed, failed


def test_phone_timeline_is_legible_and_fits(page, knowledge):
    """On a phone the timeline is its narrow layout (labels above the bars, larger text),
    the wide one is hidden; nothing makes the page scroll sideways."""
    page.set_viewport_size(PHONE)
    page.goto(page.base + "/partners/UKR/")
    narrow = page.locator(".timeline-narrow svg").first
    assert narrow.is_visible()
    assert not page.locator(".timeline-wide").first.is_visible()
    label = page.locator(".timeline-narrow svg text.lane-label").first.bounding_box()
    assert label["height"] >= 11  # 13 px labels, not a wide chart shrunk to 390 px
    assert narrow.bounding_box()["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    lanes = page.locator(".timeline-narrow svg text.lane-label").all_text_contents()
    assert "NUC 1997" in lanes and "NUC 2023" in lanes


def test_history_link_and_its_words_sit_together(page, knowledge):
    page.set_viewport_size(DESKTOP)
    for url in ("/missions/kfor/", "/frameworks/partnership-for-peace/"):
        page.goto(page.base + url)
        gap = page.locator(".provenance-bar p").first.evaluate(
            """p => {
                const link = p.querySelector('a').getBoundingClientRect();
                const range = document.createRange();
                range.selectNodeContents(p.lastChild);
                return range.getBoundingClientRect().left - link.right;
            }"""
        )
        assert 0 <= gap < 12, (url, gap)


def test_dark_mode_follows_the_system_and_charts_stay_readable(page, knowledge):
    context = page.context.browser.new_context(viewport=DESKTOP, color_scheme="dark")
    try:
        dark = context.new_page()
        dark.goto(page.base + "/partners/UKR/")
        colours = dark.evaluate(
            """() => {
                const rgb = s => s.match(/\\d+/g).slice(0, 3).map(Number);
                const lum = ([r, g, b]) => (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
                const css = (sel, prop) => getComputedStyle(document.querySelector(sel))[prop];
                return {
                    page: lum(rgb(css('body', 'backgroundColor'))),
                    text: lum(rgb(css('body', 'color'))),
                    lane: lum(rgb(css('svg.timeline-svg text.lane-label', 'fill'))),
                    tick: lum(rgb(css('svg.timeline-svg .tick', 'fill'))),
                    table: lum(rgb(css('.table thead th', 'backgroundColor'))),
                };
            }"""
        )
        assert colours["page"] < 0.15 and colours["table"] < 0.25
        for part in ("text", "lane", "tick"):  # light marks on the dark ground
            assert colours[part] - colours["page"] > 0.4, (part, colours)
        shoot(dark, "profile-dark-1400")
        dark.goto(page.base + "/map/")
        shoot(dark, "map-dark-1400")
    finally:
        context.close()


def test_print_leaves_out_navigation_forms_and_buttons(page, knowledge):
    page.set_viewport_size(DESKTOP)
    page.emulate_media(media="print")
    for name, url in (("profile", "/partners/UKR/"), ("partners", "/partners/")):
        page.goto(page.base + url)
        shown = page.evaluate(
            """() => [...document.querySelectorAll(
                    '.site-header, .site-nav, form, button, .filters, .known-at-form')]
                .filter(e => e.getClientRects().length > 0)
                .map(e => e.tagName + '.' + e.className)"""
        )
        assert shown == [], (name, shown)
        shoot(page, f"{name}-print-1400")
    page.goto(page.base + "/partners/UKR/")
    assert page.locator("svg.timeline-svg").is_visible()  # the facts and charts stay
