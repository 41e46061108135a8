"""Milestones, sources (with what cites them) and cooperation areas."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from partnerships import kinds
from partnerships.api.base import CleanModelSerializer, CSVExportMixin, StrictQueryMixin, page_url
from partnerships.api.fields import (
    PreciseDateField,
    PrecisionField,
    sources_csv_columns,
    sources_field,
)
from partnerships.api.known_at import KnownAtMixin, known_at_schema
from partnerships.api.locking import OptimisticLockMixin
from partnerships.api.reasons import ChangeReasonMixin
from partnerships.exports import cell_value
from partnerships.filtersets import (
    CooperationAreaFilterSet,
    MilestoneFilterSet,
    SourceFilterSet,
)
from partnerships.models import (
    CooperationArea,
    Milestone,
    Partner,
    Source,
)

# -- milestones ---------------------------------------------------------------------------


class MilestoneSerializer(CleanModelSerializer):
    partner = serializers.SlugRelatedField(slug_field="iso3", queryset=Partner.objects.all())
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    date = PreciseDateField("date", help_text="YYYY, YYYY-MM or YYYY-MM-DD.")
    date_precision = PrecisionField(optional=False)
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
class MilestoneViewSet(
    OptimisticLockMixin,
    ChangeReasonMixin,
    KnownAtMixin,
    StrictQueryMixin,
    CSVExportMixin,
    viewsets.ModelViewSet,
):
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


def citing() -> list[str]:
    """The relations of the kinds of fact that cite sources, in the table's order."""
    return [kind.source_relation for kind in kinds.cited()]


class SourceSerializer(CleanModelSerializer):
    published = PreciseDateField("published", required=False, allow_null=True)
    published_precision = PrecisionField()
    cited_by = serializers.SerializerMethodField(
        help_text="How many facts of each kind cite this source (null with known_at: "
        "today's counts say nothing of a past state)."
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
            "tier",
            "notes",
            "cited_by",
            "api_url",
            "page_url",
        )

    @extend_schema_field(
        {"type": "object", "additionalProperties": {"type": "integer", "nullable": True}}
    )
    def get_cited_by(self, obj) -> dict[str, int | None]:
        # With known_at, today's counts mean nothing for a past state: null each.
        return {name: getattr(obj, f"n_{name}", 0) for name in citing()}

    def get_page_url(self, obj) -> str | None:
        return page_url(self.context.get("request"), obj)


@known_at_schema
class SourceViewSet(
    OptimisticLockMixin,
    ChangeReasonMixin,
    KnownAtMixin,
    StrictQueryMixin,
    CSVExportMixin,
    viewsets.ModelViewSet,
):
    """The documents facts cite, with how many facts of each kind cite them."""

    serializer_class = SourceSerializer
    filterset_class = SourceFilterSet

    @property
    def known_at_values(self):
        return {f"n_{name}": None for name in citing()}

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
        ("tier", "tier"),
    ]

    def get_queryset(self):
        return Source.objects.with_citation_counts().order_by("publisher", "title")


# -- cooperation areas -------------------------------------------------------------------------


class CooperationAreaSerializer(CleanModelSerializer):
    api_url = serializers.HyperlinkedIdentityField(
        view_name="api:cooperation-area-detail", lookup_field="slug"
    )

    class Meta:
        model = CooperationArea
        fields = ("slug", "name", "description", "api_url")


@known_at_schema
class CooperationAreaViewSet(
    OptimisticLockMixin,
    ChangeReasonMixin,
    KnownAtMixin,
    StrictQueryMixin,
    CSVExportMixin,
    viewsets.ModelViewSet,
):
    """The taxonomy of cooperation areas frameworks, missions and contributions carry."""

    serializer_class = CooperationAreaSerializer
    filterset_class = CooperationAreaFilterSet
    lookup_field = "slug"
    queryset = CooperationArea.objects.order_by("name")
    csv_columns = [("slug", "slug"), ("name", "name"), ("description", "description")]
