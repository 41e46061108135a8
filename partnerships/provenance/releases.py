"""Releases: the changelog since the previous release, computed from history."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections import defaultdict
from pathlib import Path

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils import timezone

from partnerships.apps import CURATED_APPS
from partnerships.dates import display_date
from partnerships.models import Release
from partnerships.provenance.archive import build_archive, sha256
from partnerships.provenance.dataset import checksum, counts, export_records

IGNORED_FIELDS = {"created", "updated", "covers_from", "covers_until"}


def curated_models():
    """The curated models that keep history (django-simple-history)."""
    for label in CURATED_APPS:
        for model in apps.get_app_config(label).get_models():
            if (
                hasattr(model, "history")
                and not model.__name__.startswith("Historical")
                and getattr(model, "curated", True)  # not the curators' own bookkeeping
            ):
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
    """A record's name with its dates ("Armenia to KFOR, Feb 2004 – Feb 2012"), so two facts
    of one partner and mission differ; one whose related row is gone since is named by kind
    and id."""
    from partnerships.provenance.labels import dated_label

    try:
        return dated_label(record.instance)
    except ObjectDoesNotExist:
        return f"{model._meta.verbose_name} #{record.id}"


def _precise_dates(model) -> set[str]:
    """The date fields of ``model`` that have a precision beside them (``start`` and
    ``start_precision``): one value to a reader."""
    names = {f.name for f in model._meta.concrete_fields}
    return {n for n in names if f"{n}_precision" in names}


def _iso_at(value, precision: str) -> str | None:
    """A date as its precision allows: "2010", "2010-10", "2010-10-15"."""
    if value is None:
        return None
    text = value.isoformat()
    return {"year": text[:4], "month": text[:7]}.get(precision, text)


def _field_changes(model, after, previous) -> list[dict]:
    """The fields that changed from ``previous`` to ``after``: a date and its precision
    merged into one change, written at its precision and shown in words ("October 2010")."""
    delta = after.diff_against(previous)
    changed = {c.field: c for c in delta.changes if c.field not in IGNORED_FIELDS}
    dates = _precise_dates(model)
    fields = []
    for name, change in changed.items():
        date = name.removesuffix("_precision")
        if name.endswith("_precision") and date in dates:
            if date in changed:
                continue  # merged into the date's own change
            name = date
        if name in dates:
            precision = f"{name}_precision"
            old = (getattr(previous, name), getattr(previous, precision))
            new = (getattr(after, name), getattr(after, precision))
            fields.append(
                {
                    "field": name,
                    "before": _iso_at(*old),
                    "after": _iso_at(*new),
                    "before_shown": display_date(*old) or None,
                    "after_shown": display_date(*new) or None,
                }
            )
        else:
            fields.append(
                {"field": name, "before": _plain(change.old), "after": _plain(change.new)}
            )
    return fields


def changes_since(since: dt.datetime | None, until: dt.datetime) -> dict:
    """What history records between ``since`` (exclusive) and ``until`` (inclusive) did.

    For each object touched: added (did not exist before, exists after), removed (existed,
    deleted), or changed (with each field's value before and after), with the reasons the
    curators gave (``why``) and who made the changes (``by``, shown to staff only: see
    :func:`public`). An object added and removed within the window is left out: the
    release never saw it.
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
        latest, why = {}, {}
        for record in window.select_related("history_user").order_by("history_date", "history_id"):
            latest[record.id] = record
            reasons, users = why.setdefault(record.id, ({}, {}))
            if record.history_change_reason:
                reasons.setdefault(record.history_change_reason, None)
            if record.history_user is not None:
                users.setdefault(record.history_user.get_username(), None)
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
            reasons, users = why[object_id]
            # Why (every reason given in the window) and who: the public page and API show
            # the reasons; the names only to staff (partnerships.provenance.releases.public).
            entry = {"id": object_id, "label": label, "why": list(reasons), "by": list(users)}
            if exists and not existed:
                log["added"][kind].append(entry)
            elif existed and not exists:
                log["removed"][kind].append(entry)
            elif existed and exists:
                fields = _field_changes(model, after, previous)
                if fields:
                    log["changed"][kind].append({**entry, "fields": fields})
    return {section: dict(kinds) for section, kinds in log.items()}


ANONYMOUS_CURATOR = "a curator"


def public(changelog: dict, staff: bool) -> dict:
    """A changelog as a viewer may see it: the reasons (``why``) for everyone; who made
    each change (``by``) by name for staff, as "a curator" for anyone else (an entry made
    by no one, e.g. by the loader, keeps an empty ``by``)."""
    if staff or not changelog:
        return changelog
    shown = {}
    for section, value in changelog.items():
        if isinstance(value, dict):
            value = {
                kind: [_anonymous(entry) for entry in entries] for kind, entries in value.items()
            }
        shown[section] = value
    return shown


def _anonymous(entry: dict) -> dict:
    if "by" not in entry:  # a changelog made before curators were recorded
        return entry
    return {**entry, "by": [ANONYMOUS_CURATOR] if entry["by"] else []}


def make_release(
    version: str, notes: str = "", user=None, released: dt.date | None = None
) -> Release:
    """Freeze the current content as ``version``: checksum, counts, changelog since the last,
    and the zip archive of the export (dated ``released``, today by default)."""
    with transaction.atomic():
        previous = Release.objects.order_by("-created").first()
        now = timezone.now()
        released = released or now.date()
        records = export_records()
        archive = build_archive(records, version, released)
        release = Release(
            version=version,
            created=now,
            released=released,
            notes=notes,
            checksum=checksum(records),
            counts=counts(records),
            archive=archive,
            archive_sha256=sha256(archive),
            changelog={
                "since": previous.version if previous else None,
                **changes_since(previous.created if previous else None, now),
            },
            created_by=user,
        )
        release.full_clean()
        release.save()
    return release


def manifests(root: Path) -> list[dict]:
    """The release manifests committed beside the knowledge files (``releases/*.json``),
    oldest version first."""
    found = []
    for path in (root / "releases").glob("*.json"):
        manifest = json.loads(path.read_text(encoding="utf-8"))
        manifest["path"] = path
        found.append(manifest)
    return sorted(found, key=lambda m: tuple(int(p) for p in m["version"].split(".")))


def release_from_manifests(root: Path) -> list[str]:
    """Make each committed release whose content is what the database now holds.

    A manifest names a version, its date, notes, the content checksum and the archive's
    SHA-256. When no release of that version exists and the current content's checksum
    equals the manifest's, the release is made (dated as the manifest says), so a fresh
    install of these files has it. Returns what was done, a line per manifest.
    """
    said = []
    current = None
    for manifest in manifests(root):
        version = manifest["version"]
        if Release.objects.filter(version=version).exists():
            continue
        current = current or checksum()
        if current != manifest["checksum"]:
            said.append(
                f"Release {version} not made: the content differs from its manifest "
                f"({current[:12]} != {manifest['checksum'][:12]})."
            )
            continue
        release = make_release(
            version,
            manifest.get("notes", ""),
            released=dt.date.fromisoformat(manifest["released"]),
        )
        same = release.archive_sha256 == manifest.get("archive_sha256")
        said.append(
            f"Release {version} made from {manifest['path'].name}: archive SHA-256 "
            f"{release.archive_sha256}"
            + ("" if same else f" (the manifest says {manifest.get('archive_sha256')})")
            + "."
        )
    return said
