"""How history names a fact and links to it: labels from what is loaded, page and admin URLs."""

from __future__ import annotations

from django.db.models import (
    prefetch_related_objects,
)
from django.urls import reverse

from partnerships import kinds
from partnerships.provenance.releases import curated_models
from partnerships.templatetags import kb as kb_tags


def label_paths(model_or_instance) -> tuple[str, ...]:
    """What an object's label reads besides its own fields (its ``__str__``), to prefetch:
    the kind's ``label_paths`` in :mod:`partnerships.kinds`."""
    kind = kinds.of(model_or_instance)
    return kind.label_paths if kind else ()


def history_models() -> dict:
    """Curated models by ``app_label.model_name``, in a fixed order (ties on a date)."""
    return {m._meta.label_lower: m for m in curated_models()}


def _is_loaded(instance, path: str) -> bool:
    """Whether reading ``path`` (``contribution__partner``) needs no query."""
    obj = instance
    for part in path.split("__"):
        field = obj._meta.get_field(part)
        if getattr(obj, field.attname) is None:
            return True
        if not field.is_cached(obj):
            return False
        obj = getattr(obj, part)
    return True


def fact_label(instance) -> str:
    """An object's label from what is loaded: its own words, or its kind and id when a
    related row it names is gone (a deleted partner's participation)."""
    kind = kinds.of(instance)
    if not all(_is_loaded(instance, path) for path in label_paths(instance)):
        return f"{instance._meta.verbose_name.capfirst()} #{instance.pk}"
    if kind and kind.label_parent:
        return f"{getattr(instance, kind.label_parent)}: {instance}"
    return str(instance)


def label_records(model, records) -> list:
    """Instances of historical records with their labels, related rows prefetched."""
    instances = []
    for record in records:
        instance = record.instance  # a new instance at each access
        instance.history_id = record.history_id
        instances.append(instance)
    paths = label_paths(model)
    if paths:
        prefetch_related_objects(instances, *paths)
    for instance in instances:
        instance.label = fact_label(instance)
    return instances


def object_page_url(instance) -> str:
    """The analysts' page of an object, or its history page when it has none."""
    kind = kinds.of(instance)
    if kind and kind.own_page:
        return instance.get_absolute_url()
    return kb_tags.history_url(instance)


def admin_change_url(obj) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def short_date(value, precision: str) -> str:
    """A date at its precision, short: "2004", "Feb 2004", "12 Feb 2004"."""
    if value is None:
        return ""
    if precision == "year":
        return str(value.year)
    if precision == "month":
        return f"{value:%b} {value.year}"
    return f"{value.day} {value:%b} {value.year}"


def period_label(period) -> str:
    """A period's dates, short: "Feb 2004 – Feb 2012", "2010 – ongoing"."""
    start = short_date(period.start, period.start_precision) or "start not recorded"
    if period.end:
        end = short_date(period.end, period.end_precision)
    else:
        end = "ended, date unknown" if period.end_unknown else "ongoing"
    return f"{start} – {end}"


def dated_label(instance) -> str:
    """A fact named with its dates, so two of the same partner and mission differ:
    "Armenia to KFOR, Feb 2004 – Feb 2012"; a figure under its contribution."""
    if hasattr(instance, "covers_from"):
        return f"{instance}, {period_label(instance)}"
    kind = kinds.of(instance)
    if kind and kind.label_parent:
        return f"{dated_label(getattr(instance, kind.label_parent))}: {instance}"
    return str(instance)
