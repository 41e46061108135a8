"""The knowledge base as it stood at a moment, from django-simple-history's records.

``snapshot(Model, when)`` is a queryset of the model's historical records holding, for every
object that existed at ``when``, its state then (objects deleted since are included, objects
added since are not). Historical records keep the same field names as the model, with the
object's id in ``id``, so FilterSets and the as-of rule apply to them unchanged.
"""

from __future__ import annotations

import datetime as dt
import re

from django.apps import apps
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from partnerships import kinds
from partnerships.validation import YEAR_RANGE_MESSAGE, year_in_range


def snapshot(model, when: dt.datetime) -> QuerySet:
    history = model.history.model
    latest = (
        history.objects.filter(id=OuterRef("id"), history_date__lte=when)
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    return history.objects.filter(history_date__lte=when, history_id=Subquery(latest)).exclude(
        history_type="-"
    )


def rows(key: str, when: dt.datetime | None) -> QuerySet:
    """The rows of a kind of fact (``"participations"``) now, or as they stood at ``when``."""
    model = kinds.model(key)
    return model.objects.all() if when is None else snapshot(model, when)


def parse_known_at(text: str | None) -> dt.datetime | None:
    """``2026-03-01`` (the end of that day, UTC) or an ISO datetime, in UTC, within the
    years 1900 to 2100; ValueError with the reason otherwise."""
    if not text:
        return None
    # An unencoded "+" of a time zone offset arrives as a space.
    text = re.sub(r" (\d{2}:?\d{2})$", r"+\1", text.strip())
    try:
        day = parse_date(text) if len(text) == 10 else None
        moment = dt.datetime.combine(day, dt.time.max) if day else parse_datetime(text)
        if moment is None:
            raise ValueError
    except ValueError:
        raise ValueError("Write a date (YYYY-MM-DD) or a date and time (ISO 8601).") from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, dt.UTC)
    try:  # in UTC: PostgreSQL refuses offsets beyond 15:59, which ISO 8601 text may carry
        moment = moment.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError(YEAR_RANGE_MESSAGE) from None
    if not year_in_range(moment):
        raise ValueError(YEAR_RANGE_MESSAGE)
    return moment


def past_instances(model, records, select=(), when: dt.datetime | None = None) -> list:
    """Historical records as model instances, as they stood.

    The many-to-many links whose history is kept (sources, roles, areas: the model's
    ``_history_m2m_fields``) come from the link tables' history, one query per link.
    ``select`` names foreign keys to attach, one query each: today's row, or, for a row
    deleted since, its state at ``when`` from history. Used by the API's ``known_at`` and by
    the pages' "as known on".
    """
    records = list(records)
    instances = [record.instance for record in records]
    for record, instance in zip(records, instances, strict=True):
        # What an as-of answer computed on the record (its certainty) stays with it.
        if hasattr(record, "certainty"):
            instance.certainty = record.certainty
    for name in select:
        field = model._meta.get_field(name)
        target = field.related_model
        ids = {getattr(i, field.attname) for i in instances} - {None}
        found = {obj.pk: obj for obj in target.objects.filter(pk__in=ids)}
        missing = ids - set(found)
        if missing and when is not None and hasattr(target, "history"):
            for record in snapshot(target, when).filter(id__in=missing):
                found[record.id] = record.instance
        for instance in instances:
            field.set_cached_value(instance, found.get(getattr(instance, field.attname)))
    history = model.history.model
    for name in getattr(model, "_history_m2m_fields", []):
        target = model._meta.get_field(name).related_model._meta.model_name
        links = apps.get_model(history._meta.app_label, f"{history.__name__}_{name}")
        by_record: dict = {}
        for row in links.objects.filter(history__in=records).select_related(target):
            by_record.setdefault(row.history_id, []).append(getattr(row, target))
        for record, instance in zip(records, instances, strict=True):
            instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = by_record.get(
                record.history_id, []
            )
    return instances
