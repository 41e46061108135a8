"""Cross-origin reads of the API, and CSV that a spreadsheet opens safely."""

import csv
import datetime as dt
import io

import pytest

from partnerships.exports import BOM, csv_lines, safe_cell
from tests.cases import build_world
from tests.factories import ContributionFactory

pytestmark = pytest.mark.django_db

ORIGIN = "https://notebook.example.org"


def text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode()


def test_any_origin_may_read_the_api_without_credentials(client, db):
    response = client.get("/api/v1/frameworks/", HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert "ETag" in response["Access-Control-Expose-Headers"]


def test_a_preflight_allows_reads_only(client, db):
    response = client.options(
        "/api/v1/frameworks/",
        HTTP_ORIGIN=ORIGIN,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )
    assert response.status_code == 200
    allowed = {m.strip() for m in response["Access-Control-Allow-Methods"].split(",")}
    assert allowed == {"GET", "HEAD", "OPTIONS"}


def test_pages_are_not_opened_to_other_origins(client, db):
    response = client.get("/partners/", HTTP_ORIGIN=ORIGIN)
    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1 555", "'+1 555"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tindent", "'\tindent"),
        ("\rline", "'\rline"),
        ("-12.5", "-12.5"),  # a number written as text stays a number
        ("+3", "+3"),
        (-12, -12),
        ("2004-03-29", "2004-03-29"),
        ("Kosovo Force", "Kosovo Force"),
        (None, ""),
    ],
)
def test_cells_a_spreadsheet_would_run_are_quoted(value, written):
    assert safe_cell(value) == written


def test_exports_neutralise_formulas_and_keep_numbers(api, db):
    world = build_world(1)
    ContributionFactory(
        partner=world.partners[0],
        mission=world.mission,
        description="=1+2",
        start=dt.date(2010, 1, 1),
    )
    response = api.get("/api/v1/contributions/?format=csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert "'=1+2" in [row["description"] for row in rows]
    assert all(row["figure_count"].isdigit() for row in rows)


def test_the_excel_variant_starts_with_a_byte_order_mark(api, db):
    build_world(2)
    plain = b"".join(api.get("/api/v1/contributions/?format=csv").streaming_content).decode()
    excel = b"".join(api.get("/api/v1/contributions/?format=csv-excel").streaming_content).decode()
    assert not plain.startswith(BOM)
    assert excel == BOM + plain
    detail = api.get("/api/v1/frameworks/pfp/?format=csv-excel")
    body = (
        b"".join(detail.streaming_content).decode() if detail.streaming else detail.content.decode()
    )
    assert body.startswith(BOM)


def test_a_detail_csv_has_the_list_columns(api, db):
    world = build_world(2)
    iso3 = world.partners[0].iso3
    listed = b"".join(api.get("/api/v1/partners/?format=csv").streaming_content).decode()
    detail = text(api.get(f"/api/v1/partners/{iso3}/?format=csv"))
    header = listed.splitlines()[0]
    assert detail.splitlines()[0] == header
    row = detail.splitlines()[1]
    assert row in listed.splitlines()


def test_a_stream_that_fails_says_so_in_its_last_line(rf, caplog):
    from partnerships.exports import streamed_csv

    def rows():
        yield ["a", 1]
        raise RuntimeError("the database went away")

    request = rf.get("/api/v1/figures/?format=csv")
    request.request_id = "abc123"
    response = streamed_csv(request, "figures", ["name", "n"], rows())
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[:2] == ["name,n", "a,1"]
    assert lines[-1].startswith("# INCOMPLETE") and "abc123" in lines[-1]
    assert "failed midway" in caplog.text


def test_csv_lines_write_what_safe_cell_gives():
    assert list(csv_lines([["=x", 3]])) == ["'=x,3\r\n"]
