"""Charts: what the SVG draws (axes, legend, faded imprecise ends, the phone layout) and
the chart files a page offers (standalone SVG, the data drawn as CSV)."""

import csv
import datetime as dt
import io
import re
import xml.dom.minidom

import pytest

from partnerships.models import Precision
from tests.factories import (
    ContributionFactory,
    FrameworkFactory,
    MissionFactory,
    ParticipationFactory,
    PartnerFactory,
)

pytestmark = pytest.mark.django_db


def svgs(html: str, css: str) -> list[str]:
    return re.findall(rf'<svg[^>]* class="{css}".*?</svg>', html, re.S)


def tick_years(svg: str) -> list[int]:
    return [int(y) for y in re.findall(r'<text class="tick[^"]*"[^>]*>(\d{4})</text>', svg)]


@pytest.fixture
def ended_mission():
    """A mission of 2009-2016 whose only partner contribution came in 2013-2014."""
    mission = MissionFactory(
        slug="ocean-shield",
        name="Operation Ocean Shield",
        start=dt.date(2009, 8, 17),
        start_precision=Precision.DAY,
        end=dt.date(2016, 12, 15),
        end_precision=Precision.DAY,
    )
    partner = PartnerFactory(iso3="UKR")
    ContributionFactory(
        mission=mission,
        partner=partner,
        start=dt.date(2013, 10, 10),
        start_precision=Precision.DAY,
        end=dt.date(2014, 1, 1),
        end_precision=Precision.MONTH,
    )
    return mission


def test_ended_mission_axis_ends_with_the_mission_and_starts_with_it(client, ended_mission):
    html = client.get("/missions/ocean-shield/").content.decode()
    (wide,) = svgs(html, "timeline-svg")
    years = tick_years(wide)
    # The axis runs from the mission's start to the end of its last year, not to today.
    assert min(years) == 2009 and max(years) == 2017
    assert 'class="today"' not in wide
    # Year labels at the top as well as the bottom: each year is written twice.
    assert years.count(2012) == 2 and 'class="tick tick-top"' in wide


def test_mission_yearly_chart_covers_the_mission_with_centred_labels(client, ended_mission):
    html = client.get("/missions/ocean-shield/").content.decode()
    chart = re.search(r'<figure class="chart chart-columns">.*?</figure>', html, re.S).group()
    labels = re.findall(r'<text class="tick column-label" x="([\d.]+)"[^>]*>(\d{4})</text>', chart)
    assert [year for _, year in labels][0] == "2009"  # not 2013, the first contribution
    columns = re.findall(r'<rect class="column" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', chart)
    for (x, width), (label_x, _) in zip(columns, labels, strict=True):
        assert float(label_x) == pytest.approx(float(x) + float(width) / 2, abs=0.1)
    assert 'text-anchor="middle"' in chart and 'dx="' not in chart


def test_legend_lists_only_the_marks_drawn(client):
    partner = PartnerFactory(iso3="SWE")
    ParticipationFactory(
        partner=partner,
        framework=FrameworkFactory(acronym="PfP"),
        start=dt.date(1994, 5, 9),
        start_precision=Precision.DAY,
        end=dt.date(2024, 3, 7),
        end_precision=Precision.DAY,
        status="ended",
    )
    html = client.get("/partners/SWE/").content.decode()
    legend = re.search(r'<ul class="legend".*?</ul>', html, re.S).group()
    assert "key-framework" in legend
    for unused in ("key-mission", "key-milestone", "key-figure", "key-suspended", "key-ongoing"):
        assert unused not in legend
    assert "key-uncertain" not in legend  # a day-precise period has nothing faded


def test_year_only_start_is_faded_over_its_whole_year(client):
    fin, swe = PartnerFactory(iso3="FIN"), PartnerFactory(iso3="SWE")
    pfp = FrameworkFactory(acronym="PfP", start=dt.date(1994, 1, 10))
    ParticipationFactory(
        partner=fin, framework=pfp, start=dt.date(1994, 1, 1), start_precision=Precision.YEAR
    )
    ParticipationFactory(
        partner=swe, framework=pfp, start=dt.date(1994, 5, 9), start_precision=Precision.DAY
    )
    html = client.get("/compare/?partners=FIN,SWE").content.decode()
    (wide,) = svgs(html, "timeline-svg")
    bars = re.findall(r'<rect class="bar ([^"]+)" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', wide)
    finland = [b for b in bars if "bar-framework" in b[0]][0]
    faded = [b for b in bars if "bar-uncertain" in b[0]]
    # One faded span, Finland's: from 1 January over the whole of 1994 (to 30 December,
    # the last day being the first certain one); Sweden's day-precise start has none.
    assert len(faded) == 1
    assert faded[0][1] == finland[1]
    rows = list(
        csv.reader(
            io.StringIO(
                b"".join(
                    client.get("/compare/?partners=FIN,SWE&download=timeline.csv").streaming_content
                ).decode()
            )
        )
    )
    possible = [r for r in rows if r[4] == "possible part"]
    assert [(r[0], r[5], r[6]) for r in possible] == [("FIN", "1994-01-01", "1994-12-30")]
    legend = re.search(r'<ul class="legend".*?</ul>', html, re.S).group()
    assert "key-uncertain" in legend


def test_narrow_layout_puts_labels_above_bars_with_fewer_ticks(client, ended_mission):
    html = client.get("/missions/ocean-shield/").content.decode()
    (wide,) = svgs(html, "timeline-svg")
    (narrow,) = svgs(html, "timeline-narrow-svg")
    assert 'viewBox="0 0 400' in narrow
    # Labels above the bars: left-aligned at the margin, not right-aligned in a column.
    labels = re.findall(
        r'<text class="lane-label[^"]*" x="([\d.]+)" y="[\d.]+"( text-anchor)?', narrow
    )
    assert labels and all(x == "8.0" and not anchor for x, anchor in labels)
    assert len(set(tick_years(narrow))) < len(set(tick_years(wide)))
    assert len(set(tick_years(narrow))) <= 6


def test_timeline_downloads_svg_and_csv(client, ended_mission):
    response = client.get("/missions/ocean-shield/?download=timeline.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Disposition"] == 'attachment; filename="ocean-shield-timeline.svg"'
    body = response.content.decode()
    assert body.startswith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"'
    )
    doc = xml.dom.minidom.parseString(response.content)  # well-formed XML
    style = doc.getElementsByTagName("style")[0].firstChild.data
    assert ".bar-mission { fill: #d9822b" in style and "var(--" not in style
    assert 'href="http://testserver/partners/ukr/"' in body  # links work outside the site

    response = client.get("/missions/ocean-shield/?download=timeline.csv")
    assert response["Content-Disposition"] == 'attachment; filename="ocean-shield-timeline.csv"'
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    periods = {
        (r["lane_kind"], r["lane"]): (r["from"], r["until"]) for r in rows if r["mark"] == "period"
    }
    assert periods[("mission", "ocean-shield")] == ("2009-08-17", "2016-12-15")
    assert periods[("partner", "UKR")] == ("2013-10-10", "2014-01-31")
    assert {r["group"] for r in rows} == {"ocean-shield"}


def test_column_chart_and_map_downloads(client, ended_mission):
    response = client.get("/missions/ocean-shield/?download=per-year.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["label", "value", "title"]
    assert [r[:2] for r in rows[1:]] == [
        ["2009", "0"],
        ["2010", "0"],
        ["2011", "0"],
        ["2012", "0"],
        ["2013", "1"],
        ["2014", "1"],
        ["2015", "0"],
        ["2016", "0"],
    ]
    svg = client.get("/missions/ocean-shield/?download=per-year.svg")
    assert svg["Content-Type"] == "image/svg+xml"
    doc = xml.dom.minidom.parseString(svg.content)
    assert len(doc.getElementsByTagName("rect")) == 8

    ParticipationFactory(partner=PartnerFactory(iso3="GEO"))
    world = client.get("/map/?download=map.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(world.streaming_content).decode())))
    georgia = next(r for r in rows if r["country"] == "GE")
    assert georgia["category"] == "partner" and georgia["url"] == "/partners/geo/"
    svg = client.get("/map/?download=map.svg")
    assert svg["Content-Disposition"].startswith('attachment; filename="map-status-')
    xml.dom.minidom.parseString(svg.content)


def test_pages_link_their_chart_files_and_refuse_unknown_ones(client, ended_mission):
    html = client.get("/missions/ocean-shield/").content.decode()
    for name in ("timeline.svg", "timeline.csv", "per-year.svg", "per-year.csv"):
        assert f'href="?download={name}"' in html
    response = client.get("/missions/ocean-shield/?download=nothing.svg")
    assert response.status_code == 404
    assert client.get("/missions/ocean-shield/?download=timeline.png").status_code == 404
