"""A record's version, for optimistic locking.

A curated record's version is its ``updated`` timestamp (``TimeStampedModel.updated``, set
on every save that changes something), written as ISO 8601 in UTC with microseconds:
``"2026-12-02T06:05:07.123456+00:00"``. The admin's change form, the CSV export and the API's
ETag all carry this one string; a write whose seen version is not the stored one is stale.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.dateparse import parse_datetime


def version_of(obj) -> str:
    """The version of ``obj`` (a model instance with ``updated``); "" when it has none yet
    (an unsaved record)."""
    updated = getattr(obj, "updated", None)
    if updated is None:
        return ""
    if timezone.is_naive(updated):
        updated = timezone.make_aware(updated, dt.UTC)
    return updated.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _instant(version: str) -> dt.datetime | None:
    try:
        moment = parse_datetime(version.strip())
    except ValueError:
        return None
    if moment is None:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, dt.UTC)
    return moment


def is_stale(obj, seen_version) -> bool:
    """True when ``obj`` changed since ``seen_version`` was read.

    A missing version (``None`` or "") is not stale: the writer did not claim one, as with
    a new record or a CSV row without a version column. Versions are compared as instants,
    so "...+00:00" and "...Z" written for the same moment agree; an unreadable version is
    stale (it cannot be shown to match).
    """
    if seen_version is None or str(seen_version).strip() == "":
        return False
    current = version_of(obj)
    if not current:
        return False
    return not same_version(str(seen_version), current)


def same_version(seen: str, current: str) -> bool:
    """True when two written versions name the same instant (an unreadable or empty one
    names none)."""
    seen_instant, current_instant = _instant(seen), _instant(current)
    return seen_instant is not None and seen_instant == current_instant
