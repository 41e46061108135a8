"""Bulk CSV import of participations, contributions and figures, all or nothing.

Rows are checked by the API's serializers (:class:`RowRules`: their fields, validators
and ``validate``, the model's ``full_clean``), so the import accepts and refuses what the
admin and the API do, with their messages; the related rows (partners, missions, roles,
sources...) are read once per file (:mod:`partnerships.provenance.import_lookups`), and the
uniqueness and overlap rules checked against the rows loaded, not asked row by row. A row
is matched to an existing record by ``id`` when given, else by natural key, and created or
updated; a ``version`` column (the admin's "Export CSV" writes it) refuses a row whose
record changed since the export. Nothing is written unless every row is valid; then the
whole file is written in one transaction, set-wise (:mod:`.bulk_writes`): the inserts and
updates, the links, and the history (with the curator and the reason) copied from the rows
written. The number of queries does not grow with the number of rows (on SQLite, whose
statements take at most 999 parameters, it grows by batches).
"""

from __future__ import annotations

import contextlib
import copy
import csv
import functools
import gc
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, prefetch_related_objects
from django.utils import timezone
from django.utils.module_loading import import_string
from rest_framework.exceptions import ValidationError
from rest_framework.fields import SkipField, get_error_detail
from rest_framework.serializers import as_serializer_error

from partnerships import kinds
from partnerships.dates import (
    KNOWN_PERIODS,
    display_date,
    first_day,
    known_periods,
    parse_fuzzy_date,
)
from partnerships.provenance.bulk_writes import (
    insert_links,
    record_history,
    record_link_history,
    update_rows,
)
from partnerships.provenance.csv_files import delimiter_name
from partnerships.provenance.diffs import EMPTY, display_value
from partnerships.provenance.import_lookups import Lookup, bind_lookups
from partnerships.provenance.locking import is_stale

MAX_ROWS = 20000
BATCH = 1000
REASON_REQUIRED = "Give a reason: this file changes existing records."

# The columns a file must have, and those naming the record (its natural key).
REQUIRED_COLUMNS = {
    "participations": ("partner", "framework"),
    "contributions": ("partner", "mission"),
    "figures": ("contribution", "as_of", "personnel", "source"),
}
KEY_COLUMNS = {
    "participations": ("partner", "framework", "start"),
    "contributions": ("partner", "mission", "start"),
    "figures": ("contribution", "as_of", "measure", "source"),
}


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
        "source": (row.get("source") or "").strip(),
        "notes": row.get("notes") or "",
    }


# -- results -----------------------------------------------------------------------------


@dataclass
class FieldChange:
    """One field of an updated record, before and after, as a curator reads them."""

    field: str
    before: str
    after: str


@dataclass
class RowResult:
    line: int
    action: str  # create | update | unchanged | error
    label: str = ""
    problems: list[tuple[str, str]] = field(default_factory=list)  # (field or "", message)
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        return [f"{name}: {message}" if name else message for name, message in self.problems]


@dataclass
class ImportResult:
    kind: str
    rows: list[RowResult]
    committed: bool
    delimiter: str = ","
    file_problems: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return bool(self.rows) and not self.file_problems and not self.errors

    @property
    def errors(self) -> list[RowResult]:
        return [r for r in self.rows if r.problems]

    @property
    def problems(self) -> list[tuple[int, str, str, str]]:
        """Every problem, in line order: (line, row label, field, message)."""
        return [(r.line, r.label, name, msg) for r in self.errors for name, msg in r.problems]

    @property
    def delimiter_name(self) -> str:
        return delimiter_name(self.delimiter)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {action: self.count(action) for action in ("create", "update", "unchanged")}


def _problems(detail, name: str = "") -> list[tuple[str, str]]:
    if isinstance(detail, dict):
        found = []
        for key, value in detail.items():
            label = "" if key == "non_field_errors" else key
            found += _problems(value, label or name)
        return found
    if isinstance(detail, list):
        return [p for value in detail for p in _problems(value, name)]
    return [(name, str(detail))]


# -- what a file refers to, loaded once ---------------------------------------------------


def _source_lookup() -> Lookup:
    from partnerships.models import Source

    objects = {}
    for source in Source.objects.only("id", "key", "title", "publisher"):
        objects[source.key] = source
        objects[str(source.pk)] = source
    return Lookup("source key", objects)


def _lookups(kind: str, rows: list[dict]) -> dict[str, Lookup]:
    from partnerships.models import Partner

    lookups = {"sources": _source_lookup()}
    if kind in ("participations", "contributions"):
        partners = {p.iso3: p for p in Partner.objects.all()}
        lookups["partner"] = Lookup("partner (ISO alpha-3 code)", partners, _upper)
    if kind == "participations":
        frameworks = kinds.model("frameworks").objects.all()
        lookups["framework"] = Lookup("framework", {f.slug: f for f in frameworks})
    if kind == "contributions":
        missions = kinds.model("missions").objects.all()
        lookups["mission"] = Lookup("mission", {m.slug: m for m in missions})
        role_model = kinds.model("contributions")._meta.get_field("roles").related_model
        roles = {r.slug: r for r in role_model.objects.all()}
        lookups["roles"] = Lookup("role", roles, listed=True)
    if kind == "figures":
        ids = {(r.get("contribution") or "").strip() for r in rows}
        wanted = [int(i) for i in ids if i.isdigit()]
        contributions = (
            kinds.model("contributions")
            .objects.filter(pk__in=wanted)
            .select_related("partner", "mission")
        )
        lookups["contribution"] = Lookup("contribution id", {str(c.pk): c for c in contributions})
        lookups["source"] = lookups["sources"]
    return lookups


def _upper(text: str) -> str:
    return text.strip().upper()


def _natural_key(kind: str, obj) -> tuple:
    if kind == "participations":
        return (obj.partner_id, obj.framework_id, obj.start)
    if kind == "contributions":
        return (obj.partner_id, obj.mission_id, obj.start)
    return (obj.contribution_id, obj.as_of, obj.measure, obj.source_id)


def _raw_key(kind: str, data: dict, lookups: dict) -> tuple | None:
    """The natural key a row names, read without validating (None if it names nothing)."""

    def pk(name, value):
        obj = lookups[name].objects.get(lookups[name].normalise(str(value)))
        return obj.pk if obj is not None else None

    try:
        if kind == "figures":
            as_of = first_day(*parse_fuzzy_date(data["as_of"]))
            parts = (
                pk("contribution", data["contribution"]),
                as_of,
                data["measure"],
                pk("source", data["source"]),
            )
        else:
            start = first_day(*parse_fuzzy_date(data["start"])) if data["start"] else None
            other = "framework" if kind == "participations" else "mission"
            parts = (pk("partner", data["partner"]), pk(other, data[other]), start)
    except ValueError:
        return None
    return None if any(p is None for p in parts[:2]) else parts


def _existing(kind: str, model, rows: list[dict], lookups: dict) -> list:
    """The records a file can update (those it names by id, and every record of its
    partners or contributions, the natural keys' scope), with their related rows and the
    links the file can set, in a fixed number of queries."""
    ids = {int(i) for r in rows if (i := (r.get("id") or "").strip()).isdigit()}
    if kind == "figures":
        contributions = [c.pk for c in lookups["contribution"].objects.values()]
        scope = Q(contribution_id__in=contributions)
    else:
        partners = {_upper(r.get("partner") or "") for r in rows}
        scope = Q(partner__iso3__in=partners)
    records = model.objects.filter(scope | Q(pk__in=ids))
    found = list(records)
    _attach_related(model, found, lookups)
    # The links a row can change (sources, roles), as sets of ids: read from the link
    # tables, one query each, not a prefetch building an object per link.
    linked = {obj.pk: {} for obj in found}
    for name in _m2m_names(model):
        if name not in lookups:
            continue
        m2m = model._meta.get_field(name)
        through = m2m.remote_field.through
        own, other = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
        for obj in found:
            linked[obj.pk][name] = set()
        pairs = through.objects.filter(**{f"{own}__in": records.values("pk")})
        for a, b in pairs.values_list(f"{own}_id", f"{other}_id"):
            if a in linked:
                linked[a][name].add(b)
    for obj in found:
        obj.import_links = linked[obj.pk]
    if kind == "contributions":
        _attach_evidence(model, found)
    return found


def _attach_related(model, found: list, lookups: dict) -> None:
    """The rows each record names (its partner, mission, source...), which its label reads:
    the lookups' objects, shared, not one copy per record joined in; those the lookups do
    not hold (a figure moved to a contribution the file does not name) in one query."""
    missing = set()
    for name in ("partner", "framework", "mission", "contribution", "source"):
        if name not in lookups:
            continue
        fk = model._meta.get_field(name)
        objects = {obj.pk: obj for obj in lookups[name].objects.values()}
        for record in found:
            target = objects.get(getattr(record, fk.attname))
            if target is None:
                missing.add(record)
            else:
                fk.set_cached_value(record, target)
    if missing:
        prefetch_related_objects(list(missing), *kinds.of(model).label_paths)


def _attach_evidence(model, contributions) -> None:
    """Each contribution's figures as the evidence of its period: one query, not one each."""
    figure_model = model._meta.get_field("figures").related_model
    evidence: dict = {c.pk: [] for c in contributions}
    pairs = figure_model.objects.filter(contribution_id__in=list(evidence)).values_list(
        "contribution_id", "as_of", "as_of_precision"
    )
    for contribution_id, as_of, precision in pairs:
        evidence[contribution_id].append((as_of, precision))
    for contribution in contributions:
        contribution.known_evidence = evidence[contribution.pk]


# -- human values --------------------------------------------------------------------------


@functools.cache
def _date_names(model) -> frozenset[str]:
    names = {f.name for f in model._meta.concrete_fields}
    return frozenset(n for n in names if f"{n}_precision" in names)


def _human(model, name: str, value) -> str:
    if hasattr(value, "_meta"):
        return str(value)
    if isinstance(value, list | tuple | set):
        return "; ".join(sorted(str(v) for v in value)) or EMPTY
    try:
        model_field = model._meta.get_field(name)
    except Exception:
        model_field = None
    if model_field is not None and model_field.many_to_one:
        return str(value) if value is not None else EMPTY
    return display_value(value, model_field, {})


def _field_label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name).capitalize()


def _links(instance, name: str) -> set:
    """The ids ``instance`` links to through ``name``: as the import loaded them, else read."""
    loaded = getattr(instance, "import_links", None)
    if loaded is not None and name in loaded:
        return loaded[name]
    return {o.pk for o in getattr(instance, name).all()}


def compare(model, instance, attrs: dict, related: dict | None = None) -> list[FieldChange]:
    """The fields ``attrs`` would change on ``instance``, before and after, in human terms.

    ``related``: the rows a many-to-many field can link to, by id, to name the links the
    record has now without a query (the import loaded them)."""
    dates = _date_names(model)
    changes = []
    for name, value in attrs.items():
        if name.endswith("_precision") and name[: -len("_precision")] in dates:
            continue
        if name in dates:
            precision = attrs.get(f"{name}_precision", getattr(instance, f"{name}_precision"))
            new = first_day(value, precision) if value else None
            old, old_precision = getattr(instance, name), getattr(instance, f"{name}_precision")
            if (old, old_precision if old else "") != (new, precision if new else ""):
                changes.append(
                    FieldChange(
                        _field_label(model, name),
                        display_date(old, old_precision) or EMPTY,
                        display_date(new, precision) or EMPTY,
                    )
                )
            continue
        if name in _m2m_names(model):  # many-to-many: compare the sets
            current = _links(instance, name)
            if current != {o.pk for o in value}:
                known = (related or {}).get(name)
                if known is not None and all(pk in known for pk in current):
                    before = [known[pk] for pk in current]
                else:
                    before = list(getattr(instance, name).all())
                changes.append(
                    FieldChange(
                        _field_label(model, name), _human(model, name, before),
                        _human(model, name, value),
                    )
                )  # fmt: skip
            continue
        current = getattr(instance, name)
        if current != value:
            changes.append(
                FieldChange(
                    _field_label(model, name),
                    _human(model, name, current),
                    _human(model, name, value),
                )
            )
    return changes


def _row_label(kind: str, row: dict) -> str:
    parts = [(row.get(c) or "").strip() for c in KEY_COLUMNS[kind]]
    label = " · ".join(p for p in parts if p)
    raw_id = (row.get("id") or "").strip()
    return f"#{raw_id} {label}".strip() if raw_id else label or "(empty row)"


def _dated_label(obj) -> str:
    from partnerships.provenance.labels import dated_label

    try:
        return dated_label(obj)
    except Exception:  # a label must never stop a preview
        return str(obj)


# -- checking a row ----------------------------------------------------------------------------


class RowRules:
    """The API serializer's checks of one row, each built once for the whole file.

    What ``serializer.run_validation`` does, in its order and with its messages: every
    writable field's own validation (the import's lookups in place of the related
    fields), the serializer's validators, then its ``validate`` (the model's
    ``full_clean``: field validators, ``clean()``), without rebuilding the list of fields
    for each row. The model checks run on a copy of the record with the row's values (a
    new record for a new row), never on the loaded record itself, which stays as stored
    for the comparison and the overlap checks of the other rows. Uniqueness is checked
    against the loaded rows by the import, as the serializer's bulk mode leaves it.
    """

    def __init__(self, serializer):
        self.serializer = serializer
        self.model = serializer.Meta.model
        self.fields = [
            (f, getattr(serializer, f"validate_{f.field_name}", None))
            for f in serializer.fields.values()
            if not f.read_only
        ]
        self.validators = list(serializer.validators)
        self.m2m = set(_m2m_names(self.model))
        self.periods = hasattr(self.model, "compute_coverage")
        self.dates = sorted(_date_names(self.model))

    def __call__(self, data: dict, instance) -> tuple[dict, object]:
        """The validated attributes and the record as the row leaves it (not yet saved);
        ValidationError with the serializer's detail otherwise."""
        attrs, errors = {}, {}
        for one, method in self.fields:
            try:
                value = one.run_validation(one.get_value(data))
                if method is not None:
                    value = method(value)
            except ValidationError as exc:
                errors[one.field_name] = exc.detail
            except DjangoValidationError as exc:
                errors[one.field_name] = get_error_detail(exc)
            except SkipField:
                pass
            else:
                self.serializer.set_value(attrs, one.source_attrs, value)
        if errors:
            raise ValidationError(errors)
        record = self.candidate(instance, attrs)
        self.serializer.instance = record
        try:
            if self.validators:
                self.serializer.run_validators(attrs)
            attrs = self.serializer.validate(attrs)
        except (ValidationError, DjangoValidationError) as exc:
            raise ValidationError(detail=as_serializer_error(exc)) from None
        finally:
            self.serializer.instance = None
        self.finish(record)
        return attrs, record

    def candidate(self, instance, attrs: dict):
        """A copy of ``instance`` (or a new record) with the row's values."""
        plain = {name: value for name, value in attrs.items() if name not in self.m2m}
        if instance is None:
            record = self.model(**plain)
            if self.periods:
                record.known_evidence = []  # a new record has no figures yet
            return record
        record = _copy(instance)
        for name, value in plain.items():
            setattr(record, name, value)
        return record

    def finish(self, record) -> None:
        """The derived values, as a save computes them (a period's ``clean()`` computed its
        spans already, as its last check)."""
        if self.periods:
            return
        for name in self.dates:
            value = getattr(record, name)
            if value:
                setattr(record, name, first_day(value, getattr(record, f"{name}_precision")))


def _copy(instance):
    """A copy of a loaded record, its related rows still cached (what ``copy.copy`` makes
    of a model instance, without its round trip through pickling's protocol)."""
    record = type(instance).__new__(type(instance))
    record.__dict__.update(instance.__dict__)
    record._state = copy.copy(instance._state)
    record._state.fields_cache = dict(instance._state.fields_cache)
    return record


# -- the import ------------------------------------------------------------------------------


@dataclass
class _Planned:
    row: RowResult
    instance: object
    attrs: dict
    built: object = None  # the record as the row leaves it, built once, written as is


# Who owns a period, for the overlap checks: its partner and what it takes part in.
PERIOD_OWNERS = {"participations": "framework_id", "contributions": "mission_id"}


class _Importer:
    def __init__(self, kind: str, request=None):
        importable = kinds.importable()
        if kind not in importable:
            raise ValueError(f"Unknown kind {kind!r}: one of {', '.join(importable)}.")
        self.kind = kind
        self.serializer_class = import_string(importable[kind].serializer)
        self.model = self.serializer_class.Meta.model
        self.request = request

    def plan(self, rows: list[dict]) -> list[_Planned]:
        lookups = _lookups(self.kind, rows)
        found = _existing(self.kind, self.model, rows, lookups)
        # Periods are checked for overlaps against the partner's others, loaded above (and
        # the file's own new rows as they pass), not read per row.
        with known_periods(self._known_periods(found)):
            return self._plan(rows, lookups, found)

    def _known_periods(self, found: list) -> dict | None:
        owner = PERIOD_OWNERS.get(self.kind)
        if owner is None:
            return None
        periods: dict = {}
        for record in found:
            periods.setdefault((record.partner_id, getattr(record, owner)), []).append(record)
        return periods

    def _plan(self, rows: list[dict], lookups: dict, found: list) -> list[_Planned]:
        by_id = {obj.pk: obj for obj in found}
        by_key = {_natural_key(self.kind, obj): obj for obj in found}
        serializer = self.serializer_class(context={"request": self.request, "bulk_import": True})
        bind_lookups(serializer, lookups)
        check = RowRules(serializer)
        related = {
            name: {o.pk: o for o in lookups[name].objects.values()}
            for name in _m2m_names(self.model)
            if name in lookups
        }
        seen_ids: dict = {}
        seen_keys: dict = {}
        planned = []
        for line, row in enumerate(rows, start=2):
            result = RowResult(line, "error", label=_row_label(self.kind, row))
            item = _Planned(result, None, {})
            planned.append(item)
            if None in row:
                result.problems.append(("", "More values than columns."))
                continue
            data = row_data(self.kind, row)
            raw_id = (row.get("id") or "").strip()
            if raw_id:
                if not raw_id.isdigit() or int(raw_id) not in by_id:
                    noun = self.model._meta.verbose_name
                    result.problems.append(("id", f"No {noun} with id {raw_id!r}."))
                    continue
                instance = by_id[int(raw_id)]
            else:
                key = _raw_key(self.kind, data, lookups)
                instance = by_key.get(key) if key else None
            if instance is not None:
                result.label = _dated_label(instance)
                if instance.pk in seen_ids:
                    result.problems.append(("", f"Same record as line {seen_ids[instance.pk]}."))
                    continue
                seen_ids[instance.pk] = line
            try:
                attrs, built = check(data, instance)
            except ValidationError as exc:
                result.problems += _problems(exc.detail)
                continue
            target = self._target_key(built)
            holder = by_key.get(target)
            if holder is not None and holder is not instance:
                result.problems.append(("", self._unique_message(holder)))
                continue
            if target in seen_keys:
                result.problems.append(("", f"Same record as line {seen_keys[target]}."))
                continue
            seen_keys[target] = line
            item.instance, item.attrs, item.built = instance, attrs, built
            if instance is None:
                result.action = "create"
                periods = KNOWN_PERIODS.get()
                if periods is not None:  # later rows of the file must not overlap it
                    owner = PERIOD_OWNERS[self.kind]
                    periods.setdefault((built.partner_id, getattr(built, owner)), []).append(built)
                result.label = _dated_label(built)
                continue
            result.changes = compare(self.model, instance, attrs, related)
            version = (row.get("version") or "").strip()
            if is_stale(instance, version):
                result.problems.append(("version", self._stale_message(instance, version)))
                continue
            result.action = "update" if result.changes else "unchanged"
        return planned

    def _target_key(self, built) -> tuple:
        """The natural key the row gives its record (its values over the current ones)."""
        return _natural_key(self.kind, built)

    def _unique_message(self, holder) -> str:
        for constraint in self.model._meta.constraints:
            if getattr(constraint, "fields", None):
                return f"{constraint.violation_error_message} (id {holder.pk}: {holder})"
        return f"Already recorded as id {holder.pk}: {holder}."

    def _stale_message(self, instance, version: str) -> str:
        changed = timezone.localtime(instance.updated).strftime("%Y-%m-%d %H:%M")
        return (
            f"This record changed on {changed}, after the file was exported (version {version}). "
            "Export again and redo the edit; its current values are shown beside the file's."
        )

    # -- writing --------------------------------------------------------------------------

    def write(self, planned: list[_Planned], reason: str, user) -> None:
        """The file's new and changed records, their links and their history: a fixed
        number of statements per table (one on PostgreSQL), whatever the number of rows."""
        now = timezone.now()
        creates, updates, links = [], [], []
        columns = [f for f in self.model._meta.concrete_fields if f.name not in ("id", "created")]
        changed: set[str] = {"updated"}
        for item in planned:
            if item.row.action not in ("create", "update"):
                continue
            obj = item.built
            if item.row.action == "create":
                creates.append(obj)
            else:
                before = item.instance
                changed |= {
                    f.name for f in columns if getattr(obj, f.attname) != getattr(before, f.attname)
                }
                obj.updated = now
                updates.append(obj)
            links.append((obj, item))
        if creates:
            self.model.objects.bulk_create(creates)  # batched as the database needs
        # Only the columns some row changes.
        update_rows(self.model, updates, [f.name for f in columns if f.name in changed])
        self._write_links(links)
        history = {"date": now, "user": user, "reason": reason}
        record_history(self.model, [obj.pk for obj in creates], "+", **history)
        record_history(self.model, [obj.pk for obj in updates], "~", **history)
        record_link_history(self.model, now)
        if self.kind == "figures":
            contributions = {obj.contribution_id for obj, _ in links}
            refresh_contribution_spans(contributions, reason, user, now)

    def _write_links(self, links) -> None:
        """Many-to-many links in bulk: the new rows' links, and the changed ones replaced."""
        for name in _m2m_names(self.model):
            m2m = self.model._meta.get_field(name)
            through = m2m.remote_field.through
            own = m2m.m2m_field_name()
            replaced, rows = [], []
            for obj, item in links:
                if name not in item.attrs:
                    continue
                wanted = {o.pk for o in item.attrs[name]}
                if item.instance is not None:
                    if _links(item.instance, name) == wanted:
                        continue
                    replaced.append(obj.pk)
                rows += [(obj.pk, pk) for pk in wanted]
            if replaced:
                through.objects.filter(**{f"{own}_id__in": replaced}).delete()
            insert_links(m2m, rows)


@functools.cache
def _m2m_names(model) -> tuple[str, ...]:
    return tuple(f.name for f in model._meta.many_to_many)


def refresh_contribution_spans(ids, reason: str, user, now) -> None:
    """Recompute the spans of contributions whose figures changed, in bulk, with history
    (what saving one figure does for its contribution)."""
    model = kinds.model("contributions")
    contributions = list(model.objects.filter(pk__in=list(ids)).select_related("mission"))
    _attach_evidence(model, contributions)
    spans = ("covers_from", "covers_until", "certain_from", "certain_until")
    changed = []
    for contribution in contributions:
        before = [getattr(contribution, name) for name in spans]
        contribution.compute_coverage()
        if [getattr(contribution, name) for name in spans] != before:
            contribution.updated = now
            changed.append(contribution)
    if changed:
        update_rows(model, changed, [*spans, "updated"])
        record_history(model, [c.pk for c in changed], "~", date=now, user=user, reason=reason)
        record_link_history(model, now)


@contextlib.contextmanager
def collector_paused():
    """Python's cycle collector paused while a file is checked and written: the tens of
    thousands of records it builds stay alive to the end, and the collector would scan
    them again and again (a third of the CPU time of a 20,000-row preview). They hold no
    reference cycles; what little else is left is collected once the import is done."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_rows(text: str, delimiter: str) -> tuple[list[dict], list[str]]:
    """The rows of a CSV text, and the file's columns."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    rows = []
    for row in reader:
        if len(rows) == MAX_ROWS:
            raise OverflowError
        rows.append(row)
    return rows, list(reader.fieldnames or [])


def run_import(
    kind: str,
    text: str,
    *,
    commit: bool,
    request=None,
    reason: str = "",
    delimiter: str = "",
) -> ImportResult:
    """Import (or preview) a CSV of ``kind``; all rows or none.

    ``delimiter`` empty: detected. A commit that updates existing records needs a
    ``reason``, kept in their history.
    """
    from partnerships.provenance.csv_files import detect_delimiter

    importer = _Importer(kind, request)
    delimiter = delimiter or detect_delimiter(text)
    result = ImportResult(kind, [], committed=False, delimiter=delimiter)
    try:
        rows, columns = read_rows(text, delimiter)
    except OverflowError:
        result.file_problems.append(f"More than {MAX_ROWS} rows: split the file.")
        return result
    except csv.Error as exc:
        result.file_problems.append(f"The file is not valid CSV: {exc}.")
        return result
    missing = [c for c in REQUIRED_COLUMNS[kind] if c not in columns]
    if not rows:
        result.file_problems.append("The file has no rows.")
        return result
    if missing:
        result.file_problems.append(
            f"The file has no column {', '.join(repr(c) for c in missing)} (read with the "
            f"{delimiter_name(delimiter)} as delimiter, the columns found are: "
            f"{', '.join(repr(c) for c in columns)})."
        )
        return result
    with collector_paused():
        planned = importer.plan(rows)
        result.rows = [item.row for item in planned]
        if not commit or not result.valid:
            return result
        reason = (reason or "").strip()
        if result.count("update") and not reason:
            result.file_problems.append(REASON_REQUIRED)
            return result
        user = getattr(request, "user", None)
        user = user if getattr(user, "is_authenticated", False) else None
        try:
            with transaction.atomic():
                importer.write(planned, reason or "bulk CSV import", user)
        except IntegrityError as exc:
            first = str(exc).splitlines()[0]
            result.file_problems.append(f"The database refused the file: {first}")
            return result
    result.committed = True
    return result
