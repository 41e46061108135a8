"""API of the core: partners (with their timeline), milestones, sources, cooperation
areas, and the partner x framework / partner x mission matrices."""

import datetime as dt

from django import forms
from django.apps import apps
from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import permissions, serializers, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated, ValidationError
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.validators import UniqueValidator
from rest_framework.views import APIView

from .api_support import (
    CleanModelSerializer,
    CSVExportMixin,
    KnownAtMixin,
    PageNumberPagination,
    PreciseDateField,
    SourceRefSerializer,
    cell_value,
    known_at_schema,
    sources_csv_columns,
    sources_field,
    streamed_csv,
    wants_csv,
)
from .crossref import framework_matrix, mission_matrix, partner_timeline, partner_with_facts
from .dates import active_on_q
from .filtersets import (
    AS_OF_HELP,
    CooperationAreaFilterSet,
    MilestoneFilterSet,
    PartnerFilterSet,
    SourceFilterSet,
)
from .history import snapshot
from .models import (
    CooperationArea,
    Milestone,
    Partner,
    Region,
    Release,
    Source,
    iso3_validator,
)
from .quality import disagreements, quality_checks


def page_url(request, obj) -> str | None:
    return request.build_absolute_uri(obj.get_absolute_url()) if request else None


# -- partners -----------------------------------------------------------------------------


def partner_status(partner: Partner, today: dt.date | None = None) -> str:
    """partner, ally, suspended or former (needs ``current_participations`` prefetched)."""
    today = today or dt.date.today()
    if partner.is_ally_on(today):
        return "ally"
    statuses = {p.status for p in partner.current_participations}
    if "active" in statuses:
        return "partner"
    return "suspended" if "suspended" in statuses else "former"


def partners_for_api():
    """Partners with what their serializer shows, in a fixed number of queries."""
    participation = apps.get_model("frameworks.Participation")
    current = (
        participation.objects.filter(active_on_q(dt.date.today()))
        .select_related("framework")
        .order_by("framework__name")
    )
    return Partner.objects.prefetch_related(
        "sources", Prefetch("participations", queryset=current, to_attr="current_participations")
    )


class UpperCaseField(serializers.CharField):
    def to_internal_value(self, data):
        return super().to_internal_value(data).upper()


class PartnerSerializer(CleanModelSerializer):
    iso3 = UpperCaseField(
        max_length=3,
        validators=[iso3_validator, UniqueValidator(queryset=Partner.objects.all())],
        help_text="ISO 3166-1 alpha-3 code (any case on write).",
    )
    iso2 = serializers.CharField(source="country.code", read_only=True)
    nato_accession = PreciseDateField(
        "nato_accession", required=False, allow_null=True, help_text="Date it acceded to NATO."
    )
    nato_accession_precision = serializers.CharField(read_only=True)
    status = serializers.SerializerMethodField(
        help_text="Today: partner, ally (acceded to NATO), suspended or former."
    )
    current_frameworks = serializers.SerializerMethodField()
    flag_url = serializers.SerializerMethodField()
    sources = sources_field(required=False)
    api_url = serializers.HyperlinkedIdentityField(
        view_name="api:partner-detail", lookup_field="iso3"
    )
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = Partner
        fields = (
            "iso3",
            "iso2",
            "name",
            "other_names",
            "region",
            "status",
            "nato_accession",
            "nato_accession_precision",
            "current_frameworks",
            "profile",
            "wikidata_qid",
            "cow_code",
            "flag_url",
            "sources",
            "api_url",
            "page_url",
        )

    def get_status(self, obj) -> str:
        known_at = getattr(self.context.get("request"), "known_at", None)
        today = known_at.date() if known_at else dt.date.today()
        if not hasattr(obj, "current_participations"):
            obj.current_participations = list(
                obj.participations.filter(active_on_q(today)).select_related("framework")
            )
        return partner_status(obj, today)

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "slug": {"type": "string"},
                    "acronym": {"type": "string"},
                    "name": {"type": "string"},
                    "since": {"type": "string", "nullable": True},
                    "status": {"type": "string"},
                },
            },
        }
    )
    def get_current_frameworks(self, obj):
        self.get_status(obj)
        return [
            {
                "slug": p.framework.slug,
                "acronym": p.framework.acronym,
                "name": p.framework.name,
                "since": p.start_iso or None,
                "status": p.status,
            }
            for p in obj.current_participations
        ]

    def get_flag_url(self, obj) -> str | None:
        request = self.context.get("request")
        if not obj.country or not request:
            return None
        return request.build_absolute_uri(obj.country.flag)

    def get_page_url(self, obj) -> str | None:
        return page_url(self.context.get("request"), obj)


class TimelineEventSerializer(serializers.Serializer):
    date = serializers.CharField(source="date_iso", help_text="At its precision.")
    precision = serializers.CharField()
    kind = serializers.CharField(
        help_text="accession, participation-start, participation-end, contribution-start, "
        "contribution-end or milestone."
    )
    title = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, event) -> str | None:
        request = self.context.get("request")
        return request.build_absolute_uri(event.url) if event.url and request else None


@known_at_schema
class PartnerViewSet(KnownAtMixin, CSVExportMixin, viewsets.ModelViewSet):
    """Partner nations: nations that are or were NATO partners.

    Look a partner up by its ISO 3166-1 alpha-3 code in any case (`/partners/GEO/`).
    """

    serializer_class = PartnerSerializer
    filterset_class = PartnerFilterSet
    lookup_field = "iso3"
    lookup_value_regex = "[A-Za-z]{3}"
    csv_columns = [
        ("iso3", "iso3"),
        ("iso2", lambda p: p.country.code),
        ("name", "name"),
        ("other_names", lambda p: "; ".join(p.other_names)),
        ("region", "region"),
        ("status", partner_status),
        ("nato_accession", lambda p: p.nato_accession_display and str(p.nato_accession)),
        ("nato_accession_precision", "nato_accession_precision"),
        (
            "current_frameworks",
            lambda p: "; ".join(x.framework.slug for x in p.current_participations),
        ),
        ("wikidata_qid", "wikidata_qid"),
        ("cow_code", "cow_code"),
        *sources_csv_columns(),
    ]

    def get_queryset(self):
        return partners_for_api().order_by("name")

    def annotate_known_at(self, instances):
        """Frameworks and status as the knowledge base had them at the known_at moment."""
        day = self.known_at.date()
        records = (
            snapshot(apps.get_model("frameworks.Participation"), self.known_at)
            .filter(active_on_q(day), partner__in=[p.pk for p in instances])
            .order_by("framework__name")
        )
        participations = [record.instance for record in records]
        prefetch_related_objects(participations, "framework")
        by_partner = {}
        for item in participations:
            by_partner.setdefault(item.partner_id, []).append(item)
        for partner in instances:
            partner.current_participations = by_partner.get(partner.pk, [])

    def get_object(self):
        self.kwargs[self.lookup_field] = self.kwargs[self.lookup_field].upper()
        return super().get_object()

    @extend_schema(
        responses=TimelineEventSerializer(many=True),
        summary="Everything dated about one partner, oldest first",
    )
    @action(detail=True, filterset_class=None, pagination_class=None)
    def timeline(self, request, iso3=None):
        partner = (
            partner_with_facts(Partner.objects.filter(iso3=iso3.upper())).first() if iso3 else None
        )
        if partner is None:
            raise Http404
        events = partner_timeline(partner)
        if wants_csv(request):
            return streamed_csv(
                request,
                f"{partner.iso3.lower()}-timeline",
                ["date", "precision", "kind", "title", "url"],
                (
                    [e.date_iso, e.precision, e.kind, e.title, page_abs(request, e.url)]
                    for e in events
                ),
            )
        return Response(
            TimelineEventSerializer(events, many=True, context={"request": request}).data
        )


def page_abs(request, url):
    return request.build_absolute_uri(url) if url else ""


# -- milestones ---------------------------------------------------------------------------


class MilestoneSerializer(CleanModelSerializer):
    partner = serializers.SlugRelatedField(slug_field="iso3", queryset=Partner.objects.all())
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    date = PreciseDateField("date", help_text="YYYY, YYYY-MM or YYYY-MM-DD.")
    date_precision = serializers.CharField(read_only=True)
    sources = sources_field()
    api_url = serializers.HyperlinkedIdentityField(view_name="api:milestone-detail")
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = Milestone
        fields = (
            "id",
            "partner",
            "partner_name",
            "date",
            "date_precision",
            "kind",
            "title",
            "description",
            "sources",
            "api_url",
            "page_url",
        )

    def get_page_url(self, obj) -> str | None:
        return page_url(self.context.get("request"), obj.partner)


@known_at_schema
class MilestoneViewSet(KnownAtMixin, CSVExportMixin, viewsets.ModelViewSet):
    """Dated events in a partner's path: action plans, summit decisions, applications..."""

    serializer_class = MilestoneSerializer
    filterset_class = MilestoneFilterSet
    csv_columns = [
        ("id", "id"),
        ("partner", "partner.iso3"),
        ("date", "date_iso"),
        ("date_precision", "date_precision"),
        ("kind", "kind"),
        ("title", "title"),
        ("description", "description"),
        *sources_csv_columns(),
    ]

    def get_queryset(self):
        return (
            Milestone.objects.select_related("partner")
            .prefetch_related("sources")
            .order_by("date", "id")
        )


# -- sources --------------------------------------------------------------------------------

CITING = (
    ("partners", "partner"),
    ("frameworks", "framework"),
    ("participations", "participation"),
    ("missions", "mission"),
    ("contributions", "contribution"),
    ("figures", "figure"),
    ("milestones", "milestone"),
)


class SourceSerializer(CleanModelSerializer):
    published = PreciseDateField("published", required=False, allow_null=True)
    published_precision = serializers.CharField(read_only=True)
    cited_by = serializers.SerializerMethodField(
        help_text="How many facts of each kind cite this source."
    )
    api_url = serializers.HyperlinkedIdentityField(view_name="api:source-detail")
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = Source
        fields = (
            "id",
            "key",
            "title",
            "publisher",
            "url",
            "published",
            "published_precision",
            "accessed",
            "kind",
            "notes",
            "cited_by",
            "api_url",
            "page_url",
        )

    def get_cited_by(self, obj) -> dict[str, int]:
        return {name: getattr(obj, f"n_{name}", 0) for name, _ in CITING}

    def get_page_url(self, obj) -> str | None:
        return page_url(self.context.get("request"), obj)


@known_at_schema
class SourceViewSet(KnownAtMixin, CSVExportMixin, viewsets.ModelViewSet):
    """The documents facts cite, with how many facts of each kind cite them."""

    serializer_class = SourceSerializer
    filterset_class = SourceFilterSet
    known_at_values = {f"n_{name}": None for name, _ in CITING}
    csv_columns = [
        ("id", "id"),
        ("key", "key"),
        ("title", "title"),
        ("publisher", "publisher"),
        ("url", "url"),
        ("published", lambda s: cell_value(s, "published") and s.published.isoformat()),
        ("published_precision", "published_precision"),
        ("accessed", "accessed"),
        ("kind", "kind"),
    ]

    def get_queryset(self):
        # One COUNT subquery per kind of citing fact, not a query per source.
        queryset = Source.objects.order_by("publisher", "title")
        for name, _ in CITING:
            relation = Source._meta.get_field(name)
            through = getattr(relation, "through", None)
            if through is not None:
                rows = through.objects.filter(source=OuterRef("pk"))
            else:
                rows = relation.related_model.objects.filter(source=OuterRef("pk"))
            counted = rows.order_by().values("source").annotate(c=Count("*")).values("c")
            queryset = queryset.annotate(
                **{f"n_{name}": Coalesce(Subquery(counted, output_field=IntegerField()), 0)}
            )
        return queryset


# -- cooperation areas -------------------------------------------------------------------------


class CooperationAreaSerializer(CleanModelSerializer):
    api_url = serializers.HyperlinkedIdentityField(
        view_name="api:cooperation-area-detail", lookup_field="slug"
    )

    class Meta:
        model = CooperationArea
        fields = ("slug", "name", "description", "api_url")


@known_at_schema
class CooperationAreaViewSet(KnownAtMixin, CSVExportMixin, viewsets.ModelViewSet):
    """The taxonomy of cooperation areas frameworks, missions and contributions carry."""

    serializer_class = CooperationAreaSerializer
    filterset_class = CooperationAreaFilterSet
    lookup_field = "slug"
    queryset = CooperationArea.objects.order_by("name")
    csv_columns = [("slug", "slug"), ("name", "name"), ("description", "description")]


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


# -- API tokens ----------------------------------------------------------------------------


class TokenView(ObtainAuthToken):
    """POST a user name and password for your API token; DELETE (authenticated) revokes it.

    Failed attempts count towards the login lockout like the admin's.
    """

    throttle_classes = [AnonRateThrottle]

    def delete(self, request):
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        deleted, _ = Token.objects.filter(user=request.user).delete()
        return Response({"revoked": bool(deleted)})

    def get_permissions(self):
        return (
            [permissions.AllowAny()]
            if self.request.method == "POST"
            else [permissions.IsAuthenticated()]
        )


# -- releases --------------------------------------------------------------------------------


class ReleaseSerializer(serializers.ModelSerializer):
    citation = serializers.CharField(read_only=True)
    api_url = serializers.HyperlinkedIdentityField(
        view_name="api:release-detail", lookup_field="version"
    )

    class Meta:
        model = Release
        fields = ("version", "created", "notes", "checksum", "counts", "citation", "api_url")


class ReleaseDetailSerializer(ReleaseSerializer):
    class Meta(ReleaseSerializer.Meta):
        fields = (*ReleaseSerializer.Meta.fields, "changelog")


class ReleaseViewSet(viewsets.ReadOnlyModelViewSet):
    """Numbered dataset releases; each detail carries its machine-readable changelog
    (added / changed with field-level before and after / removed, by kind of fact)."""

    queryset = Release.objects.order_by("-created")
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


class ReconcileView(APIView):
    """Figures of one partner and mission, dated within a month of each other, that
    disagree: side by side with their sources and the size of the disagreement."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("partner", OpenApiTypes.STR, description="ISO alpha-3."),
            OpenApiParameter("mission", OpenApiTypes.STR, description="Mission slug."),
            OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv"]),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        partner = mission = None
        if code := request.query_params.get("partner"):
            partner = Partner.objects.filter(iso3=code.upper()).first()
            if partner is None:
                raise ValidationError({"partner": [f"Unknown partner: {code}."]})
        if slug := request.query_params.get("mission"):
            mission = apps.get_model("missions.Mission").objects.filter(slug=slug).first()
            if mission is None:
                raise ValidationError({"mission": [f"Unknown mission: {slug}."]})
        found = disagreements(partner, mission)
        if wants_csv(request):
            rows = (
                [d.partner.iso3, d.mission.slug, f.as_of_iso, f.personnel, f.source.key,
                 f.source.url, d.spread, d.relative_spread]
                for d in found
                for f in d.figures
            )  # fmt: skip
            header = ["partner", "mission", "as_of", "personnel", "source", "source_url",
                      "spread", "relative_spread"]  # fmt: skip
            return streamed_csv(request, "reconcile", header, rows)
        return Response(
            {
                "count": len(found),
                "window_days": 31,
                "results": [
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
                    for d in found
                ],
            }
        )


class QualityView(APIView):
    """Data-quality checks for curators: a summary, or one check's flagged facts (paginated)."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("check", OpenApiTypes.STR, description="One check's name.")],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        checks = quality_checks()
        name = request.query_params.get("check")
        if not name:
            return Response(
                {
                    key: {
                        "title": check["title"],
                        "count": check["queryset"].count(),
                        "url": request.build_absolute_uri(f"?check={key}"),
                    }
                    for key, check in checks.items()
                }
            )
        if name not in checks:
            raise ValidationError({"check": [f"Unknown check; one of: {', '.join(checks)}."]})
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(checks[name]["queryset"], request, view=self)
        return paginator.get_paginated_response(
            [
                {"id": obj.pk, "label": str(obj), "admin_url": _admin_url(request, obj)}
                for obj in page
            ]
        )
