"""``?known_at=`` on list and detail endpoints: the same filters and serializers, answered
from history."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions
from rest_framework.response import Response

from partnerships.api.base import wants_csv
from partnerships.exports import cell_value, streamed_csv
from partnerships.provenance.history import parse_known_at, past_instances, snapshot

KNOWN_AT_HELP = (
    "Answer from history: what the knowledge base said at this moment (a date, meaning the "
    "end of that day UTC, or an ISO datetime). Objects deleted since are included, objects "
    "added since are not. The object's fields and its linked sources, roles and cooperation "
    "areas are those it had then; its figures and computed counts are today's (or null)."
)


class KnownAtMixin:
    """``?known_at=`` on list and detail endpoints: the same filters, over history.

    The base queryset becomes a snapshot of historical records (see
    :mod:`partnerships.provenance.history`); the page shown is turned into model instances
    and its relations are prefetched in one go, so the query count stays bounded.
    ``known_at_values`` names computed attributes that have no meaning for a past state
    (they are shown as null).
    """

    known_at_values: dict = {}

    def accepted_parameters(self) -> set[str]:
        """``known_at`` is one more parameter of the list and the detail (see
        :class:`~partnerships.api.base.StrictQueryMixin`, which comes after this mixin)."""
        accepted = super().accepted_parameters()
        return accepted | {"known_at"} if self.action in ("list", "retrieve") else accepted

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
