"""The partner x framework and partner x mission matrices, as pages and CSV. Their
parameters are those of ``/api/v1/matrix/...``: the same FilterSets
(:mod:`partnerships.compose.matrices`)."""

from __future__ import annotations

from django.shortcuts import render

from partnerships.compose.matrices import FrameworkMatrixFilterSet, Matrix, MissionMatrixFilterSet
from partnerships.exports import CSV_FORMATS, streamed_csv
from partnerships.labels import label_columns
from partnerships.views.common import prepare_filter_form


def _matrix(filterset) -> tuple[bool, Matrix | None]:
    valid = filterset.is_valid() if filterset.is_bound else True
    matrix = filterset.matrix() if valid else None
    if matrix is not None:
        label_columns(matrix.columns)
    return valid, matrix


def matrix_frameworks(request):
    filterset = FrameworkMatrixFilterSet(request.GET or None, request=request)
    valid, matrix = _matrix(filterset)
    day = filterset.data_of.get("as_of")
    if valid and request.GET.get("format") in CSV_FORMATS:
        header = ["iso3", "partner", *[c.short_label for c in matrix.columns]]
        if day:
            header.append(f"in a framework as of {day}")

        def csv_rows():
            for row, cells in matrix.grid():
                values = [cell.label if cell else "" for cell in cells]
                line = [row.iso3, row.name, *values]
                if day:
                    found = {c.certainty for c in cells if c}
                    line.append(
                        "certain"
                        if "certain" in found
                        else "possible"
                        if "possible" in found
                        else "no"
                    )
                yield line

        return streamed_csv(request, "matrix-frameworks", header, csv_rows())
    return render(
        request,
        "partnerships/matrix_frameworks.html",
        {
            "matrix": matrix,
            "filterset": filterset,
            "form": prepare_filter_form(filterset.form, hide=("ordering", "sort", "column")),
            "valid": valid,
            "day": day,
            "sort": request.GET.get("sort", ""),
        },
    )


def matrix_missions(request):
    filterset = MissionMatrixFilterSet(request.GET or None, request=request)
    valid, matrix = _matrix(filterset)
    if valid and request.GET.get("format") in CSV_FORMATS:
        header = ["iso3", "partner", *[c.short_label for c in matrix.columns]]
        rows_out = (
            [row.iso3, row.name, *[cell.label if cell else "" for cell in cells]]
            for row, cells in matrix.grid()
        )
        return streamed_csv(request, "matrix-missions", header, rows_out)
    form = prepare_filter_form(
        filterset.form,
        hide=("ordering", "sort", "column"),
        words={"as_of": ("Missions active on", ""), "kind": ("Kind of mission", "")},
    )
    return render(
        request,
        "partnerships/matrix_missions.html",
        {
            "matrix": matrix,
            "form": form,
            "valid": valid,
            "day": filterset.data_of.get("as_of"),
            "sort": request.GET.get("sort", ""),
        },
    )
