"""Lean lists: the hot list endpoints built from plain rows, not model instances.

A list answer of the API used to cost 20-70 ms of CPU for 50 rows: a model instance per
row, a related manager per relation, a field object's ``get_attribute`` per value, and a
``reverse()`` per URL. A lean list reads ``values()`` (the filters and annotations of the
list's queryset kept), fetches each relation of the page in one query, and writes every
URL from a template reversed once. The answer is the same, field for field and in the
same order, as the list's serializer gives (``tests/serving/test_lean.py`` compares them
over every row), so the OpenAPI schema, which documents the serializer, stays exact.

Lists with ``known_at`` (rows from history) and CSV exports keep their own paths.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber
from django.urls import NoReverseMatch, reverse
from rest_framework.response import Response

from partnerships.dates import format_date

# Reversed once with a stand-in argument, then filled per row: equal to reverse() for any
# value the URL pattern accepts (numbers and slugs; three letters for ISO codes).
_STAND_INS = ("987654321", "QZX")


@functools.cache
def url_template(view_name: str) -> tuple[str, str]:
    for stand_in in _STAND_INS:
        try:
            path = reverse(view_name, args=[stand_in])
        except NoReverseMatch:
            continue
        if path.count(stand_in) == 1:
            head, _, tail = path.partition(stand_in)
            return head, tail
    raise NoReverseMatch(f"No URL template for {view_name}")


class Links:
    """Absolute URLs for one request, without a ``reverse()`` per row."""

    def __init__(self, request):
        self.root = request.build_absolute_uri("/")[:-1] if request is not None else ""

    def to(self, view_name: str, value) -> str:
        head, tail = url_template(view_name)
        return f"{self.root}{head}{value}{tail}"

    def absolute(self, path: str) -> str:
        return f"{self.root}{path}" if path.startswith("/") else path


@functools.cache
def flag_path(code: str) -> str:
    """django-countries' flag URL path for a country code (what ``country.flag`` gives)."""
    from django_countries.fields import Country

    return Country(code).flag


SOURCE_VALUES = ("id", "key", "title", "publisher", "url", "tier")


def source_ref(row: dict, links: Links, prefix: str = "") -> dict:
    """What :func:`partnerships.api.fields.source_ref` gives, from a row's values."""
    ref = {name: row[prefix + name] for name in SOURCE_VALUES}
    ref["api_url"] = links.to("api:source-detail", ref["id"])
    return ref


def linked_sources(through, owner: str, ids: Iterable, links: Links) -> dict[int, list[dict]]:
    """Each owner's sources (in Source's own order), read in one query over the link table."""
    lookups = [f"source__{name}" for name in SOURCE_VALUES]
    rows = (
        through.objects.filter(**{f"{owner}_id__in": list(ids)})
        .order_by("source__publisher", "source__title", "source_id")
        .values(f"{owner}_id", *lookups)
    )
    found = defaultdict(list)
    for row in rows:
        found[row[f"{owner}_id"]].append(source_ref(row, links, "source__"))
    return found


def linked_slugs(through, owner: str, target: str, ids: Iterable, order: str) -> dict[int, list]:
    """Each owner's linked slugs (roles, cooperation areas), one query."""
    rows = (
        through.objects.filter(**{f"{owner}_id__in": list(ids)})
        .order_by(f"{target}__{order}", f"{target}_id")
        .values_list(f"{owner}_id", f"{target}__slug")
    )
    found = defaultdict(list)
    for owner_id, slug in rows:
        found[owner_id].append(slug)
    return found


def first_per_group(queryset: QuerySet, group: str, order: tuple[str, ...]) -> QuerySet:
    """The first row of each ``group`` in ``order`` (a window function: both databases)."""
    ordering = [F(o[1:]).desc() if o.startswith("-") else F(o).asc() for o in order]
    return queryset.annotate(
        row_number=Window(RowNumber(), partition_by=[F(group)], order_by=ordering)
    ).filter(row_number=1)


def iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def precise(value, precision: str) -> str | None:
    return format_date(value, precision) or None


def period(row: dict) -> dict:
    """The fields of :class:`~partnerships.api.fields.PeriodSerializerMixin`, in order."""
    end_state = (
        "ended" if row["end"] else ("ended-date-unknown" if row["end_unknown"] else "ongoing")
    )
    return {
        "start": precise(row["start"], row["start_precision"]),
        "start_precision": row["start_precision"],
        "end": precise(row["end"], row["end_precision"]),
        "end_precision": row["end_precision"],
        "end_unknown": row["end_unknown"],
        "end_state": end_state,
        "covers_from": iso(row["covers_from"]),
        "covers_until": iso(row["covers_until"]),
        "certain_from": iso(row["certain_from"]),
        "certain_until": iso(row["certain_until"]),
        "certainty": row.get("certainty"),
    }


PERIOD_VALUES = (
    "start",
    "start_precision",
    "end",
    "end_precision",
    "end_unknown",
    "covers_from",
    "covers_until",
    "certain_from",
    "certain_until",
)


class LeanListMixin:
    """A list answered from plain rows by ``lean_rows(rows, links)``.

    ``lean_values`` names what to read of the list's filtered, annotated queryset; the
    method turns one page of those rows into the serializer's dicts. The serializer path
    stays for known_at lists, CSV, and the browsable API's forms.
    """

    lean_values: tuple[str, ...] = ()
    lean_rows: Callable

    def lean_list_allowed(self, request) -> bool:
        from partnerships.api.base import wants_csv

        return (
            bool(self.lean_values)
            and getattr(request, "known_at", None) is None
            and not wants_csv(request)
        )

    def list(self, request, *args, **kwargs):
        if not self.lean_list_allowed(request):
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset()).prefetch_related(None)
        annotations = tuple(name for name in queryset.query.annotations if name in self.lean_wanted)
        values = queryset.values(*self.lean_values, *annotations)
        page = self.paginate_queryset(values)
        data = self.lean_rows(page if page is not None else list(values), Links(request))
        return self.get_paginated_response(data) if page is not None else Response(data)

    @functools.cached_property
    def lean_wanted(self) -> frozenset[str]:
        """Annotations a lean row may carry when the queryset has them (e.g. certainty)."""
        return frozenset(getattr(self, "lean_annotations", ()))
