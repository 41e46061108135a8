"""Releases: the changelog since the previous release, computed from history."""

from __future__ import annotations

import datetime as dt
import decimal
from collections import defaultdict

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils import timezone

from partnerships.apps import CURATED_APPS
from partnerships.models import Release
from partnerships.provenance.dataset import checksum, counts, export_records

IGNORED_FIELDS = {"created", "updated", "covers_from", "covers_until"}


def curated_models():
    """The curated models that keep history (django-simple-history)."""
    for label in CURATED_APPS:
        for model in apps.get_app_config(label).get_models():
            if hasattr(model, "history") and not model.__name__.startswith("Historical"):
                yield model


def _plain(value):
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str | dict):
        return value
    return str(value)


def _label(record, model) -> str:
    """A record's name; one whose related row is gone since is named by kind and id."""
    try:
        return str(record.instance)
    except ObjectDoesNotExist:
        return f"{model._meta.verbose_name} #{record.id}"


def changes_since(since: dt.datetime | None, until: dt.datetime) -> dict:
    """What history records between ``since`` (exclusive) and ``until`` (inclusive) did.

    For each object touched: added (did not exist before, exists after), removed (existed,
    deleted), or changed (with each field's value before and after). An object added and
    removed within the window is left out: the release never saw it.
    """
    log: dict = {
        "added": defaultdict(list),
        "changed": defaultdict(list),
        "removed": defaultdict(list),
    }
    for model in curated_models():
        history = model.history.model
        window = history.objects.filter(history_date__lte=until)
        if since is not None:
            window = window.filter(history_date__gt=since)
        latest = {}
        for record in window.order_by("history_date", "history_id"):
            latest[record.id] = record
        if not latest:
            continue
        before = {}
        if since is not None:
            earlier = history.objects.filter(id__in=list(latest), history_date__lte=since)
            for record in earlier.order_by("history_date", "history_id"):
                before[record.id] = record
        kind = str(model._meta.verbose_name_plural)
        for object_id, after in sorted(latest.items()):
            previous = before.get(object_id)
            existed = previous is not None and previous.history_type != "-"
            exists = after.history_type != "-"
            label = _label(after if exists else previous, model) if (exists or existed) else ""
            entry = {"id": object_id, "label": label}
            if exists and not existed:
                log["added"][kind].append(entry)
            elif existed and not exists:
                log["removed"][kind].append(entry)
            elif existed and exists:
                delta = after.diff_against(previous)
                fields = [
                    {"field": c.field, "before": _plain(c.old), "after": _plain(c.new)}
                    for c in delta.changes
                    if c.field not in IGNORED_FIELDS
                ]
                if fields:
                    log["changed"][kind].append({**entry, "fields": fields})
    return {section: dict(kinds) for section, kinds in log.items()}


def make_release(version: str, notes: str = "", user=None) -> Release:
    """Freeze the current content as ``version``: checksum, counts, changelog since the last."""
    with transaction.atomic():
        previous = Release.objects.order_by("-created").first()
        now = timezone.now()
        records = export_records()
        release = Release(
            version=version,
            created=now,
            notes=notes,
            checksum=checksum(records),
            counts=counts(records),
            changelog={
                "since": previous.version if previous else None,
                **changes_since(previous.created if previous else None, now),
            },
            created_by=user,
        )
        release.full_clean()
        release.save()
    return release
