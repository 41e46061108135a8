"""The API's base classes: pagination, permissions, errors, model-validated writes, CSV
rendering and export of whole lists."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.utils.encoding import force_str
from rest_framework import exceptions, pagination, permissions, renderers, serializers
from rest_framework.response import Response

from partnerships.exports import cell_value, csv_lines, streamed_csv


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


class ListResponseMixin:
    def paginated(self, queryset, serializer_class):
        page = self.paginate_queryset(queryset)
        data = serializer_class(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data) if page is not None else Response(data)


def page_url(request, obj) -> str | None:
    """The absolute URL of an object's analysts' page, for the API's ``url`` fields."""
    return request.build_absolute_uri(obj.get_absolute_url()) if request else None
