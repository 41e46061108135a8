"""CSV out, one writer for the pages and the API: streamed, naming the dataset version and
the query it answers, safe to open in a spreadsheet.

- A text cell a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return) is written with a leading apostrophe, which
  spreadsheets show as text; numbers and dates are never changed (a number written as
  text, such as ``-12.5``, is left as it is).
- ``?format=csv-excel`` gives the same CSV with a UTF-8 byte order mark, which Excel
  needs to read accents and non-Latin names right.
- A stream that fails midway cannot change its status (200 is sent): its last line says
  that the file is incomplete and why, and the failure is logged with the request id.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from urllib.parse import urlencode

from django.db import models
from django.http import StreamingHttpResponse

from partnerships.provenance.versioning import dataset_version

logger = logging.getLogger("partnerships")

PLAIN_FORMAT = "csv"
EXCEL_FORMAT = "csv-excel"
CSV_FORMATS = (PLAIN_FORMAT, EXCEL_FORMAT)
BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
INCOMPLETE = "# INCOMPLETE: the export failed after the rows above; request id {request_id}"


class _Echo:
    def write(self, value):
        return value


def safe_cell(value):
    """A cell as written: ``None`` empty, formula-like text quoted, anything else as is."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_lines(rows: Iterable[Iterable]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow([safe_cell(v) for v in row])


def requested_format(request) -> str | None:
    """``csv`` or ``csv-excel`` when the request asks for CSV (API renderer or ?format=)."""
    renderer = getattr(request, "accepted_renderer", None)
    chosen = getattr(renderer, "format", None) or request.GET.get("format")
    return chosen if chosen in CSV_FORMATS else None


def excel_prefix(chosen: str | None) -> str:
    return BOM if chosen == EXCEL_FORMAT else ""


def streamed_csv(request, filename: str, header: list[str], rows: Iterable[list]):
    """A streamed CSV response naming the dataset version and the query it answers."""
    prefix = excel_prefix(requested_format(request))
    request_id = getattr(request, "request_id", None) or getattr(
        getattr(request, "_request", None), "request_id", "-"
    )
    response = StreamingHttpResponse(
        _chain(prefix, header, rows, filename, request_id), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response["X-Dataset-Version"] = dataset_version()
    response["X-Query"] = urlencode(sorted(request.GET.lists()), doseq=True)
    return response


def _chain(prefix, header, rows, filename, request_id):
    yield prefix + next(csv_lines([header]))
    try:
        yield from csv_lines(rows)
    except Exception:
        logger.exception("CSV export %s failed midway (request %s)", filename, request_id)
        yield INCOMPLETE.format(request_id=request_id) + "\r\n"


def cell_value(obj, path: str | Callable):
    if callable(path):
        return path(obj)
    value = obj
    for part in path.split("."):
        value = getattr(value, part, None)
        if value is None:
            return ""
        if callable(value) and not isinstance(value, models.Manager):
            value = value()
    return value
