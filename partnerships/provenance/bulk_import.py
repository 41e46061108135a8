"""Bulk CSV import of participations, contributions and figures, all or nothing.

Rows go through the API's serializers, so the import validates exactly like the admin and
the API. Each row is matched to an existing object by ``id`` when given, else by natural
key, and created or updated. The whole file runs in one transaction: a preview runs it and
rolls back, so it shows exactly what a commit would do, row by row; one invalid row refuses
the whole file. A CSV exported by the API (``?format=csv``), edited and imported again,
updates the same rows (derived columns such as ``partner_name`` are ignored).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string
from rest_framework.exceptions import ValidationError
from simple_history.utils import update_change_reason

from partnerships import kinds
from partnerships.dates import parse_fuzzy_date

MAX_ROWS = 20000


def _list(text: str) -> list[str]:
    return [item.strip() for item in (text or "").split(";") if item.strip()]


def _period(row: dict) -> dict:
    state = (row.get("end_state") or "").strip()
    unknown = state == "ended-date-unknown" or (row.get("end") or "").strip().lower() == "unknown"
    end = None if unknown else (row.get("end") or "").strip() or None
    return {"start": (row.get("start") or "").strip() or None, "end": end, "end_unknown": unknown}


def _bool(text: str) -> bool:
    return (text or "").strip().lower() in {"1", "true", "yes", "y"}


def row_data(kind: str, row: dict) -> dict:
    """The serializer payload of one CSV row."""
    if kind == "participations":
        return {
            "partner": (row.get("partner") or "").strip().upper(),
            "framework": (row.get("framework") or "").strip(),
            **_period(row),
            "status": (row.get("status") or "").strip(),
            "notes": row.get("notes") or "",
            "sources": _list(row.get("sources")),
        }
    if kind == "contributions":
        return {
            "partner": (row.get("partner") or "").strip().upper(),
            "mission": (row.get("mission") or "").strip(),
            **_period(row),
            "roles": _list(row.get("roles")),
            "description": row.get("description") or "",
            "sources": _list(row.get("sources")),
        }
    return {
        "contribution": (row.get("contribution") or "").strip(),
        "as_of": (row.get("as_of") or "").strip(),
        "personnel": (row.get("personnel") or "").strip(),
        "measure": (row.get("measure") or "snapshot").strip(),
        "estimate": _bool(row.get("estimate")),
        "source": _source_id((row.get("source") or "").strip()),
        "notes": row.get("notes") or "",
    }


def _source_id(value: str):
    from partnerships.models import Source

    if value and not value.isdigit():
        found = Source.objects.filter(key=value).values_list("pk", flat=True).first()
        return found if found is not None else value
    return value


def find_existing(kind: str, model, row: dict, data: dict):
    """The object a row updates: by ``id``, else by natural key; None to create."""
    raw_id = (row.get("id") or "").strip()
    if raw_id:
        if not raw_id.isdigit():
            raise ValidationError({"id": [f"{raw_id!r} is not an id."]})
        try:
            return model.objects.get(pk=int(raw_id))
        except model.DoesNotExist:
            raise ValidationError({"id": [f"No {kind[:-1]} with id {raw_id}."]}) from None
    try:
        if kind == "participations":
            start = parse_fuzzy_date(data["start"])[0] if data["start"] else None
            return model.objects.filter(
                partner__iso3=data["partner"], framework__slug=data["framework"], start=start
            ).first()
        if kind == "contributions":
            start = parse_fuzzy_date(data["start"])[0] if data["start"] else None
            return model.objects.filter(
                partner__iso3=data["partner"], mission__slug=data["mission"], start=start
            ).first()
        as_of = parse_fuzzy_date(data["as_of"])[0] if data["as_of"] else None
        return model.objects.filter(
            contribution_id=data["contribution"] or None,
            as_of=as_of,
            measure=data["measure"],
            source_id=data["source"] if str(data["source"]).isdigit() else None,
        ).first()
    except ValueError:
        return None  # the serializer will name the bad date


@dataclass
class RowResult:
    line: int
    action: str  # create | update | unchanged | error
    label: str = ""
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    kind: str
    rows: list[RowResult]
    committed: bool

    @property
    def valid(self) -> bool:
        return bool(self.rows) and not any(r.errors for r in self.rows)

    @property
    def errors(self) -> list[RowResult]:
        return [r for r in self.rows if r.errors]

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)


def _messages(detail, prefix="") -> list[str]:
    if isinstance(detail, dict):
        return [m for key, value in detail.items() for m in _messages(value, f"{key}: ")]
    if isinstance(detail, list):
        return [m for value in detail for m in _messages(value, prefix)]
    return [f"{prefix}{detail}"]


class _Rollback(Exception):
    pass


def run_import(kind: str, text: str, *, commit: bool, request=None) -> ImportResult:
    """Import (or preview) a CSV of ``kind``; all rows or none."""
    importable = kinds.importable()
    if kind not in importable:
        raise ValueError(f"Unknown kind {kind!r}: one of {', '.join(importable)}.")
    serializer_class = import_string(importable[kind].serializer)
    model = serializer_class.Meta.model
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    results: list[RowResult] = []
    seen: dict = {}
    context = {"request": request}
    try:
        with transaction.atomic():
            for line, row in enumerate(reader, start=2):
                if line - 1 > MAX_ROWS:
                    results.append(RowResult(line, "error", errors=[f"More than {MAX_ROWS} rows."]))
                    break
                results.append(_import_row(kind, model, serializer_class, row, line, seen, context))
            if not results:
                results.append(RowResult(1, "error", errors=["The file has no rows."]))
            if not commit or any(r.errors for r in results):
                raise _Rollback
    except _Rollback:
        return ImportResult(kind, results, committed=False)
    except IntegrityError as exc:
        results.append(RowResult(0, "error", errors=[f"The database refused the file: {exc}"]))
        return ImportResult(kind, results, committed=False)
    return ImportResult(kind, results, committed=True)


def _import_row(kind, model, serializer_class, row, line, seen, context) -> RowResult:
    if None in row:
        return RowResult(line, "error", errors=["More values than columns."])
    data = row_data(kind, row)
    try:
        instance = find_existing(kind, model, row, data)
    except ValidationError as exc:
        return RowResult(line, "error", errors=_messages(exc.detail))
    key = instance.pk if instance else None
    if key is not None and key in seen:
        return RowResult(line, "error", errors=[f"Same row as line {seen[key]}."])
    serializer = serializer_class(instance=instance, data=data, context=context)
    if not serializer.is_valid():
        return RowResult(line, "error", errors=_messages(serializer.errors))
    changed = instance is None or _differs(instance, serializer.validated_data)
    try:
        with transaction.atomic():
            saved = serializer.save() if changed else instance
    except IntegrityError as exc:
        return RowResult(
            line, "error", errors=[f"The database refused the row: {exc}".splitlines()[0]]
        )
    if changed:
        update_change_reason(saved, "bulk CSV import")
    seen[saved.pk] = line
    action = "create" if instance is None else "update" if changed else "unchanged"
    return RowResult(line, action, label=str(saved))


def _differs(instance, validated: dict) -> bool:
    for name, value in validated.items():
        current = getattr(instance, name)
        if hasattr(current, "all"):  # many-to-many
            if {o.pk for o in current.all()} != {o.pk for o in value}:
                return True
        elif current != value:
            return True
    return False
