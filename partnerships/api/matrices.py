"""The partner x framework and partner x mission matrices, as JSON or CSV."""

import django_filters as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from partnerships.api.base import StrictQueryMixin, wants_csv
from partnerships.compose.matrices import FrameworkMatrixFilterSet, MissionMatrixFilterSet
from partnerships.exports import streamed_csv

FORMAT_PARAMETER = OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv", "csv-excel"])


def filterset_parameters(filterset_class) -> list[OpenApiParameter]:
    """The OpenAPI parameters of a FilterSet used outside a generic view: each filter with
    its type, repetition, choices and help text."""
    parameters = []
    for name, item in filterset_class.base_filters.items():
        many = isinstance(item, filters.MultipleChoiceFilter | filters.ModelMultipleChoiceFilter)
        kind = OpenApiTypes.DATE if isinstance(item, filters.DateFilter) else OpenApiTypes.STR
        enum = None
        if isinstance(item, filters.MultipleChoiceFilter) and item.extra.get("choices"):
            enum = [value for value, _ in item.extra["choices"]]
        elif isinstance(item, filters.OrderingFilter):
            enum = [v for v, _ in item.extra["choices"]]
        parameters.append(
            OpenApiParameter(
                name,
                kind,
                many=many or None,
                enum=enum,
                description=str(item.extra.get("help_text") or item.label or ""),
            )
        )
    return [*parameters, FORMAT_PARAMETER]


class MatrixView(StrictQueryMixin, APIView):
    """Read-only cross-references (GET only: any other method is a 405), filtered by the
    same FilterSet as the matrix page, so a page's query string works here unchanged."""

    permission_classes = [permissions.AllowAny]
    filterset_class: type = None
    throttle_scope = "matrix"  # a whole cross-reference: its own, lower budget per client

    def filterset(self, request):
        data = request.query_params.copy()
        data.pop("format", None)
        filterset = self.filterset_class(data or None, request=request)
        if filterset.is_bound and not filterset.is_valid():
            raise ValidationError(filterset.errors)
        return filterset


class FrameworkMatrixView(MatrixView):
    """Partners x frameworks: each cell gives the partner's period(s) in the framework and,
    with `as_of` (a day, a month or a year), whether it was in the framework then:
    `active` is true when possibly, and `certainty` says "certain" or "possible"."""

    filterset_class = FrameworkMatrixFilterSet

    @extend_schema(
        parameters=filterset_parameters(FrameworkMatrixFilterSet),
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        filterset = self.filterset(request)
        matrix = filterset.matrix()
        as_of = filterset.data_of.get("as_of")
        if wants_csv(request):
            header = ["iso3", "partner"] + [f.slug for f in matrix.columns]
            rows = (
                [p.iso3, p.name]
                + [
                    (
                        ""
                        if c is None
                        else (f"{c.certainty or 'not'} in: " if as_of else "") + c.label
                    )
                    for c in cells
                ]
                for p, cells in matrix.grid()
            )
            return streamed_csv(request, "matrix-frameworks", header, rows)
        return Response(
            {
                "as_of": str(as_of) if as_of else None,
                "columns": [
                    {"slug": f.slug, "acronym": f.acronym, "name": f.name} for f in matrix.columns
                ],
                "rows": [
                    {
                        "partner": {"iso3": p.iso3, "name": p.name},
                        "cells": {
                            column.slug: {
                                "active": cell.active,
                                "certainty": cell.certainty or None,
                                "periods": [
                                    {
                                        "start": x.start_iso or None,
                                        "end": x.end_iso or None,
                                        "end_unknown": x.end_unknown,
                                        "status": x.status,
                                    }
                                    for x in cell.periods
                                ],
                            }
                            for column, cell in zip(matrix.columns, cells, strict=True)
                            if cell is not None
                        },
                    }
                    for p, cells in matrix.grid()
                ],
            }
        )


class MissionMatrixView(MatrixView):
    """Partners x missions: each cell gives the roles and the largest personnel figure
    recorded (`largest_personnel`: the largest the sources give, not a known peak)."""

    filterset_class = MissionMatrixFilterSet

    @extend_schema(
        parameters=filterset_parameters(MissionMatrixFilterSet),
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        matrix = self.filterset(request).matrix()
        if wants_csv(request):
            header = ["iso3", "partner"] + [m.slug for m in matrix.columns]
            rows = (
                [p.iso3, p.name] + ["" if c is None else c.label for c in cells]
                for p, cells in matrix.grid()
            )
            return streamed_csv(request, "matrix-missions", header, rows)
        return Response(
            {
                "columns": [
                    {"slug": m.slug, "acronym": m.acronym, "name": m.name} for m in matrix.columns
                ],
                "rows": [
                    {
                        "partner": {"iso3": p.iso3, "name": p.name},
                        "cells": {
                            column.slug: {
                                "roles": cell.roles,
                                "largest_personnel": cell.largest_personnel,
                            }
                            for column, cell in zip(matrix.columns, cells, strict=True)
                            if cell is not None
                        },
                    }
                    for p, cells in matrix.grid()
                ],
            }
        )
