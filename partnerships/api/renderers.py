"""The API's renderers: JSON by orjson, and CSV (plain, or for Excel with a BOM).

orjson writes the same compact UTF-8 JSON as DRF's renderer, several times faster; what it
does not know natively (decimals, lazy translations) is converted as DRF's encoder does.
"""

from __future__ import annotations

import decimal

import orjson
from django.utils.encoding import force_str
from django.utils.functional import Promise
from rest_framework import renderers

from partnerships.exports import EXCEL_FORMAT, csv_lines, excel_prefix


def _default(value):
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, Promise):
        return force_str(value)
    if isinstance(value, set | frozenset):
        return sorted(value)
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "__iter__"):
        return list(value)
    raise TypeError(f"Cannot write {type(value).__name__} as JSON")


class ORJSONRenderer(renderers.JSONRenderer):
    """DRF's JSON renderer, written by orjson (``Accept: application/json; indent=2`` still
    indents)."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        renderer_context = renderer_context or {}
        option = orjson.OPT_NON_STR_KEYS
        if self.get_indent(accepted_media_type, renderer_context):
            option |= orjson.OPT_INDENT_2
        return orjson.dumps(data, default=_default, option=option)


class CSVRenderer(renderers.BaseRenderer):
    """``?format=csv`` or ``Accept: text/csv``. Lists and details stream their own CSV with
    the columns of the list (see :class:`~partnerships.api.base.CSVExportMixin`); this
    renders what is left (an error, an endpoint without columns) as rows."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        rows = data if isinstance(data, list) else [data]
        rows = [flatten(row) if isinstance(row, dict) else {"value": row} for row in rows]
        header = list(dict.fromkeys(key for row in rows for key in row))
        lines = csv_lines([header] + [[row.get(k, "") for k in header] for row in rows])
        return (excel_prefix(self.format) + "".join(lines)).encode("utf-8")


class ExcelCSVRenderer(CSVRenderer):
    """``?format=csv-excel``: the same CSV, opened by Excel as UTF-8 (a byte order mark)."""

    format = EXCEL_FORMAT


def flatten(data: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        elif isinstance(value, list):
            flat[name] = "; ".join(
                force_str(item.get("title") or item.get("slug") or item.get("id"))
                if isinstance(item, dict)
                else force_str(item)
                for item in value
            )
        else:
            flat[name] = "" if value is None else value
    return flat
