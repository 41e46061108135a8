"""API of frameworks and participations."""

from rest_framework import serializers, viewsets

from frameworks.filtersets import FrameworkFilterSet, ParticipationFilterSet
from frameworks.models import Framework, Participation
from partnerships.api.base import CleanModelSerializer, CSVExportMixin, StrictQueryMixin, page_url
from partnerships.api.fields import (
    COVERAGE_HELP,
    PeriodSerializerMixin,
    coverage_data,
    period_csv_columns,
    sources_csv_columns,
    sources_field,
)
from partnerships.api.known_at import KnownAtMixin, known_at_schema
from partnerships.api.locking import OptimisticLockMixin
from partnerships.api.reasons import ChangeReasonMixin
from partnerships.models import CooperationArea, Partner


class FrameworkRefSerializer(serializers.ModelSerializer):
    api_url = serializers.HyperlinkedIdentityField(
        view_name="api:framework-detail", lookup_field="slug"
    )

    class Meta:
        model = Framework
        fields = ("slug", "acronym", "name", "api_url")


class FrameworkSerializer(PeriodSerializerMixin, CleanModelSerializer):
    """A framework; its period (start / end) is when it was established and ended."""

    parent = serializers.SlugRelatedField(
        slug_field="slug", queryset=Framework.objects.all(), required=False, allow_null=True
    )
    children = FrameworkRefSerializer(many=True, read_only=True)
    cooperation_areas = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=CooperationArea.objects.all(), required=False
    )
    participants_now = serializers.IntegerField(
        source="participants_on_day", read_only=True, help_text="Partners in the framework today."
    )
    participants_ever = serializers.IntegerField(
        read_only=True, help_text="Partners ever recorded in the framework."
    )
    sources = sources_field()
    api_url = serializers.HyperlinkedIdentityField(
        view_name="api:framework-detail", lookup_field="slug"
    )
    page_url = serializers.SerializerMethodField()
    coverage = serializers.SerializerMethodField(help_text=COVERAGE_HELP)

    class Meta:
        model = Framework
        fields = (
            "slug",
            "acronym",
            "name",
            "kind",
            "parent",
            "children",
            "members_only_partners",
            *PeriodSerializerMixin.PERIOD_FIELDS,
            "description",
            "cooperation_areas",
            "participants_now",
            "participants_ever",
            "sources",
            "coverage",
            "api_url",
            "page_url",
        )

    def get_coverage(self, obj) -> dict | None:
        return coverage_data(obj.coverage(), self.context.get("request"))

    def get_page_url(self, obj) -> str | None:
        return page_url(self.context.get("request"), obj)


@known_at_schema
class FrameworkViewSet(
    OptimisticLockMixin,
    ChangeReasonMixin,
    KnownAtMixin,
    StrictQueryMixin,
    CSVExportMixin,
    viewsets.ModelViewSet,
):
    """Partnership frameworks: programmes, dialogues, initiatives, tools, councils."""

    serializer_class = FrameworkSerializer
    filterset_class = FrameworkFilterSet
    known_at_values = {"participants_on_day": None, "participants_ever": None}
    lookup_field = "slug"
    csv_columns = [
        ("slug", "slug"),
        ("acronym", "acronym"),
        ("name", "name"),
        ("kind", "kind"),
        ("parent", "parent.slug"),
        ("members_only_partners", "members_only_partners"),
        *period_csv_columns(),
        ("participants_now", "participants_on_day"),
        ("participants_ever", "participants_ever"),
        ("cooperation_areas", lambda f: "; ".join(a.slug for a in f.cooperation_areas.all())),
        *sources_csv_columns(),
    ]

    def get_queryset(self):
        return (
            Framework.objects.select_related(
                "parent", "coverage_nations_source", "coverage_partners_source"
            )
            .prefetch_related("children", "cooperation_areas", "sources")
            .with_participant_counts()
            .order_by("name")
        )


class ParticipationSerializer(PeriodSerializerMixin, CleanModelSerializer):
    partner = serializers.SlugRelatedField(slug_field="iso3", queryset=Partner.objects.all())
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    framework = serializers.SlugRelatedField(slug_field="slug", queryset=Framework.objects.all())
    framework_name = serializers.CharField(source="framework.name", read_only=True)
    sources = sources_field()
    api_url = serializers.HyperlinkedIdentityField(view_name="api:participation-detail")
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = Participation
        fields = (
            "id",
            "partner",
            "partner_name",
            "framework",
            "framework_name",
            *PeriodSerializerMixin.PERIOD_FIELDS,
            "status",
            "notes",
            "sources",
            "api_url",
            "page_url",
        )

    def get_page_url(self, obj) -> str | None:
        return page_url(self.context.get("request"), obj.partner)


@known_at_schema
class ParticipationViewSet(
    OptimisticLockMixin,
    ChangeReasonMixin,
    KnownAtMixin,
    StrictQueryMixin,
    CSVExportMixin,
    viewsets.ModelViewSet,
):
    """A partner's periods in frameworks."""

    serializer_class = ParticipationSerializer
    filterset_class = ParticipationFilterSet
    csv_columns = [
        ("id", "id"),
        ("partner", "partner.iso3"),
        ("partner_name", "partner.name"),
        ("framework", "framework.slug"),
        *period_csv_columns(),
        ("status", "status"),
        ("notes", "notes"),
        *sources_csv_columns(),
    ]

    def get_queryset(self):
        return (
            Participation.objects.select_related("partner", "framework")
            .prefetch_related("sources")
            .order_by("partner__name", "covers_from", "id")
        )
