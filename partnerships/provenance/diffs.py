"""What changed between consecutive versions of one object: its fields and its kept links
(sources, roles, areas), with the related rows named. The object-history page shows it.

Queries: the kept links of every version (one per link), then the labels of the related
rows the changes name (one per kind of row): constant in the number of versions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.apps import apps

from partnerships.dates import display_date
from partnerships.provenance.releases import IGNORED_FIELDS

CHANGE_WORDS = {"+": "created", "~": "changed", "-": "deleted"}
EMPTY = "—"


@dataclass
class Change:
    """One field (a model field) or kept link (its name) of a version, before and after."""

    field: object
    old: object
    new: object

    @property
    def is_link(self) -> bool:
        return isinstance(self.field, str)


@dataclass(frozen=True)
class Precise:
    """A date with its precision, read as a whole: "October 1996", not "1996-10-01"."""

    value: dt.date | None
    precision: str

    def __str__(self) -> str:
        return display_date(self.value, self.precision)


def display_value(value, field, related: dict) -> str:
    """A field's value as a reader understands it: labels, not ids or codes."""
    if isinstance(value, Precise):
        return str(value) or EMPTY
    if value is None or value == "" or value == []:
        return EMPTY
    if field is not None and field.many_to_one:
        return related.get((field.related_model, value), f"#{value}")
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value) or EMPTY
    if field is not None and field.choices and isinstance(value, str | int):
        return str(dict(field.flatchoices or ()).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class VersionDiff:
    """The changes of ``records`` (versions of one object of ``model``, newest first), each
    against the version after it in the list; the last one is only a base to diff against
    when ``shown`` is fewer than the records."""

    def __init__(self, model, records: list, shown: int):
        self.model = model
        self.records = records
        self.shown = shown
        self.m2m = list(getattr(model, "_history_m2m_fields", []))
        self.ignored = set(IGNORED_FIELDS) | {"id"}
        self.fields = {f.name: f for f in model._meta.concrete_fields if f.name not in self.ignored}
        # A date and its precision are one value to a reader: one row, "October 1996".
        self.dates = {n for n in self.fields if f"{n}_precision" in self.fields}
        self.link_models = {name: model._meta.get_field(name).related_model for name in self.m2m}
        self.links = self._kept_links()

    def _kept_links(self) -> dict:
        """(link name, history id) -> ids of the linked rows: one query per kept link."""
        history = self.model.history.model
        links: dict = {}
        for name, target in self.link_models.items():
            table = apps.get_model(history._meta.app_label, f"{history.__name__}_{name}")
            pairs = table.objects.filter(history__in=self.records).values_list(
                "history", target._meta.model_name
            )
            for history_id, target_id in pairs:
                links.setdefault((name, history_id), set()).add(target_id)
        return links

    def _linked(self, name: str, record) -> set:
        return self.links.get((name, record.history_id), set())

    def _first_version(self, record) -> list[Change]:
        changes = [
            Change(field, None, getattr(record, field.attname))
            for field in self.fields.values()
            if getattr(record, field.attname) not in (None, "", [], False)
        ]
        changes += [Change(n, set(), self._linked(n, record)) for n in self.m2m]
        return [c for c in changes if not c.is_link or c.new]

    def _against(self, record, previous) -> list[Change]:
        delta = record.diff_against(previous, excluded_fields=[*self.m2m, *self.ignored])
        changes = [
            Change(self.fields[c.field], c.old, c.new)
            for c in delta.changes
            if c.field in self.fields
        ]
        for name in self.m2m:
            before, after = self._linked(name, previous), self._linked(name, record)
            if before != after:
                changes.append(Change(name, before, after))
        return changes

    def _precise(self, record, entries: list[Change], previous) -> list[Change]:
        """``entries`` with each date and its precision merged into one change."""
        touched = {c.field.name for c in entries if not c.is_link}
        merged = []
        for change in entries:
            name = None if change.is_link else change.field.name
            if name and name.endswith("_precision") and name[: -len("_precision")] in self.dates:
                continue
            merged.append(change)
        for name in self.dates:
            if name in touched or f"{name}_precision" in touched:
                new = Precise(getattr(record, name), getattr(record, f"{name}_precision"))
                old = (
                    Precise(getattr(previous, name), getattr(previous, f"{name}_precision"))
                    if previous is not None
                    else None
                )
                if old is not None and str(old) == str(new):
                    merged = [c for c in merged if c.is_link or c.field.name != name]
                    continue
                replaced = Change(self.fields[name], old, new)
                index = next(
                    (i for i, c in enumerate(merged) if not c.is_link and c.field.name == name),
                    None,
                )
                if index is None:
                    merged.append(replaced)
                else:
                    merged[index] = replaced
        return merged

    def changes(self) -> list[tuple]:
        """(record, previous record or None, its changes) for each version shown."""
        result = []
        for i, record in enumerate(self.records[: self.shown]):
            previous = self.records[i + 1] if i + 1 < len(self.records) else None
            if record.history_type == "-":
                entries = []
            elif previous is None or previous.history_type == "-":
                entries = self._precise(record, self._first_version(record), None)
            else:
                entries = self._precise(record, self._against(record, previous), previous)
            result.append((record, previous, entries))
        return result

    def _related_labels(self, changes) -> dict:
        """(model, id) -> label of every related row the changes name: a query per kind."""
        wanted: dict = {}
        for _, _, entries in changes:
            for change in entries:
                if change.is_link:
                    target = self.link_models[change.field]
                    wanted.setdefault(target, set()).update(change.old | change.new)
                elif change.field.many_to_one:
                    ids = {v for v in (change.old, change.new) if v is not None}
                    ids = {v for v in ids if not isinstance(v, Precise)}
                    wanted.setdefault(change.field.related_model, set()).update(ids)
        return {
            (target, obj.pk): str(obj)
            for target, ids in wanted.items()
            for obj in target.objects.filter(pk__in=ids)
        }

    def _row(self, change: Change, previous, related: dict) -> dict:
        if not change.is_link:
            field = change.field
            return {
                "field": str(field.verbose_name).capitalize(),
                "old": display_value(change.old, field, related) if previous else None,
                "new": display_value(change.new, field, related),
            }
        target = self.link_models[change.field]

        def names(ids):
            return sorted(related.get((target, i), f"#{i}") for i in ids)

        return {
            "field": str(self.model._meta.get_field(change.field).verbose_name).capitalize(),
            "old": "; ".join(names(change.old)) if previous else None,
            "new": "; ".join(names(change.new)) or EMPTY,
            "link": True,
            "added": names(change.new - change.old),
            "removed": names(change.old - change.new),
        }

    def versions(self) -> list[dict]:
        """Each version shown with its word (created, changed, deleted) and its rows."""
        changes = self.changes()
        related = self._related_labels(changes)
        return [
            {
                "record": record,
                "word": CHANGE_WORDS.get(record.history_type, ""),
                "first": previous is None,
                "rows": [self._row(change, previous, related) for change in entries],
            }
            for record, previous, entries in changes
        ]
