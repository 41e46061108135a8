"""The admin's "Export CSV": the rows a curator selected, in the columns the import reads.

The file round-trips: edited in a spreadsheet and imported again, it updates the same rows
(by ``id``). Each row carries its record's ``version`` (:mod:`.locking`), so the import
refuses a row whose record changed after the export instead of silently reverting the
other curator's edit. A ``label`` column names each row for the reader; the import ignores it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.http import StreamingHttpResponse
from django.utils import timezone

from partnerships.dates import format_date
from partnerships.provenance.labels import dated_label
from partnerships.provenance.locking import version_of

CHUNK = 1000


def _period(obj) -> dict:
    state = "ended" if obj.end else "ended-date-unknown" if obj.end_unknown else "ongoing"
    return {
        "start": format_date(obj.start, obj.start_precision),
        "end": format_date(obj.end, obj.end_precision),
        "end_state": state,
    }


def _keys(related) -> str:
    return "; ".join(sorted(getattr(o, "key", None) or o.slug for o in related.all()))


def _participation(obj) -> dict:
    return {
        "partner": obj.partner.iso3,
        "framework": obj.framework.slug,
        **_period(obj),
        "status": obj.status,
        "notes": obj.notes,
        "sources": _keys(obj.sources),
    }


def _contribution(obj) -> dict:
    return {
        "partner": obj.partner.iso3,
        "mission": obj.mission.slug,
        **_period(obj),
        "roles": _keys(obj.roles),
        "description": obj.description,
        "sources": _keys(obj.sources),
    }


def _figure(obj) -> dict:
    return {
        "contribution": obj.contribution_id,
        "as_of": format_date(obj.as_of, obj.as_of_precision),
        "personnel": obj.personnel,
        "measure": obj.measure,
        "estimate": "true" if obj.estimate else "false",
        "source": obj.source.key,
        "notes": obj.notes,
    }


# kind -> (row function, select_related, prefetch_related)
EXPORTS = {
    "participations": (_participation, ("partner", "framework"), ("sources",)),
    "contributions": (_contribution, ("partner", "mission"), ("roles", "sources")),
    "figures": (
        _figure,
        ("contribution__partner", "contribution__mission", "source"),
        (),
    ),
}


def columns(kind: str) -> list[str]:
    """The file's columns: id and version, then the import's columns, then the label."""
    sample = {
        "participations": ["partner", "framework", "start", "end", "end_state", "status"],
        "contributions": ["partner", "mission", "start", "end", "end_state", "roles"],
        "figures": ["contribution", "as_of", "personnel", "measure", "estimate", "source"],
    }[kind]
    rest = {
        "participations": ["notes", "sources"],
        "contributions": ["description", "sources"],
        "figures": ["notes"],
    }[kind]
    return ["id", "version", *sample, *rest, "label"]


def rows(kind: str, queryset) -> Iterator[dict]:
    """The export's rows, read in chunks (the links of each chunk in one query per link)."""
    row, related, prefetch = EXPORTS[kind]
    queryset = queryset.select_related(*related).prefetch_related(*prefetch).order_by("pk")
    for obj in queryset.iterator(chunk_size=CHUNK):
        yield {"id": obj.pk, "version": version_of(obj), **row(obj), "label": dated_label(obj)}


class _Echo:
    def write(self, value):
        return value


def csv_response(kind: str, queryset, name: str) -> StreamingHttpResponse:
    """The rows of ``queryset`` as a CSV download that the import reads back."""
    writer = csv.DictWriter(_Echo(), fieldnames=columns(kind))

    def lines():
        yield writer.writeheader()
        for item in rows(kind, queryset):
            yield writer.writerow(item)

    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    return response
