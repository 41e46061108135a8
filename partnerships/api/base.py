"""What every API resource shares: pagination, permissions, dates with precision,
model validation on writes, sources inline, and streamed CSV exports."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from urllib.parse import urlencode

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils.encoding import force_str
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, pagination, permissions, renderers, serializers
from rest_framework.response import Response

from partnerships.dates import format_date, parse_fuzzy_date
from partnerships.models import Source
from partnerships.provenance.history import parse_known_at, past_instances, snapshot
from partnerships.provenance.versioning import dataset_version

# -- pagination and permissions ---------------------------------------------------------


class PageNumberPagination(pagination.PageNumberPagination):
    """50 rows a page by default, up to 500 with ``page_size``; the total in ``count``."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        """A page_size that is not a whole number from 1 to 500 is a 400, not ignored."""
        values = request.query_params.getlist(self.page_size_query_param)
        if not values:
            return self.page_size
        if len(values) > 1 or not values[0].isdigit() or not 1 <= int(values[0]) <= 500:
            raise exceptions.ValidationError(
                {self.page_size_query_param: ["A whole number from 1 to 500."]}
            )
        return int(values[0])


class ReadAnyoneWriteCurators(permissions.DjangoModelPermissionsOrAnonReadOnly):
    """Anyone reads; writing needs the model's add / change / delete permission (curators).

    DRF's class lets any logged-in user read too (GET needs no permission), which is what
    we want: anonymous visitors and readers read, curators write.
    """


def exception_handler(exc, context):
    """DRF's handler, with Django's ValidationError turned into a 400 with its fields."""
    # Imported here: DRF's views import the permission classes of this module at start-up.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "message_dict") else exc.messages
        exc = exceptions.ValidationError(detail)
    return drf_exception_handler(exc, context)


# -- dates with precision ---------------------------------------------------------------


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


class PeriodSerializerMixin(serializers.Serializer):
    """Start and end with their precision, the end's state, and the derived coverage."""

    start = PreciseDateField(
        "start", required=False, allow_null=True, help_text="YYYY, YYYY-MM or YYYY-MM-DD."
    )
    start_precision = serializers.CharField(read_only=True)
    end = PreciseDateField(
        "end", required=False, allow_null=True, help_text="Empty or null while ongoing."
    )
    end_precision = serializers.CharField(read_only=True)
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

    PERIOD_FIELDS = (
        "start",
        "start_precision",
        "end",
        "end_precision",
        "end_unknown",
        "end_state",
        "covers_from",
        "covers_until",
    )

    def get_end_state(self, obj) -> str:
        return end_state(obj)


# -- validation: the admin's rules ------------------------------------------------------


class SourceRefSerializer(serializers.ModelSerializer):
    api_url = serializers.HyperlinkedIdentityField(view_name="api:source-detail")

    class Meta:
        model = Source
        fields = ("id", "key", "title", "publisher", "url", "api_url")


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

    target_class = "partnerships.api.base.SourcesField"

    def map_serializer_field(self, auto_schema, direction):
        if direction == "response":
            return auto_schema.resolve_serializer(SourceRefSerializer, direction).ref
        return {"oneOf": [{"type": "integer"}, {"type": "string"}]}


def sources_field(**kwargs):
    return SourcesField(
        many=True,
        allow_empty=False,
        help_text="Sources: on write, a list of source ids or keys (at least one).",
        **kwargs,
    )


class CleanModelSerializer(serializers.ModelSerializer):
    """Validates writes with the model's own ``full_clean``: the admin's rules and messages.

    A write is one transaction: the row and its many-to-many links (sources...) are saved
    together or not at all.
    """

    def create(self, validated_data):
        with transaction.atomic():
            return super().create(validated_data)

    def update(self, instance, validated_data):
        with transaction.atomic():
            return super().update(instance, validated_data)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        plain = {
            k: v
            for k, v in attrs.items()
            if not isinstance(model._meta.get_field(k), models.ManyToManyField)
        }
        instance = self.instance or model()
        original = {k: getattr(instance, k) for k in plain} if self.instance else {}
        for key, value in plain.items():
            setattr(instance, key, value)
        try:
            instance.full_clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        finally:
            for key, value in original.items():
                setattr(instance, key, value)
        return attrs


# -- CSV --------------------------------------------------------------------------------


class CSVRenderer(renderers.BaseRenderer):
    """``?format=csv`` or ``Accept: text/csv``. Lists stream their own CSV (see
    :class:`CSVExportMixin`); this renders what is left (a detail, an error) as rows."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        rows = data if isinstance(data, list) else [data]
        rows = [flatten(row) if isinstance(row, dict) else {"value": row} for row in rows]
        header = list(dict.fromkeys(key for row in rows for key in row))
        return "".join(csv_lines([header] + [[row.get(k, "") for k in header] for row in rows]))


def flatten(data: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        elif isinstance(value, list):
            flat[name] = "; ".join(
                force_str(item.get("title") or item.get("slug") or item.get("id"))
                if isinstance(item, dict)
                else force_str(item)
                for item in value
            )
        else:
            flat[name] = "" if value is None else value
    return flat


class _Echo:
    def write(self, value):
        return value


def csv_lines(rows: Iterable[Iterable]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow(["" if v is None else v for v in row])


def cell_value(obj, path: str | Callable):
    if callable(path):
        return path(obj)
    value = obj
    for part in path.split("."):
        value = getattr(value, part, None)
        if value is None:
            return ""
        if callable(value) and not isinstance(value, models.Manager):
            value = value()
    return value


def streamed_csv(request, filename: str, header: list[str], rows: Iterable[list]):
    """A streamed CSV response naming the dataset version and the query it answers."""
    response = StreamingHttpResponse(_chain(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response["X-Dataset-Version"] = dataset_version()
    response["X-Query"] = urlencode(sorted(request.GET.lists()), doseq=True)
    return response


def _chain(header, rows):
    yield from csv_lines([header])
    yield from csv_lines(rows)


def wants_csv(request) -> bool:
    renderer = getattr(request, "accepted_renderer", None)
    return getattr(renderer, "format", None) == "csv"


class CSVExportMixin:
    """List endpoints: the whole filtered set as streamed CSV with ``?format=csv``.

    Each viewset names its ``csv_columns``: (header, attribute path or callable). Rows are
    read in chunks with their prefetches, so memory stays flat whatever the table size.
    """

    csv_columns: list[tuple[str, str | Callable]] = []
    # For very large tables: (header, database lookups, function of their values or None),
    # read with values_list, no model object per row.
    csv_values: list[tuple[str, str | tuple[str, ...], Callable | None]] = []
    csv_chunk_size = 2000

    def list(self, request, *args, **kwargs):
        if not wants_csv(request):
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset())
        if self.csv_values:
            return self.values_csv(request, queryset)
        columns = self.csv_columns
        rows = (
            [cell_value(obj, path) for _, path in columns]
            for obj in queryset.iterator(chunk_size=self.csv_chunk_size)
        )
        name = self.basename if hasattr(self, "basename") else "export"
        return streamed_csv(request, name, [header for header, _ in columns], rows)

    def values_csv(self, request, queryset):
        lookups, slices = [], []
        for _, fields, _fn in self.csv_values:
            fields = (fields,) if isinstance(fields, str) else fields
            slices.append((len(lookups), len(lookups) + len(fields)))
            lookups.extend(fields)
        functions = [fn for _, _, fn in self.csv_values]

        def rows():
            for values in queryset.values_list(*lookups).iterator(chunk_size=5000):
                yield [
                    fn(*values[a:b]) if fn else values[a]
                    for (a, b), fn in zip(slices, functions, strict=True)
                ]

        name = self.basename if hasattr(self, "basename") else "export"
        return streamed_csv(request, name, [header for header, _, _ in self.csv_values], rows())


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
    ]


def sources_csv(obj) -> str:
    """Source keys, "; "-separated: what a CSV import reads back."""
    return "; ".join(s.key for s in obj.sources.all())


def source_titles_csv(obj) -> str:
    return "; ".join(f"{s.title} <{s.url}>" if s.url else s.title for s in obj.sources.all())


def sources_csv_columns() -> list[tuple[str, Callable]]:
    return [("sources", sources_csv), ("source_titles", source_titles_csv)]


class ListResponseMixin:
    def paginated(self, queryset, serializer_class):
        page = self.paginate_queryset(queryset)
        data = serializer_class(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data) if page is not None else Response(data)


# -- "as known on": answers from history ----------------------------------------------------

KNOWN_AT_HELP = (
    "Answer from history: what the knowledge base said at this moment (a date, meaning the "
    "end of that day UTC, or an ISO datetime). Objects deleted since are included, objects "
    "added since are not. The object's fields and its linked sources, roles and cooperation "
    "areas are those it had then; its figures and computed counts are today's (or null)."
)


class KnownAtMixin:
    """``?known_at=`` on list and detail endpoints: the same filters, over history.

    The base queryset becomes a snapshot of historical records (see
    partnerships.provenance.history); the page shown is turned into model instances and its relations are prefetched in one
    go, so the query count stays bounded. ``known_at_values`` names computed attributes
    that have no meaning for a past state (they are shown as null).
    """

    known_at_values: dict = {}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        try:
            request.known_at = parse_known_at(request.query_params.get("known_at"))
        except ValueError as exc:
            raise exceptions.ValidationError({"known_at": [str(exc)]}) from None
        # The FilterSets read it from the Django request too.
        request._request.known_at = request.known_at

    @property
    def known_at(self):
        return getattr(self.request, "known_at", None)

    def past(self, queryset):
        """The viewset's queryset as a snapshot of history, in the same order."""
        ordering = [f.replace("pk", "id") for f in queryset.query.order_by] or ["id"]
        return snapshot(queryset.model, self.known_at).order_by(*ordering)

    def filter_queryset(self, queryset):
        if self.known_at is None:
            return super().filter_queryset(queryset)
        # The same FilterSet over the historical records (the DRF backend would insist on
        # the model's own queryset).
        filterset = self.filterset_class(
            self.request.query_params, queryset=self.past(queryset), request=self.request
        )
        if not filterset.is_valid():
            raise exceptions.ValidationError(filterset.errors)
        return filterset.qs

    def as_instances(self, records) -> list:
        model = self.get_serializer_class().Meta.model
        kept = set(getattr(model, "_history_m2m_fields", []))
        foreign_keys = [f.name for f in model._meta.get_fields() if f.many_to_one]
        instances = past_instances(model, records, select=foreign_keys, when=self.known_at)
        # Other links (e.g. a contribution's figures, areas without history) are today's.
        others = [f.name for f in model._meta.get_fields() if f.many_to_many and f.name not in kept]
        models.prefetch_related_objects(instances, *others)
        for instance in instances:
            for name, value in self.known_at_values.items():
                setattr(instance, name, value(self, instance) if callable(value) else value)
        self.annotate_known_at(instances)
        return instances

    def annotate_known_at(self, instances) -> None:
        """Hook: attach what the serializer computes from related rows."""

    def list(self, request, *args, **kwargs):
        if self.known_at is None:
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset())
        if wants_csv(request):
            return self.known_at_csv(request, queryset)
        page = self.paginate_queryset(queryset)
        data = self.get_serializer(self.as_instances(page), many=True).data
        return self.get_paginated_response(data)

    def retrieve(self, request, *args, **kwargs):
        if self.known_at is None:
            return super().retrieve(request, *args, **kwargs)
        value = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        field = "id" if self.lookup_field == "pk" else self.lookup_field
        if field == "iso3":
            value = value.upper()
        try:
            record = self.past(self.get_queryset()).filter(**{field: value}).first()
        except (ValueError, TypeError, DjangoValidationError):
            record = None  # not even a valid id: no such object
        if record is None:
            raise exceptions.NotFound("No such object at that moment.")
        return Response(self.get_serializer(self.as_instances([record])[0]).data)

    def known_at_csv(self, request, queryset):
        columns = self.csv_columns

        def rows():
            chunk = []
            for record in queryset.iterator(chunk_size=500):
                chunk.append(record)
                if len(chunk) == 500:
                    yield from (
                        [cell_value(o, p) for _, p in columns] for o in self.as_instances(chunk)
                    )
                    chunk = []
            yield from ([cell_value(o, p) for _, p in columns] for o in self.as_instances(chunk))

        return streamed_csv(request, self.basename, [h for h, _ in columns], rows())


def known_at_schema(viewset):
    """Document ``known_at`` on a viewset's list and detail operations."""
    parameter = OpenApiParameter("known_at", OpenApiTypes.DATETIME, description=KNOWN_AT_HELP)
    return extend_schema_view(
        list=extend_schema(parameters=[parameter]), retrieve=extend_schema(parameters=[parameter])
    )(viewset)
