"""The partner x framework and partner x mission matrices, as pages and CSV."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import render

from frameworks.models import Framework
from missions.models import Contribution, Mission
from partnerships.compose.matrices import framework_matrix, mission_matrix
from partnerships.exports import streamed_csv
from partnerships.filtersets import PartnerFilterSet
from partnerships.models import Partner
from partnerships.views.common import as_of_day, prepare_filter_form


def _sort_rows(matrix, column_key: str, columns_by_key: dict):
    """Rows with a cell in the chosen column first, earliest start first."""
    column = columns_by_key.get(column_key)
    if column is None:
        return

    def key(row):
        cell = matrix.cell(row, column)
        items = (getattr(cell, "periods", None) or getattr(cell, "contributions", None)) or []
        starts = [i.covers_from for i in items if i.covers_from]
        return (cell is None, min(starts) if starts else dt.date.max, row.name)

    matrix.rows.sort(key=key)


def matrix_frameworks(request):
    framework = Framework
    data = request.GET.copy()
    data.pop("sort", None)
    filterset = PartnerFilterSet(data or None, queryset=Partner.objects.all())
    valid = filterset.is_valid() if filterset.is_bound else True
    day = as_of_day(filterset)
    columns = framework.objects.order_by("covers_from", "name")
    rows = filterset.qs if valid else Partner.objects.none()
    if not filterset.form.data.get("ordering"):
        rows = rows.order_by("name")
    matrix = framework_matrix(rows, columns, day)
    _sort_rows(matrix, request.GET.get("sort", ""), {c.slug: c for c in matrix.columns})
    if valid and request.GET.get("format") == "csv":
        header = ["iso3", "partner", *[c.acronym or c.name for c in matrix.columns]]
        if day:
            header.append(f"in a framework on {day}")

        def csv_rows():
            for row, cells in matrix.grid():
                values = [cell.label if cell else "" for cell in cells]
                line = [row.iso3, row.name, *values]
                if day:
                    line.append("yes" if any(c and c.active for c in cells) else "no")
                yield line

        return streamed_csv(request, "matrix-frameworks", header, csv_rows())
    return render(
        request,
        "partnerships/matrix_frameworks.html",
        {
            "matrix": matrix,
            "filterset": filterset,
            "form": prepare_filter_form(filterset.form),
            "valid": valid,
            "day": day,
            "sort": request.GET.get("sort", ""),
        },
    )


def matrix_missions(request):
    from missions.filtersets import MissionFilterSet

    mission = Mission
    # Rows: partners that contributed to something, narrowed by the partner filters.
    partner_data = {key: request.GET.getlist(key) for key in ("region", "q", "ordering")}
    partner_data = {k: v for k, v in partner_data.items() if any(v)}
    filterset = PartnerFilterSet(
        partner_data or None,
        queryset=Partner.objects.filter(pk__in=Contribution.objects.values("partner")),
    )
    # Columns: missions, active on the as-of day when one is given (MissionFilterSet).
    mission_filters = MissionFilterSet(
        {"active_on": request.GET.get("as_of", ""), "kind": request.GET.getlist("kind")},
        queryset=mission.objects.all(),
    )
    valid = (not filterset.is_bound or filterset.is_valid()) and mission_filters.is_valid()
    day = as_of_day(mission_filters, "active_on")
    rows = filterset.qs if valid else Partner.objects.none()
    if not partner_data.get("ordering"):
        rows = rows.order_by("name")
    columns = (
        mission_filters.qs.order_by("covers_from", "name") if valid else mission.objects.none()
    )
    matrix = mission_matrix(rows, columns)
    _sort_rows(matrix, request.GET.get("sort", ""), {c.slug: c for c in matrix.columns})
    if valid and request.GET.get("format") == "csv":
        header = ["iso3", "partner", *[c.acronym or c.name for c in matrix.columns]]
        rows_out = (
            [row.iso3, row.name, *[cell.label if cell else "" for cell in cells]]
            for row, cells in matrix.grid()
        )
        return streamed_csv(request, "matrix-missions", header, rows_out)
    form = prepare_filter_form(filterset.form)
    for name in list(form.fields):
        if name not in ("q", "region"):
            form.fields.pop(name)
    as_of_errors = mission_filters.form.errors.get("active_on", [])
    kinds = prepare_filter_form(mission_filters.form)["kind"]
    return render(
        request,
        "partnerships/matrix_missions.html",
        {
            "matrix": matrix,
            "form": form,
            "kinds": kinds,
            "as_of_value": request.GET.get("as_of", ""),
            "as_of_errors": as_of_errors,
            "valid": valid,
            "day": day,
            "sort": request.GET.get("sort", ""),
        },
    )
