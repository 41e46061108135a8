"""The partner x framework and partner x mission matrices, as JSON or CSV."""

from django import forms
from django.apps import apps
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from partnerships.api.base import wants_csv
from partnerships.compose.matrices import framework_matrix, mission_matrix
from partnerships.dates import AS_OF_HELP
from partnerships.exports import streamed_csv
from partnerships.models import (
    Partner,
    Region,
)

# -- matrices ----------------------------------------------------------------------------------


class MatrixForm(forms.Form):
    region = forms.MultipleChoiceField(choices=Region.choices, required=False)
    partner = forms.CharField(required=False, max_length=2000)
    as_of = forms.DateField(required=False)


def _slugs(request, name, model_label):
    slugs = request.query_params.getlist(name)
    model = apps.get_model(model_label)
    found = list(model.objects.filter(slug__in=slugs)) if slugs else list(model.objects.all())
    missing = set(slugs) - {m.slug for m in found}
    if missing:
        raise ValidationError({name: [f"Unknown {name}: {', '.join(sorted(missing))}."]})
    return found


MATRIX_PARAMETERS = [
    OpenApiParameter("region", OpenApiTypes.STR, many=True, description="Partner region."),
    OpenApiParameter(
        "partner", OpenApiTypes.STR, many=True, description="Partner ISO alpha-3 codes."
    ),
    OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv"]),
]


class MatrixView(APIView):
    """Read-only cross-references (GET only: any other method is a 405)."""

    permission_classes = [permissions.AllowAny]

    def rows(self, request):
        form = MatrixForm(
            {
                "region": request.query_params.getlist("region"),
                "as_of": request.query_params.get("as_of"),
            }
        )
        if not form.is_valid():
            raise ValidationError(form.errors)
        partners = Partner.objects.order_by("name")
        if form.cleaned_data["region"]:
            partners = partners.filter(region__in=form.cleaned_data["region"])
        codes = [c.upper() for c in request.query_params.getlist("partner")]
        if codes:
            partners = partners.filter(iso3__in=codes)
            missing = set(codes) - set(partners.values_list("iso3", flat=True))
            if missing:
                raise ValidationError(
                    {"partner": [f"Unknown partner: {', '.join(sorted(missing))}."]}
                )
        return partners, form.cleaned_data["as_of"]


class FrameworkMatrixView(MatrixView):
    """Partners x frameworks: each cell gives the partner's period(s) in the framework and,
    with `as_of`, whether it was in the framework on that day."""

    @extend_schema(
        parameters=[
            *MATRIX_PARAMETERS,
            OpenApiParameter(
                "framework", OpenApiTypes.STR, many=True, description="Framework slugs (columns)."
            ),
            OpenApiParameter("as_of", OpenApiTypes.DATE, description=AS_OF_HELP),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        partners, as_of = self.rows(request)
        frameworks = _slugs(request, "framework", "frameworks.Framework")
        matrix = framework_matrix(partners, frameworks, as_of)
        if wants_csv(request):
            header = ["iso3", "partner"] + [f.slug for f in matrix.columns]
            rows = (
                [p.iso3, p.name]
                + [
                    (
                        ""
                        if c is None
                        else (("in: " if c.active else "not in: ") if as_of else "") + c.label
                    )
                    for c in cells
                ]
                for p, cells in matrix.grid()
            )
            return streamed_csv(request, "matrix-frameworks", header, rows)
        return Response(
            {
                "as_of": as_of.isoformat() if as_of else None,
                "columns": [
                    {"slug": f.slug, "acronym": f.acronym, "name": f.name} for f in matrix.columns
                ],
                "rows": [
                    {
                        "partner": {"iso3": p.iso3, "name": p.name},
                        "cells": {
                            column.slug: {
                                "active": cell.active,
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
    """Partners x missions: each cell gives the roles and the peak personnel figure."""

    @extend_schema(
        parameters=[
            *MATRIX_PARAMETERS,
            OpenApiParameter(
                "mission", OpenApiTypes.STR, many=True, description="Mission slugs (columns)."
            ),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        partners, _ = self.rows(request)
        missions = _slugs(request, "mission", "missions.Mission")
        matrix = mission_matrix(partners, missions)
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
                                "peak_personnel": cell.peak_personnel,
                            }
                            for column, cell in zip(matrix.columns, cells, strict=True)
                            if cell is not None
                        },
                    }
                    for p, cells in matrix.grid()
                ],
            }
        )
