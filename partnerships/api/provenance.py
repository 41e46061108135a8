"""Releases, and the curators' checks: source reconciliation and data quality."""

import json

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import permissions, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from missions.models import Mission
from partnerships.api.base import PageNumberPagination, StrictQueryMixin, wants_csv
from partnerships.api.fields import SourceRefSerializer
from partnerships.exports import streamed_csv
from partnerships.models import (
    Partner,
    Release,
)
from partnerships.provenance.archive import citation_texts
from partnerships.provenance.quality import (
    WINDOW,
    Disagreements,
    lowest_tier_share,
    quality_checks,
)
from partnerships.provenance.releases import public

# -- releases --------------------------------------------------------------------------------


class ReleaseSerializer(serializers.ModelSerializer):
    citation = serializers.CharField(read_only=True)
    released = serializers.DateField(source="release_date", read_only=True)
    archive_sha256 = serializers.CharField(
        read_only=True, help_text="SHA-256 of the zip archive at download_url."
    )
    download_url = serializers.SerializerMethodField(
        help_text="The release's zip archive (JSON, CSV, datapackage.json, README)."
    )
    cite = serializers.SerializerMethodField(help_text="APA and BibTeX text, and CSL-JSON.")
    api_url = serializers.HyperlinkedIdentityField(
        view_name="api:release-detail", lookup_field="version"
    )

    class Meta:
        model = Release
        fields = (
            "version",
            "created",
            "released",
            "notes",
            "checksum",
            "counts",
            "citation",
            "archive_sha256",
            "download_url",
            "cite",
            "api_url",
        )

    def get_download_url(self, obj) -> str:
        path = reverse("release-download", args=[obj.version])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_cite(self, obj) -> dict:
        request = self.context.get("request")
        path = obj.get_absolute_url()
        url = request.build_absolute_uri(path) if request else path
        texts = citation_texts(obj.version, obj.release_date, url)
        return {
            "apa": texts["apa"],
            "bibtex": texts["bibtex"],
            "csl": json.loads(texts["csl_json"]),
        }


class ReleaseDetailSerializer(ReleaseSerializer):
    changelog = serializers.SerializerMethodField(
        help_text="Since the previous release: `added`, `changed` (with each field's `before` "
        "and `after`) and `removed`, by kind of fact. Each entry has `why` (the curators' "
        'reasons) and `by` (who made it: the names for staff, "a curator" for anyone else).'
    )

    class Meta(ReleaseSerializer.Meta):
        fields = (*ReleaseSerializer.Meta.fields, "changelog")

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_changelog(self, obj) -> dict:
        """The changelog, each entry with its reasons ("why") and who made it ("by"):
        the curators' names for staff, "a curator" for anyone else."""
        request = self.context.get("request")
        staff = bool(request and request.user.is_staff)
        return public(obj.changelog or {}, staff=staff)


class ReleaseViewSet(StrictQueryMixin, viewsets.ReadOnlyModelViewSet):
    """Numbered dataset releases; each detail carries its machine-readable changelog
    (added / changed with field-level before and after / removed, by kind of fact)."""

    queryset = Release.objects.defer("archive").order_by("-created")
    lookup_field = "version"
    lookup_value_regex = r"[0-9][0-9.]*"
    filterset_class = None
    permission_classes = [permissions.AllowAny]

    def get_serializer_class(self):
        return ReleaseDetailSerializer if self.action == "retrieve" else ReleaseSerializer


# -- curators' checks: reconciliation and data quality ------------------------------------------


def _admin_url(request, obj) -> str:
    opts = obj._meta
    return request.build_absolute_uri(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    )


class ReconcileFigureSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    as_of = serializers.CharField(help_text="At its precision: 1995, 1995-11 or 1995-11-28.")
    personnel = serializers.IntegerField()
    measure = serializers.CharField()
    estimate = serializers.BooleanField()
    source = SourceRefSerializer()
    admin_url = serializers.URLField()


class ReconcileClusterSerializer(serializers.Serializer):
    partner = serializers.CharField(help_text="ISO alpha-3.")
    mission = serializers.CharField(help_text="Mission slug.")
    low = serializers.IntegerField()
    high = serializers.IntegerField()
    spread = serializers.IntegerField()
    relative_spread = serializers.FloatField(help_text="The spread as a share of the high.")
    figures = ReconcileFigureSerializer(many=True)


class ReconcilePageSerializer(serializers.Serializer):
    """The schema of a page of reconciliation (the view builds the dictionaries)."""

    count = serializers.IntegerField(help_text="Clusters in all pages.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    window_days = serializers.IntegerField()
    results = ReconcileClusterSerializer(many=True)


class ReconcileView(StrictQueryMixin, APIView):
    """Figures of one partner and mission, dated within a month of each other, that
    disagree: side by side with their sources and the size of the disagreement, largest
    first, a page of clusters at a time (``?format=csv``: every figure of every cluster)."""

    permission_classes = [permissions.AllowAny]
    query_parameters = ("partner", "mission", "page", "page_size")
    throttle_scope = "reconcile"

    @extend_schema(
        parameters=[
            OpenApiParameter("partner", OpenApiTypes.STR, description="ISO alpha-3."),
            OpenApiParameter("mission", OpenApiTypes.STR, description="Mission slug."),
            OpenApiParameter("page", OpenApiTypes.INT, description="A page of clusters (from 1)."),
            OpenApiParameter(
                "page_size",
                OpenApiTypes.INT,
                description="Clusters a page: 1 to 500, 50 by default. CSV: ignored.",
            ),
            OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv", "csv-excel"]),
        ],
        responses=ReconcilePageSerializer,
    )
    def get(self, request):
        partner = mission = None
        if code := request.query_params.get("partner"):
            partner = Partner.objects.filter(iso3=code.upper()).first()
            if partner is None:
                raise ValidationError({"partner": [f"Unknown partner: {code}."]})
        if slug := request.query_params.get("mission"):
            mission = Mission.objects.filter(slug=slug).first()
            if mission is None:
                raise ValidationError({"mission": [f"Unknown mission: {slug}."]})
        found = Disagreements(partner, mission)
        if wants_csv(request):
            header = ["partner", "mission", "as_of", "personnel", "source", "source_url",
                      "spread", "relative_spread"]  # fmt: skip
            return streamed_csv(request, "reconcile", header, found.rows())
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(found, request, view=self)
        response = paginator.get_paginated_response(
            [
                {
                    "partner": d.partner.iso3,
                    "mission": d.mission.slug,
                    "low": d.low,
                    "high": d.high,
                    "spread": d.spread,
                    "relative_spread": d.relative_spread,
                    "figures": [
                        {
                            "id": f.pk,
                            "as_of": f.as_of_iso,
                            "personnel": f.personnel,
                            "measure": f.measure,
                            "estimate": f.estimate,
                            "source": SourceRefSerializer(
                                f.source, context={"request": request}
                            ).data,
                            "admin_url": _admin_url(request, f),
                        }
                        for f in d.figures
                    ],
                }
                for d in page
            ]
        )
        response.data["window_days"] = WINDOW.days
        return response


class QualityView(StrictQueryMixin, APIView):
    """Data-quality checks for curators: a summary, or one check's flagged facts (paginated).
    Staff only, like the quality page."""

    permission_classes = [permissions.IsAdminUser]
    query_parameters = ("check", "page", "page_size")

    @extend_schema(
        parameters=[
            OpenApiParameter("check", OpenApiTypes.STR, description="One check's name."),
            OpenApiParameter("page", OpenApiTypes.INT, description="With check: a page."),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="With check: rows a page."),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        checks = quality_checks()
        name = request.query_params.get("check")
        if not name:
            return Response(
                {
                    **{
                        key: {
                            "title": check["title"],
                            "count": check["queryset"].count(),
                            "url": request.build_absolute_uri(f"?check={key}"),
                        }
                        for key, check in checks.items()
                    },
                    "lowest_tier_share": lowest_tier_share(),
                }
            )
        if name not in checks:
            raise ValidationError({"check": [f"Unknown check; one of: {', '.join(checks)}."]})
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(checks[name]["queryset"], request, view=self)
        reasons = checks[name].get("reasons", {})
        return paginator.get_paginated_response(
            [
                {
                    "id": obj.pk,
                    "label": str(obj),
                    "admin_url": _admin_url(request, obj),
                    **({"reason": reasons[obj.pk]} if obj.pk in reasons else {}),
                }
                for obj in page
            ]
        )
