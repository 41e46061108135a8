"""API of missions, contributions and their dated personnel figures."""

from django.db.models import Prefetch, prefetch_related_objects
from rest_framework import serializers, viewsets

import partnerships.api.lean as lean
from missions.filtersets import ContributionFilterSet, FigureFilterSet, MissionFilterSet
from missions.models import (
    LARGEST,
    LATEST,
    Contribution,
    ContributionFigure,
    Mission,
    Role,
    counted_q,
    one_figure,
)
from partnerships.api.base import CleanModelSerializer, CSVExportMixin, StrictQueryMixin, page_url
from partnerships.api.fields import (
    COVERAGE_HELP,
    PeriodSerializerMixin,
    PreciseDateField,
    PrecisionField,
    SourceRefSerializer,
    coverage_data,
    period_csv_columns,
    sources_csv_columns,
    sources_field,
)
from partnerships.api.known_at import KnownAtMixin, known_at_schema
from partnerships.api.lean import LeanListMixin
from partnerships.api.locking import OptimisticLockMixin
from partnerships.api.reasons import ChangeReasonMixin
from partnerships.dates import format_date
from partnerships.models import CooperationArea, Partner, Source


class MissionSerializer(PeriodSerializerMixin, CleanModelSerializer):
    hosts = serializers.SerializerMethodField(help_text="Host countries, ISO alpha-2.")
    cooperation_areas = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=CooperationArea.objects.all(), required=False
    )
    contributors = serializers.IntegerField(
        read_only=True, help_text="Partners with a recorded contribution."
    )
    sources = sources_field()
    api_url = serializers.HyperlinkedIdentityField(
        view_name="api:mission-detail", lookup_field="slug"
    )
    page_url = serializers.SerializerMethodField()
    coverage = serializers.SerializerMethodField(help_text=COVERAGE_HELP)

    class Meta:
        model = Mission
        fields = (
            "slug",
            "acronym",
            "name",
            "kind",
            "region",
            "hosts",
            *PeriodSerializerMixin.PERIOD_FIELDS,
            "mandate",
            "description",
            "cooperation_areas",
            "contributors",
            "sources",
            "coverage",
            "api_url",
            "page_url",
        )

    def get_coverage(self, obj) -> dict | None:
        return coverage_data(obj.coverage(), self.context.get("request"))

    def get_hosts(self, obj) -> list[str]:
        return [country.code for country in obj.hosts]

    def get_page_url(self, obj) -> str | None:
        return page_url(self.context.get("request"), obj)


@known_at_schema
class MissionViewSet(
    OptimisticLockMixin,
    ChangeReasonMixin,
    KnownAtMixin,
    StrictQueryMixin,
    CSVExportMixin,
    viewsets.ModelViewSet,
):
    """NATO-led missions, operations and exercises."""

    serializer_class = MissionSerializer
    filterset_class = MissionFilterSet
    known_at_values = {"contributors": None}
    lookup_field = "slug"
    csv_columns = [
        ("slug", "slug"),
        ("acronym", "acronym"),
        ("name", "name"),
        ("kind", "kind"),
        ("region", "region"),
        ("hosts", lambda m: "; ".join(c.code for c in m.hosts)),
        *period_csv_columns(),
        ("mandate", "mandate"),
        ("contributors", "contributors"),
        *sources_csv_columns(),
    ]

    def get_queryset(self):
        return (
            Mission.objects.prefetch_related("cooperation_areas", "sources")
            .select_related("coverage_nations_source", "coverage_partners_source")
            .with_contributor_count()
            .with_partner_contributors()
            .order_by("covers_from", "name")
        )


class FigureSerializer(CleanModelSerializer):
    contribution = serializers.PrimaryKeyRelatedField(queryset=Contribution.objects.all())
    partner = serializers.CharField(source="contribution.partner.iso3", read_only=True)
    mission = serializers.CharField(source="contribution.mission.slug", read_only=True)
    as_of = PreciseDateField("as_of", help_text="YYYY, YYYY-MM or YYYY-MM-DD.")
    as_of_precision = PrecisionField(optional=False)
    source = serializers.PrimaryKeyRelatedField(
        queryset=Source.objects.all(), help_text="Exactly one source (id)."
    )
    source_detail = SourceRefSerializer(source="source", read_only=True)
    api_url = serializers.HyperlinkedIdentityField(view_name="api:figure-detail")

    class Meta:
        model = ContributionFigure
        fields = (
            "id",
            "contribution",
            "partner",
            "mission",
            "as_of",
            "as_of_precision",
            "personnel",
            "measure",
            "estimate",
            "source",
            "source_detail",
            "notes",
            "rank",
            "rank_reason",
            "api_url",
        )


class FigureInlineSerializer(serializers.ModelSerializer):
    as_of = serializers.CharField(source="as_of_iso")
    source = SourceRefSerializer(read_only=True)

    class Meta:
        model = ContributionFigure
        fields = (
            "id",
            "as_of",
            "as_of_precision",
            "personnel",
            "measure",
            "estimate",
            "rank",
            "source",
        )


class ContributionSerializer(PeriodSerializerMixin, CleanModelSerializer):
    partner = serializers.SlugRelatedField(slug_field="iso3", queryset=Partner.objects.all())
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    mission = serializers.SlugRelatedField(slug_field="slug", queryset=Mission.objects.all())
    mission_name = serializers.CharField(source="mission.name", read_only=True)
    roles = serializers.SlugRelatedField(slug_field="slug", many=True, queryset=Role.objects.all())
    cooperation_areas = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=CooperationArea.objects.all(), required=False
    )
    latest_figure = serializers.SerializerMethodField()
    largest_figure = serializers.SerializerMethodField(
        help_text="The largest personnel figure recorded (the largest a source gives, not "
        "necessarily the contribution's peak), with its date and source."
    )
    figure_count = serializers.IntegerField(
        read_only=True, help_text="How many personnel figures are recorded."
    )
    figures_from = serializers.DateField(
        read_only=True, allow_null=True, help_text="The date of the earliest figure."
    )
    figures_until = serializers.DateField(
        read_only=True, allow_null=True, help_text="The date of the latest figure."
    )
    sources = sources_field()
    api_url = serializers.HyperlinkedIdentityField(view_name="api:contribution-detail")
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = Contribution
        fields = (
            "id",
            "partner",
            "partner_name",
            "mission",
            "mission_name",
            *PeriodSerializerMixin.PERIOD_FIELDS,
            "roles",
            "description",
            "cooperation_areas",
            "latest_figure",
            "largest_figure",
            "figure_count",
            "figures_from",
            "figures_until",
            "sources",
            "api_url",
            "page_url",
        )

    def _figure(self, figure):
        # One serializer for every figure shown, not one built per contribution.
        if figure is None:
            return None
        if not hasattr(self, "_figures"):
            self._figures = FigureInlineSerializer(context=self.context)
        return self._figures.to_representation(figure)

    def get_latest_figure(self, obj) -> dict | None:
        return self._figure(obj.latest_figure)

    def get_largest_figure(self, obj) -> dict | None:
        return self._figure(obj.largest_figure)

    def get_page_url(self, obj) -> str | None:
        return page_url(self.context.get("request"), obj.mission)


class ContributionDetailSerializer(ContributionSerializer):
    figures = FigureInlineSerializer(many=True, read_only=True)

    class Meta(ContributionSerializer.Meta):
        fields = (*ContributionSerializer.Meta.fields, "figures")


@known_at_schema
class ContributionViewSet(
    OptimisticLockMixin,
    ChangeReasonMixin,
    KnownAtMixin,
    StrictQueryMixin,
    LeanListMixin,
    CSVExportMixin,
    viewsets.ModelViewSet,
):
    """What partners contributed to missions, with their dated personnel figures."""

    serializer_class = ContributionSerializer
    filterset_class = ContributionFilterSet
    csv_columns = [
        ("id", "id"),
        ("partner", "partner.iso3"),
        ("partner_name", "partner.name"),
        ("mission", "mission.slug"),
        *period_csv_columns(),
        ("roles", lambda c: "; ".join(r.slug for r in c.roles.all())),
        ("latest_personnel", lambda c: getattr(c.latest_figure, "personnel", "")),
        ("latest_as_of", lambda c: getattr(c.latest_figure, "as_of_iso", "")),
        ("largest_personnel", lambda c: getattr(c.largest_figure, "personnel", "")),
        ("largest_as_of", lambda c: getattr(c.largest_figure, "as_of_iso", "")),
        ("figure_count", "figure_count"),
        ("figures_from", "figures_from"),
        ("figures_until", "figures_until"),
        ("description", "description"),
        *sources_csv_columns(),
    ]

    # The list, from plain rows (partnerships/api/lean.py): the same fields as the serializer.
    lean_values = (
        "id",
        "partner__iso3",
        "partner__name",
        "mission__slug",
        "mission__name",
        *lean.PERIOD_VALUES,
        "description",
        "figure_count",
        "figures_from",
        "figures_until",
    )
    lean_annotations = ("certainty",)

    def lean_rows(self, rows, links):
        ids = [row["id"] for row in rows]
        roles = lean.linked_slugs(Contribution.roles.through, "contribution", "role", ids, "name")
        areas = lean.linked_slugs(
            Contribution.cooperation_areas.through, "contribution", "cooperationarea", ids, "name"
        )
        sources = lean.linked_sources(Contribution.sources.through, "contribution", ids, links)
        latest = self.lean_figures(ids, LATEST, links)
        largest = self.lean_figures(ids, LARGEST, links)
        return [
            {
                "id": row["id"],
                "partner": row["partner__iso3"],
                "partner_name": row["partner__name"],
                "mission": row["mission__slug"],
                "mission_name": row["mission__name"],
                **lean.period(row),
                "roles": roles.get(row["id"], []),
                "description": row["description"],
                "cooperation_areas": areas.get(row["id"], []),
                "latest_figure": latest.get(row["id"]),
                "largest_figure": largest.get(row["id"]),
                "figure_count": row["figure_count"],
                "figures_from": lean.iso(row["figures_from"]),
                "figures_until": lean.iso(row["figures_until"]),
                "sources": sources.get(row["id"], []),
                "api_url": links.to("api:contribution-detail", row["id"]),
                "page_url": links.to("mission-detail", row["mission__slug"]),
            }
            for row in rows
        ]

    @staticmethod
    def lean_figures(ids, order, links) -> dict[int, dict]:
        """Each contribution's first figure in ``order`` (latest, largest), one query."""
        # The figures that count (missions.models.counted_q), as one_figure() picks them.
        counting = ContributionFigure.objects.filter(counted_q(), contribution_id__in=ids)
        figures = lean.first_per_group(counting, "contribution_id", order).values(
            "contribution_id",
            "id",
            "as_of",
            "as_of_precision",
            "personnel",
            "measure",
            "estimate",
            "rank",
            *(f"source__{name}" for name in lean.SOURCE_VALUES),
        )
        return {
            row["contribution_id"]: {
                "id": row["id"],
                "as_of": format_date(row["as_of"], row["as_of_precision"]),
                "as_of_precision": row["as_of_precision"],
                "personnel": row["personnel"],
                "measure": row["measure"],
                "estimate": row["estimate"],
                "rank": row["rank"],
                "source": lean.source_ref(row, links, "source__"),
            }
            for row in figures
        }

    def get_serializer_class(self):
        # A list carries each contribution's latest and largest figure; the whole series
        # is in the detail (and at /figures/?contribution=<id>): at scale a contribution
        # has hundreds of monthly figures.
        return ContributionDetailSerializer if self.action == "retrieve" else ContributionSerializer

    def annotate_known_at(self, instances):
        # Past contributions: their latest and largest figure from one prefetch.
        prefetch_related_objects(
            instances,
            one_figure(LATEST, "latest_figures"),
            one_figure(LARGEST, "largest_figures"),
        )

    def get_queryset(self):
        queryset = (
            Contribution.objects.select_related("partner", "mission")
            .prefetch_related("roles", "cooperation_areas", "sources")
            .with_figure_summary()
        )
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                Prefetch(
                    "figures",
                    queryset=ContributionFigure.objects.select_related("source").order_by("as_of"),
                )
            )
        return queryset.order_by("partner__name", "covers_from", "id")


@known_at_schema
class FigureViewSet(
    OptimisticLockMixin,
    ChangeReasonMixin,
    KnownAtMixin,
    StrictQueryMixin,
    LeanListMixin,
    CSVExportMixin,
    viewsets.ModelViewSet,
):
    """Dated personnel figures: a time series per contribution, each with one source."""

    serializer_class = FigureSerializer
    filterset_class = FigureFilterSet
    csv_columns = [
        ("id", "id"),
        ("contribution", "contribution_id"),
        ("partner", "contribution.partner.iso3"),
        ("mission", "contribution.mission.slug"),
        ("as_of", "as_of_iso"),
        ("as_of_precision", "as_of_precision"),
        ("personnel", "personnel"),
        ("measure", "measure"),
        ("estimate", "estimate"),
        ("source", "source.key"),
        ("source_title", "source.title"),
        ("source_url", "source.url"),
        ("notes", "notes"),
    ]

    # The CSV of the whole table (a million rows at scale) is read as plain values.
    csv_values = [
        ("id", "id", None),
        ("contribution", "contribution_id", None),
        ("partner", "contribution__partner__iso3", None),
        ("mission", "contribution__mission__slug", None),
        ("as_of", ("as_of", "as_of_precision"), format_date),
        ("as_of_precision", "as_of_precision", None),
        ("personnel", "personnel", None),
        ("measure", "measure", None),
        ("estimate", "estimate", None),
        ("source", "source__key", None),
        ("source_title", "source__title", None),
        ("source_url", "source__url", None),
        ("notes", "notes", None),
    ]

    # The list, from plain rows (partnerships/api/lean.py): the same fields as the serializer.
    lean_values = (
        "id",
        "contribution_id",
        "contribution__partner__iso3",
        "contribution__mission__slug",
        "as_of",
        "as_of_precision",
        "personnel",
        "measure",
        "estimate",
        "notes",
        "rank",
        "rank_reason",
        *(f"source__{name}" for name in lean.SOURCE_VALUES),
    )

    def lean_rows(self, rows, links):
        return [
            {
                "id": row["id"],
                "contribution": row["contribution_id"],
                "partner": row["contribution__partner__iso3"],
                "mission": row["contribution__mission__slug"],
                "as_of": lean.precise(row["as_of"], row["as_of_precision"]),
                "as_of_precision": row["as_of_precision"],
                "personnel": row["personnel"],
                "measure": row["measure"],
                "estimate": row["estimate"],
                "source": row["source__id"],
                "source_detail": lean.source_ref(row, links, "source__"),
                "notes": row["notes"],
                "rank": row["rank"],
                "rank_reason": row["rank_reason"],
                "api_url": links.to("api:figure-detail", row["id"]),
            }
            for row in rows
        ]

    def get_queryset(self):
        return ContributionFigure.objects.select_related(
            "contribution__partner", "contribution__mission", "source"
        ).order_by("as_of", "id")
