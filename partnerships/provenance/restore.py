"""Restoring a deleted record from history, with what was deleted with it.

A record's last version before its deletion holds its fields and its kept links (sources,
roles, areas); the deletion's own record is taken when there is no earlier one. What the
deletion cascaded to (a contribution's figures; a partner's milestones, participations,
contributions and their figures) was deleted in the same change: its deletion record has
the same moment (:func:`partnerships.provenance.recording.recording`; within a few seconds
before it for a deletion made outside one) and points at the record. Those come back too,
in the same change, with the same reason.
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.db import models

from partnerships.provenance.recording import recording
from partnerships.provenance.releases import curated_models

# A deletion made outside a recorded change writes its cascade's records one by one, the
# children first: they are a moment older than their parent's.
CASCADE_WINDOW = dt.timedelta(seconds=5)


class NotRestorable(Exception):
    pass


def deleted_record(model, object_id):
    """The deletion record of an object deleted now, or None."""
    last = (
        model.history.model.objects.filter(id=object_id)
        .order_by("-history_date", "-history_id")
        .first()
    )
    if last is None or last.history_type != "-":
        return None
    if model._base_manager.filter(pk=object_id).exists():
        return None
    return last


def _kept_links(model, record) -> dict[str, list[int]]:
    history = model.history.model
    links = {}
    for name in getattr(model, "_history_m2m_fields", []):
        target = model._meta.get_field(name).related_model._meta.model_name
        table = apps.get_model(history._meta.app_label, f"{history.__name__}_{name}")
        links[name] = list(
            table.objects.filter(history=record).values_list(f"{target}_id", flat=True)
        )
    return links


def _children(model) -> list[tuple[type[models.Model], models.ForeignKey]]:
    """The curated models whose rows a deletion of ``model`` cascades to, by their key."""
    found = []
    for child in curated_models():
        for field in child._meta.concrete_fields:
            if (
                field.many_to_one
                and field.related_model is model
                and field.remote_field.on_delete is models.CASCADE
            ):
                found.append((child, field))
    return found


def _restore_one(model, object_id, restored: list) -> None:
    deletion = deleted_record(model, object_id)
    if deletion is None:
        raise NotRestorable(f"No deleted {model._meta.verbose_name} #{object_id}.")
    before = (
        model.history.model.objects.filter(id=object_id, history_date__lte=deletion.history_date)
        .exclude(history_id=deletion.history_id)
        .order_by("-history_date", "-history_id")
        .first()
    )
    state = before if before is not None and before.history_type != "-" else deletion
    instance = state.instance
    instance.full_clean(validate_unique=True, validate_constraints=True)
    instance.save(force_insert=True)
    for name, ids in _kept_links(model, state).items():
        if ids:
            getattr(instance, name).set(ids)
    restored.append(instance)
    moment = deletion.history_date
    for child, field in _children(model):
        gone = (
            child.history.model.objects.filter(
                history_type="-",
                history_date__gte=moment - CASCADE_WINDOW,
                history_date__lte=moment,
                **{field.attname: object_id},
            )
            .exclude(id__in=child._base_manager.values("pk"))
            .order_by("history_date", "history_id")
            .values_list("id", flat=True)
        )
        for child_id in dict.fromkeys(gone):
            if deleted_record(child, child_id) is not None:
                _restore_one(child, child_id, restored)


def restore(model, object_id, reason: str = "", user=None) -> list[models.Model]:
    """Put a deleted object back under its old id, with its fields, its kept links and
    the rows deleted with it; one change in history, with ``reason``. Returns what was
    restored, the object first. Raises NotRestorable, ValidationError or IntegrityError
    (nothing is written then)."""
    restored: list = []
    with recording(reason=reason or "restored from history", user=user):
        _restore_one(model, object_id, restored)
    return restored
