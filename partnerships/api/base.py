"""The API's base classes: pagination, permissions, errors, model-validated writes, CSV
rendering and export of whole lists."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import InvalidPage
from django.db import models, transaction
from django.db.models import QuerySet
from rest_framework import exceptions, pagination, permissions, serializers
from rest_framework.response import Response
from rest_framework.settings import api_settings

from partnerships.exports import CSV_FORMATS, cell_value, streamed_csv

WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")


class PageNumberPagination(pagination.PageNumberPagination):
    """50 rows a page by default, up to 500 with ``page_size``; the total in ``count``.

    Rows keep one order from page to page: a queryset is ordered with its primary key last
    (:func:`partnerships.filtersets.stable_order`). A ``page`` or ``page_size`` that is not
    a whole number in range is a 400 naming it; a page past the last one is a 404.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    last_page_strings = ()  # ``page`` is a number, as the schema says

    def get_page_size(self, request):
        """A page_size that is not a whole number from 1 to 500 is a 400, not ignored."""
        return self.whole_number(request, self.page_size_query_param, self.max_page_size)

    def get_page_number(self, request, paginator):
        return self.whole_number(request, self.page_query_param)

    def whole_number(self, request, name: str, most: int | None = None) -> int:
        values = request.query_params.getlist(name)
        if not values:
            return self.page_size if name == self.page_size_query_param else 1
        value = values[0]
        if len(values) > 1 or not WHOLE_NUMBER.fullmatch(value) or int(value) < 1:
            valid = f"from 1 to {most}" if most else "from 1"
            raise exceptions.ValidationError({name: [f"A whole number {valid}."]})
        if most and int(value) > most:
            raise exceptions.ValidationError({name: [f"A whole number from 1 to {most}."]})
        return int(value)

    def paginate_queryset(self, queryset, request, view=None):
        # Imported here: DRF's settings import this module before the app registry is ready.
        from partnerships.filtersets import stable_order

        if isinstance(queryset, QuerySet):
            queryset = stable_order(queryset)
        self.request = request
        page_size = self.get_page_size(request)
        paginator = self.django_paginator_class(queryset, page_size)
        number = self.get_page_number(request, paginator)
        try:
            self.page = paginator.page(number)
        except InvalidPage:
            raise exceptions.NotFound(
                f"Page {number} is past the last page ({paginator.num_pages})."
            ) from None
        self.display_page_controls = paginator.num_pages > 1 and self.template is not None
        return list(self.page)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters


class StrictQueryMixin:
    """An unknown query parameter is a 400 that names it and lists the accepted ones.

    Accepted on every GET: ``format``. On lists (and views that are not a viewset's
    detail): the FilterSet's parameters, and ``page`` and ``page_size`` when paginated.
    Plus the view's documented ``query_parameters`` (e.g. search's ``q`` and ``kind``), and
    ``known_at`` where :class:`~partnerships.api.known_at.KnownAtMixin` answers it.
    The schema documents the same set (``tests/project/test_api_strict.py`` checks both).
    """

    query_parameters: tuple[str, ...] = ()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD"):
            return
        accepted = self.accepted_parameters()
        unknown = [name for name in request.query_params if name not in accepted]
        if unknown:
            listed = ", ".join(sorted(accepted))
            raise exceptions.ValidationError(
                {name: [f"Unknown parameter {name!r}; accepted: {listed}."] for name in unknown}
            )

    def accepted_parameters(self) -> set[str]:
        accepted = {api_settings.URL_FORMAT_OVERRIDE, *self.query_parameters}
        if getattr(self, "detail", False):
            return accepted
        filterset_class = getattr(self, "filterset_class", None)
        if filterset_class is not None:
            accepted |= filterset_parameters(filterset_class)
        paginator = getattr(self, "paginator", None)
        if paginator is not None:
            accepted |= {paginator.page_query_param, paginator.page_size_query_param}
        return accepted


@functools.cache
def filterset_parameters(filterset_class) -> frozenset[str]:
    """The query parameters a FilterSet reads: its filters' names, with the suffixes of
    range widgets (``_min`` / ``_max``, ``_after`` / ``_before``)."""
    names = set()
    for name, field in filterset_class(data=None).form.fields.items():
        suffixes = getattr(field.widget, "suffixes", None)
        names |= {f"{name}_{s}" if s else name for s in suffixes} if suffixes else {name}
    return frozenset(names)


class ReadAnyoneWriteCurators(permissions.DjangoModelPermissionsOrAnonReadOnly):
    """Anyone reads; writing needs the model's add / change / delete permission (curators).

    DRF's class lets any logged-in user read too (GET needs no permission), which is what
    we want: anonymous visitors and readers read, curators write.
    """

    def has_permission(self, request, view):
        # A read needs no permission: answered without building the view's queryset,
        # which DRF's class would do only to learn the model (a second get_queryset()).
        if request.method in permissions.SAFE_METHODS:
            return True
        return super().has_permission(request, view)


def exception_handler(exc, context):
    """DRF's handler, with Django's ValidationError turned into a 400 with its fields."""
    # Imported here: DRF's views import the permission classes of this module at start-up.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "message_dict") else exc.messages
        exc = exceptions.ValidationError(detail)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        # One shape for every error (the schema's Error): messages not tied to a field.
        response.data = {api_settings.NON_FIELD_ERRORS_KEY: response.data}
    return response


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
        # A bulk import reads its related rows once and checks uniqueness against the rows
        # it loaded: no query per row to re-check them.
        bulk = self.context.get("bulk_import", False)
        loaded = [f.name for f in model._meta.concrete_fields if f.many_to_one] if bulk else []
        try:
            instance.full_clean(
                exclude=loaded, validate_unique=not bulk, validate_constraints=not bulk
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        finally:
            for key, value in original.items():
                setattr(instance, key, value)
        return attrs


def wants_csv(request) -> bool:
    renderer = getattr(request, "accepted_renderer", None)
    return getattr(renderer, "format", None) in CSV_FORMATS


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

    def retrieve(self, request, *args, **kwargs):
        # A detail's CSV has the list's columns, for its one row (not a docstring: the
        # schema would take it as the operation's description).
        if not wants_csv(request) or not (self.csv_columns or self.csv_values):
            return super().retrieve(request, *args, **kwargs)
        obj = self.get_object()
        queryset = type(obj).objects.filter(pk=obj.pk)
        if self.csv_values:
            return self.values_csv(request, queryset)
        name = self.basename if hasattr(self, "basename") else "export"
        row = [cell_value(obj, path) for _, path in self.csv_columns]
        return streamed_csv(request, name, [header for header, _ in self.csv_columns], [row])

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
