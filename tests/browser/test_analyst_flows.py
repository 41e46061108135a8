"""What an analyst does in the browser: filter, read a profile, download a matrix, compare,
follow a citation. Each flow starts from a page a person would start from."""

import datetime as dt
from pathlib import Path

import pytest

from frameworks.models import Participation
from partnerships.dates import Precision
from tests.cases import parse_csv
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


@pytest.fixture
def knowledge():
    """Georgia's path and a dialogue with an early and a late member."""
    source = SourceFactory(title="Partnership for Peace: Framework Document")
    pfp = FrameworkFactory(
        slug="partnership-for-peace", name="Partnership for Peace", acronym="PfP"
    )
    md = FrameworkFactory(
        slug="mediterranean-dialogue", name="Mediterranean Dialogue", acronym="MD"
    )
    ngc = FrameworkFactory(
        slug="nato-georgia-commission",
        name="NATO-Georgia Commission",
        acronym="NGC",
        start=dt.date(2008, 9, 15),
    )
    georgia = PartnerFactory(iso3="GEO", name="Georgia", region="south-caucasus")
    ParticipationFactory(
        partner=georgia,
        framework=pfp,
        start=dt.date(1994, 3, 23),
        start_precision=Precision.DAY,
        sources=[source],
    )
    ParticipationFactory(
        partner=georgia, framework=ngc, start=dt.date(2008, 9, 15), start_precision=Precision.DAY
    )
    MilestoneFactory(partner=georgia, date=dt.date(2008, 4, 3), title="Bucharest Summit")
    ContributionFactory(partner=georgia, mission=MissionFactory(slug="kfor", acronym="KFOR"))
    jordan = PartnerFactory(iso3="JOR", name="Jordan", region="middle-east")
    ParticipationFactory(partner=jordan, framework=md, start=dt.date(1995, 1, 1))
    mauritania = PartnerFactory(iso3="MRT", name="Mauritania", region="north-africa")
    ParticipationFactory(partner=mauritania, framework=md, start=dt.date(1995, 1, 1))
    algeria = PartnerFactory(iso3="DZA", name="Algeria", region="north-africa")
    ParticipationFactory(
        partner=algeria, framework=md, start=dt.date(2000, 3, 1), start_precision=Precision.MONTH
    )
    finland = PartnerFactory(
        iso3="FIN",
        name="Finland",
        nato_accession=dt.date(2023, 4, 4),
        nato_accession_precision=Precision.DAY,
    )
    sweden = PartnerFactory(
        iso3="SWE",
        name="Sweden",
        nato_accession=dt.date(2024, 3, 7),
        nato_accession_precision=Precision.DAY,
    )
    for partner, end in ((finland, dt.date(2023, 4, 4)), (sweden, dt.date(2024, 3, 7))):
        ParticipationFactory(
            partner=partner,
            framework=pfp,
            start=dt.date(1994, 5, 9),
            start_precision=Precision.DAY,
            end=end,
            end_precision=Precision.DAY,
            status=Participation.Status.ENDED_BY_ACCESSION,
        )
    return {"source": source}


def test_filter_partners_by_framework_and_date_then_open_a_timeline(page, knowledge):
    page.goto(page.base + "/")
    with page.expect_navigation():
        page.get_by_role("link", name="Partners", exact=True).click()
    page.get_by_label("As of").fill("2000-01-15")
    with page.expect_navigation():
        # Ticking a box applies the filters at once (with JavaScript; else "Apply filters").
        frameworks = page.get_by_role("group", name="Framework", exact=True)
        frameworks.get_by_label("Mediterranean Dialogue (MD)").check()
    assert "framework=mediterranean-dialogue" in page.url and "as_of=2000-01-15" in page.url
    names = page.locator("table.table tbody th a").all_inner_texts()
    assert names == ["Jordan", "Mauritania"]  # Algeria joined in March 2000
    with page.expect_navigation():  # wait for the whole page, its timeline included
        page.get_by_role("link", name="Jordan").click()
    assert page.locator("h1").inner_text().startswith("Jordan")
    assert page.locator("svg.timeline-svg rect.bar-framework").count() == 1

    page.goto(page.base + "/partners/GEO/")
    timeline = page.locator("svg.timeline-svg")
    assert timeline.is_visible()
    assert timeline.locator("rect.bar-framework").count() == 2  # PfP and the NGC
    assert timeline.locator("path.point-milestone").count() == 1
    labels = timeline.locator("text.lane-label").all_text_contents()
    assert labels[:2] == ["PfP", "NGC"]


def test_bad_date_shows_a_message_not_an_error_page(page, knowledge):
    page.goto(page.base + "/partners/?as_of=2000-02-31")
    assert page.get_by_role("alert").first.is_visible()
    assert "Check the filters" in page.content()


def test_open_a_matrix_and_download_its_csv(page, knowledge):
    page.goto(page.base + "/")
    with page.expect_navigation():
        page.get_by_role("link", name="Matrices").click()
    page.get_by_label("As of").fill("2000-01-15")
    with page.expect_navigation():  # count the answer's cells, not the page before it
        page.get_by_role("button", name="Apply").click()
    # Georgia, Finland and Sweden in PfP; Jordan and Mauritania in MD (Algeria from March).
    assert page.locator("td.member.active").count() == 5
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    path = download.value.path()
    rows = parse_csv(Path(path).read_text(encoding="utf-8"))
    by_code = {row["iso3"]: row for row in rows}
    assert by_code["GEO"]["PfP"] == "23 March 1994 – ongoing"
    assert by_code["JOR"]["MD"] == "1995 – ongoing"


def test_compare_two_partners(page, knowledge):
    page.goto(page.base + "/compare/")
    with page.expect_navigation():
        page.get_by_label("Partner 1").select_option("fin")
    with page.expect_navigation():
        page.get_by_label("Partner 2").select_option("swe")
    assert "partners=fin" in page.url and "partners=swe" in page.url
    headers = page.locator(".compare-table thead th").all_inner_texts()
    assert [h.strip() for h in headers] == ["Finland", "Sweden"]
    timeline = page.locator("svg.timeline-svg")
    assert timeline.locator("text.group-heading").all_text_contents() == ["Finland", "Sweden"]
    assert timeline.locator("line.line-accession").count() == 2


def test_follow_a_citation_to_its_source(page, knowledge):
    page.goto(page.base + "/partners/geo/")
    row = page.locator("tr", has_text="Partnership for Peace")
    row.locator("a.cite").first.click()
    assert page.locator("h1").inner_text() == knowledge["source"].title
    assert "Facts citing this source" in page.content()
    assert page.get_by_role("link", name="Partnership for Peace").first.is_visible()
