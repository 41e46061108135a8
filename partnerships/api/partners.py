"""Partners: the nations, their status, current frameworks and timeline."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import (
    Prefetch,
    prefetch_related_objects,
)
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.validators import UniqueValidator

import partnerships.api.lean as lean
from frameworks.models import Participation
from partnerships.api.base import (
    CleanModelSerializer,
    CSVExportMixin,
    StrictQueryMixin,
    page_url,
    wants_csv,
)
from partnerships.api.fields import (
    PreciseDateField,
    PrecisionField,
    sources_csv_columns,
    sources_field,
)
from partnerships.api.known_at import KnownAtMixin, known_at_schema
from partnerships.api.lean import LeanListMixin
from partnerships.api.locking import OptimisticLockMixin
from partnerships.api.reasons import ChangeReasonMixin
from partnerships.compose.profile import partner_timeline, partner_with_facts
from partnerships.dates import active_on_q
from partnerships.exports import streamed_csv
from partnerships.filtersets import (
    AsOfField,
    PartnerFilterSet,
)
from partnerships.models import (
    Partner,
    iso3_validator,
)
from partnerships.provenance.history import snapshot
from partnerships.status import partner_status as status_rule
from partnerships.status import with_status

# -- partners -----------------------------------------------------------------------------


def partner_status(partner: Partner, today: dt.date | None = None) -> str:
    """partner, ally, suspended or former (needs ``current_participations`` prefetched)."""
    return status_rule(partner, partner.current_participations, today)


def partners_for_api(day: dt.date | None = None):
    """Partners with what their serializer shows, in a fixed number of queries: their
    status and frameworks on ``day`` (today by default)."""
    day = day or dt.date.today()
    current = (
        Participation.objects.filter(active_on_q(day))
        .select_related("framework")
        .order_by("framework__name")
    )
    return with_status(Partner.objects.all(), day).prefetch_related(
        "sources",
        "accession_sources",
        Prefetch("participations", queryset=current, to_attr="current_participations"),
    )


def state_day(request) -> dt.date | None:
    """The day whose state a partner answer shows: the last day of a valid ``as_of`` (a
    day, a month or a year), else the known_at day, else None (today)."""
    text = request.query_params.get("as_of") if request is not None else None
    if text:
        try:
            as_of = AsOfField().clean(text)
        except ValidationError:
            as_of = None
        if as_of:
            return as_of.last
    known_at = getattr(request, "known_at", None)
    return known_at.date() if known_at else None


def current_frameworks(partner_ids, day: dt.date) -> dict[int, list[dict]]:
    """Each partner's frameworks on ``day`` as the serializer writes them, one query."""
    rows = (
        Participation.objects.filter(active_on_q(day), partner_id__in=list(partner_ids))
        .order_by("framework__name", "id")
        .values(
            "partner_id",
            "framework__slug",
            "framework__acronym",
            "framework__name",
            "start",
            "start_precision",
            "status",
        )
    )
    found: dict[int, list[dict]] = {}
    for row in rows:
        found.setdefault(row["partner_id"], []).append(
            {
                "slug": row["framework__slug"],
                "acronym": row["framework__acronym"],
                "name": row["framework__name"],
                "since": lean.precise(row["start"], row["start_precision"]),
                "status": row["status"],
            }
        )
    return found


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
    nato_accession_precision = PrecisionField()
    status = serializers.SerializerMethodField(
        help_text="partner, ally (acceded to NATO), suspended or former: today, or with as_of "
        "on the last day asked (with known_at, as the knowledge base then had it)."
    )
    current_frameworks = serializers.SerializerMethodField(
        help_text="Its frameworks on the same day as status."
    )
    certainty = serializers.SerializerMethodField(
        help_text='With as_of: "certain" or "possible" (see the as_of filter); else null.'
    )
    flag_url = serializers.SerializerMethodField()
    sources = sources_field(required=False, help_text="Sources of the profile text.")
    accession_sources = sources_field(
        required=False,
        allow_empty=True,
        help_text="Sources of the accession date: required with nato_accession, and only "
        "with it (ids or keys on write).",
    )
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
            "certainty",
            "nato_accession",
            "nato_accession_precision",
            "accession_sources",
            "current_frameworks",
            "profile",
            "wikidata_qid",
            "cow_code",
            "flag_url",
            "sources",
            "api_url",
            "page_url",
        )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        instance = self.instance
        accession = attrs.get("nato_accession", getattr(instance, "nato_accession", None))
        if "accession_sources" in attrs:
            cited = attrs["accession_sources"]
        else:
            cited = list(instance.accession_sources.all()) if instance else []
        if accession and not cited:
            raise serializers.ValidationError(
                {"accession_sources": ["An accession date needs its own sources."]}
            )
        if cited and not accession:
            raise serializers.ValidationError(
                {"accession_sources": ["Give the accession date these sources are for."]}
            )
        return attrs

    def get_status(self, obj) -> str:
        if getattr(obj, "status_on", None):  # annotated by the list's query (status.py)
            return obj.status_on
        day = state_day(self.context.get("request")) or dt.date.today()
        if not hasattr(obj, "current_participations"):
            obj.current_participations = list(
                obj.participations.filter(active_on_q(day)).select_related("framework")
            )
        return partner_status(obj, day)

    @extend_schema_field({"type": "string", "enum": ["certain", "possible"], "nullable": True})
    def get_certainty(self, obj) -> str | None:
        return getattr(obj, "certainty", None)

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
    precision = PrecisionField(optional=False)
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
class PartnerViewSet(
    OptimisticLockMixin,
    ChangeReasonMixin,
    KnownAtMixin,
    StrictQueryMixin,
    LeanListMixin,
    CSVExportMixin,
    viewsets.ModelViewSet,
):
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
        # Annotated by get_queryset on the state day; computed for past (known_at) rows.
        ("status", lambda p: getattr(p, "status_on", None) or partner_status(p)),
        ("certainty", lambda p: getattr(p, "certainty", None) or ""),
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
        return partners_for_api(state_day(self.request)).order_by("name")

    # The list, from plain rows (partnerships/api/lean.py): the same fields as the serializer.
    lean_values = (
        "id",
        "iso3",
        "country",
        "name",
        "other_names",
        "region",
        "status_on",
        "nato_accession",
        "nato_accession_precision",
        "profile",
        "wikidata_qid",
        "cow_code",
    )
    lean_annotations = ("certainty",)

    def lean_rows(self, rows, links):
        ids = [row["id"] for row in rows]
        sources = lean.linked_sources(Partner.sources.through, "partner", ids, links)
        accession = lean.linked_sources(Partner.accession_sources.through, "partner", ids, links)
        frameworks = current_frameworks(ids, state_day(self.request) or dt.date.today())
        return [
            {
                "iso3": row["iso3"],
                "iso2": row["country"] or "",
                "name": row["name"],
                "other_names": row["other_names"],
                "region": row["region"],
                "status": row["status_on"],
                "certainty": row.get("certainty"),
                "nato_accession": lean.precise(
                    row["nato_accession"], row["nato_accession_precision"]
                ),
                "nato_accession_precision": row["nato_accession_precision"],
                "accession_sources": accession.get(row["id"], []),
                "current_frameworks": frameworks.get(row["id"], []),
                "profile": row["profile"],
                "wikidata_qid": row["wikidata_qid"],
                "cow_code": row["cow_code"],
                "flag_url": links.absolute(lean.flag_path(row["country"]))
                if row["country"]
                else None,
                "sources": sources.get(row["id"], []),
                "api_url": links.to("api:partner-detail", row["iso3"]),
                "page_url": links.to("partner-detail", row["iso3"].lower()),
            }
            for row in rows
        ]

    def annotate_known_at(self, instances):
        """Frameworks and status as the knowledge base had them at the known_at moment."""
        day = state_day(self.request) or self.known_at.date()
        records = (
            snapshot(Participation, self.known_at)
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
