"""Serializer fields and CSV columns every resource shares: dates with their precision,
periods, inline source references."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import (
    extend_schema_field,
)
from rest_framework import serializers

from partnerships.dates import Precision, format_date, parse_fuzzy_date
from partnerships.models import Source


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$",
        "example": "1995-11",
        "nullable": True,
        "description": "A date at its precision: YYYY, YYYY-MM or YYYY-MM-DD.",
    }
)
class PreciseDateField(serializers.Field):
    """A date at its precision: "1995", "1995-11" or "1995-11-28".

    Reads and writes the model's ``<name>`` and ``<name>_precision`` together (it is bound
    to the whole object, ``source="*"``).
    """

    default_error_messages = {"invalid": "{reason}"}

    def __init__(self, name: str, **kwargs):
        self.date_name = name
        kwargs["source"] = "*"
        super().__init__(**kwargs)

    def to_representation(self, instance):
        value = getattr(instance, self.date_name)
        return format_date(value, getattr(instance, f"{self.date_name}_precision")) or None

    def to_internal_value(self, data):
        if data in (None, ""):
            if self.required:
                self.fail("required")
            return {self.date_name: None, f"{self.date_name}_precision": ""}
        try:
            value, precision = parse_fuzzy_date(str(data))
        except ValueError as exc:
            self.fail("invalid", reason=str(exc))
        return {self.date_name: value, f"{self.date_name}_precision": precision}


class PrecisionField(serializers.ChoiceField):
    """A date's precision, read-only: day, month or year (or "" when the date is not
    given, for an optional date). An enum in the schema."""

    def __init__(self, optional: bool = True, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("allow_blank", optional)
        super().__init__(Precision.choices, **kwargs)


class PeriodSerializerMixin(serializers.Serializer):
    """Start and end with their precision, the end's state, and the derived coverage."""

    start = PreciseDateField(
        "start", required=False, allow_null=True, help_text="YYYY, YYYY-MM or YYYY-MM-DD."
    )
    start_precision = PrecisionField()
    end = PreciseDateField(
        "end", required=False, allow_null=True, help_text="Empty or null while ongoing."
    )
    end_precision = PrecisionField()
    end_unknown = serializers.BooleanField(required=False, help_text="true: ended, date unknown.")
    end_state = serializers.SerializerMethodField(
        help_text="ongoing, ended, or ended-date-unknown."
    )
    covers_from = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="First day the period covers (the as-of rule); null when not recorded.",
    )
    covers_until = serializers.DateField(
        read_only=True, allow_null=True, help_text="Last day the period covers; null while ongoing."
    )
    certain_from = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="First day the period certainly covers (the last day of its start's unit, "
        "or its earliest evidence); null when no day is certain.",
    )
    certain_until = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="Last day the period certainly covers (the first day of its end's unit, or "
        "its latest evidence); null while ongoing or when no day is certain.",
    )
    certainty = serializers.SerializerMethodField(
        help_text='With as_of: "certain" (active for the whole of the date asked) or '
        '"possible" (possibly active then); null without as_of.'
    )

    PERIOD_FIELDS = (
        "start",
        "start_precision",
        "end",
        "end_precision",
        "end_unknown",
        "end_state",
        "covers_from",
        "covers_until",
        "certain_from",
        "certain_until",
        "certainty",
    )

    def get_end_state(self, obj) -> str:
        return end_state(obj)

    @extend_schema_field({"type": "string", "enum": ["certain", "possible"], "nullable": True})
    def get_certainty(self, obj) -> str | None:
        return getattr(obj, "certainty", None)


class SourceRefSerializer(serializers.ModelSerializer):
    api_url = serializers.HyperlinkedIdentityField(view_name="api:source-detail")

    class Meta:
        model = Source
        fields = ("id", "key", "title", "publisher", "url", "tier", "api_url")


def source_ref(source, request) -> dict:
    """What SourceRefSerializer gives, built directly: it is drawn for every fact shown, and
    instantiating a serializer per source dominated the cost of a list page."""
    url = reverse("api:source-detail", args=[source.pk])
    return {
        "id": source.pk,
        "key": source.key,
        "title": source.title,
        "publisher": source.publisher,
        "url": source.url,
        "tier": source.tier,
        "api_url": request.build_absolute_uri(url) if request else url,
    }


class SourcesField(serializers.PrimaryKeyRelatedField):
    """Sources inline on read (id, title, URL...), ids or keys on write."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Source.objects.all())
        kwargs.setdefault("many", False)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return source_ref(value, self.context.get("request"))

    def to_internal_value(self, data):
        if isinstance(data, str) and not data.isdigit():
            try:
                return Source.objects.get(key=data)
            except Source.DoesNotExist:
                self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)

    def use_pk_only_optimization(self):
        return False


class SourcesFieldSchema(OpenApiSerializerFieldExtension):
    """OpenAPI: a source reference object on read; an id or a key on write."""

    target_class = "partnerships.api.fields.SourcesField"

    def map_serializer_field(self, auto_schema, direction):
        if direction == "response":
            return auto_schema.resolve_serializer(SourceRefSerializer, direction).ref
        return {"oneOf": [{"type": "integer"}, {"type": "string"}]}


def sources_field(**kwargs):
    kwargs.setdefault("allow_empty", False)
    kwargs.setdefault(
        "help_text", "Sources: on write, a list of source ids or keys (at least one)."
    )
    return SourcesField(many=True, **kwargs)


def end_state(obj) -> str:
    if obj.end:
        return "ended"
    return "ended-date-unknown" if obj.end_unknown else "ongoing"


def period_csv_columns(prefix: str = "") -> list[tuple[str, str | Callable]]:
    return [
        (f"{prefix}start", "start_iso"),
        (f"{prefix}start_precision", "start_precision"),
        (f"{prefix}end", "end_iso"),
        (f"{prefix}end_precision", "end_precision"),
        (f"{prefix}end_state", end_state),
        (f"{prefix}certainty", lambda obj: getattr(obj, "certainty", None) or ""),
    ]


def sources_csv(obj) -> str:
    """Source keys, "; "-separated: what a CSV import reads back."""
    return "; ".join(s.key for s in obj.sources.all())


def source_titles_csv(obj) -> str:
    return "; ".join(f"{s.title} <{s.url}>" if s.url else s.title for s in obj.sources.all())


def sources_csv_columns() -> list[tuple[str, Callable]]:
    return [("sources", sources_csv), ("source_titles", source_titles_csv)]


COVERAGE_HELP = (
    "What the best source counts (nations, partner nations: count, at_least, statement, "
    "source, date) beside what is recorded here, with a summary sentence and what is missing; "
    "null when no count is recorded."
)


def coverage_data(coverage: dict | None, request) -> dict | None:
    """A coverage summary (:mod:`partnerships.coverage`) as the API gives it."""
    if coverage is None:
        return None

    def stated(item):
        if item is None:
            return None
        return {
            "count": item.count,
            "at_least": item.at_least,
            "statement": item.statement,
            "date": item.date or None,
            "source": source_ref(item.source, request) if item.source else None,
        }

    return {
        "nations": stated(coverage["nations"]),
        "partners": stated(coverage["partners"]),
        "recorded": coverage["recorded"],
        "summary": coverage["summary"],
        "missing": coverage["missing"],
    }
