"""Reading the curated knowledge files (``data/``) and upserting them by natural key.

The generic part lives here: YAML rows that remember their line, date parsing with
precision, period fields, references by natural key, and an idempotent upsert that
validates each object with the same ``full_clean`` the admin and the API use. Each app's
``knowledge.py`` says how its kinds of rows become objects; the ``load_knowledge`` command
runs them in order inside one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import models

from partnerships.dates import Precision, format_date, parse_fuzzy_date
from partnerships.documents import normalise_url
from partnerships.models import CooperationArea, Milestone, Partner, Source
from partnerships.provenance.recording import recording
from partnerships.validation import NUL_MESSAGE, check_year, contains_nul

LINE = "__line__"
FILE = "__file__"


class LoadError(Exception):
    """A row the loader refuses: ``file:line: reason``."""

    def __init__(self, row: dict | None, reason: str, path: str | None = None):
        self.path = path or (row or {}).get(FILE, "?")
        self.line = (row or {}).get(LINE, 0)
        self.reason = reason
        super().__init__(f"{self.path}:{self.line}: {reason}")


class _LineLoader(yaml.SafeLoader):
    """A safe YAML loader whose mappings remember the line they start on (1-based)."""

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        mapping[LINE] = node.start_mark.line + 1
        return mapping


def read_rows(path: Path, root: Path) -> list[dict]:
    """The rows of one knowledge file: a YAML list of mappings."""
    shown = str(path.relative_to(root.parent)) if path.is_relative_to(root.parent) else str(path)
    try:
        with path.open(encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        raise LoadError({LINE: line}, f"not valid YAML: {exc}", path=shown) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError({LINE: 0}, f"cannot be read as UTF-8 text: {exc}", path=shown) from None
    if data is None:
        return []
    if not isinstance(data, list):
        raise LoadError({LINE: 1}, "a knowledge file is a list of rows", path=shown)
    for row in data:
        if not isinstance(row, dict):
            raise LoadError({LINE: 0}, f"each row must be a mapping, not {row!r}", path=shown)
        row[FILE] = shown
        if contains_nul(row):
            raise LoadError(row, NUL_MESSAGE)
    return data


def files_of(root: Path, kind: str) -> list[Path]:
    """``<kind>.yaml`` (or ``.json``) and every file of ``<kind>/``, in name order.

    JSON is YAML too: the dumps ``export_dataset`` writes load through this same loader.
    """
    found = [
        root / f"{kind}.{ext}" for ext in ("yaml", "json") if (root / f"{kind}.{ext}").exists()
    ]
    folder = root / kind
    if folder.is_dir():
        found.extend(sorted([*folder.glob("*.yaml"), *folder.glob("*.json")]))
    return found


def fields_of(row: dict, required: Iterable[str], optional: Iterable[str] = ()) -> dict:
    """The row's values, refusing unknown and missing fields by name."""
    required, optional = set(required), set(optional)
    given = {k: v for k, v in row.items() if k not in (LINE, FILE)}
    unknown = set(given) - required - optional
    if unknown:
        expected = ", ".join(sorted(required | optional))
        raise LoadError(row, f"unknown field {sorted(unknown)[0]!r} (expected: {expected})")
    for name in sorted(required):
        if given.get(name) in (None, ""):
            raise LoadError(row, f"missing required field {name!r}")
    return given


def parse_date(row: dict, name: str, value) -> tuple[dt.date | None, str]:
    """A date value of a row: "1995", "1995-11", "1995-11-28" (or a YAML date: day)."""
    if value in (None, ""):
        return None, ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        try:
            check_year(value)
        except ValueError as exc:
            raise LoadError(row, f"{name}: {exc}") from None
        return value, Precision.DAY
    try:
        return parse_fuzzy_date(str(value))
    except ValueError as exc:
        raise LoadError(row, f"{name}: {exc}") from None


def parse_period(row: dict, values: dict, start: str = "start", end: str = "end") -> dict:
    """Period fields from a row: no end = ongoing, ``end: unknown`` = ended, date unknown."""
    start_date, start_precision = parse_date(row, start, values.get(start))
    raw_end = values.get(end)
    end_unknown = isinstance(raw_end, str) and raw_end.strip().lower() == "unknown"
    end_date, end_precision = (None, "") if end_unknown else parse_date(row, end, raw_end)
    return {
        "start": start_date,
        "start_precision": start_precision,
        "end": end_date,
        "end_precision": end_precision,
        "end_unknown": end_unknown,
    }


def as_list(row: dict, name: str, value) -> list:
    if value in (None, ""):
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [value]
    raise LoadError(row, f"{name} must be a list")


@dataclass
class Context:
    """What the loader has met so far, by natural key, and what it did."""

    sources: dict[str, Source] = field(default_factory=dict)
    areas: dict[str, CooperationArea] = field(default_factory=dict)
    partners: dict[str, Partner] = field(default_factory=dict)
    refs: dict[str, dict[str, models.Model]] = field(default_factory=dict)
    tally: dict[str, Counter] = field(default_factory=dict)

    def count(self, kind: str, outcome: str) -> None:
        self.tally.setdefault(kind, Counter())[outcome] += 1

    def lookup(self, row: dict, kind: str, key, *, upper: bool = False):
        table = {
            "source": self.sources,
            "cooperation area": self.areas,
            "partner": self.partners,
        }.get(kind) or self.refs.setdefault(kind, {})
        text = str(key).upper() if upper else str(key)
        try:
            return table[text]
        except KeyError:
            raise LoadError(row, f"unknown {kind} {key!r}") from None

    def cited_sources(self, row: dict, values: dict, *, required: bool = True) -> list[Source]:
        keys = as_list(row, "sources", values.get("sources"))
        if required and not keys:
            raise LoadError(row, "a fact needs at least one source (sources: [key, ...])")
        return [self.lookup(row, "source", key) for key in keys]

    def cooperation_areas(self, row: dict, values: dict) -> list[CooperationArea]:
        return [
            self.lookup(row, "cooperation area", slug)
            for slug in as_list(row, "cooperation_areas", values.get("cooperation_areas"))
        ]


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        parts = []
        for name, messages in exc.message_dict.items():
            label = "" if name == "__all__" else f"{name}: "
            parts.extend(f"{label}{message}" for message in messages)
        return "; ".join(parts)
    return "; ".join(exc.messages)


def upsert(
    ctx: Context,
    kind: str,
    row: dict,
    model: type[models.Model],
    lookup: dict,
    values: dict,
    m2m: dict[str, list] | None = None,
    prepare=None,
) -> models.Model:
    """Create or update one object by its natural key; count what happened.

    The object is validated with ``full_clean`` (the admin's and the API's rules) and
    saved only when something differs, so a second load changes nothing. ``prepare(obj)``
    runs before the check (a loader's hook: evidence known before the first save).
    """
    obj = model.objects.filter(**lookup).first()
    created = obj is None
    if created:
        obj = model(**lookup)
    if prepare is not None:
        prepare(obj)
    changed = created
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    obj._change_reason = f"load_knowledge: {row.get(FILE)}"
    # The object and its links are one change: one version in history ("created" for a
    # new fact, not "created" then "changed" by each link set).
    with recording():
        if changed:
            try:
                obj.full_clean()
            except ValidationError as exc:
                raise LoadError(row, _messages(exc)) from None
            obj.save()
        for name, related in (m2m or {}).items():
            wanted = {item.pk for item in related}
            current = set() if created else set(getattr(obj, name).values_list("pk", flat=True))
            if wanted != current:
                getattr(obj, name).set(related)
                changed = True
    ctx.count(kind, "created" if created else "updated" if changed else "unchanged")
    return obj


def refuse_duplicate(seen: dict, row: dict, key) -> None:
    if key in seen:
        raise LoadError(row, f"duplicate of the row at line {seen[key]} ({key})")
    seen[key] = row.get(LINE)


# -- the core's kinds -----------------------------------------------------------------


def load_sources(ctx: Context, rows: list[dict]) -> None:
    seen: dict = {}
    documents: dict = {}  # normalised URL -> the key of the first source naming it
    for row in rows:
        values = fields_of(
            row,
            ["key", "title", "publisher", "tier"],
            ["url", "date", "accessed", "kind", "notes"],
        )
        refuse_duplicate(seen, row, values["key"])
        if values["tier"] not in Source.Tier.values:
            raise LoadError(
                row, f"tier: {values['tier']!r} is not one of {', '.join(Source.Tier.values)}"
            )
        if document := normalise_url(values.get("url") or ""):
            if document in documents:
                raise LoadError(
                    row,
                    f"the same document as source {documents[document]!r} (URL {document}): "
                    "keep one record and cite it",
                )
            documents[document] = values["key"]
        published, precision = parse_date(row, "date", values.get("date"))
        accessed, _ = parse_date(row, "accessed", values.get("accessed"))
        ctx.sources[values["key"]] = upsert(
            ctx,
            "sources",
            row,
            Source,
            {"key": values["key"]},
            {
                "title": str(values["title"]),
                "publisher": str(values["publisher"]),
                "url": values.get("url") or "",
                "published": published,
                "published_precision": precision,
                "accessed": accessed,
                "kind": values.get("kind") or Source.Kind.OFFICIAL,
                "tier": values["tier"],
                "notes": values.get("notes") or "",
            },
        )


COVERAGE_FIELDS = ("count", "at_least", "statement", "source", "date")


def parse_coverage(ctx: Context, row: dict, value) -> dict:
    """A mission's or framework's ``coverage:`` mapping as model field values.

    ``coverage: {nations: {count, at_least, statement, source, date}, partners: {...}}``;
    either count may be left out, and so may the whole mapping.
    """
    if value in (None, ""):
        value = {}
    if not isinstance(value, dict):
        raise LoadError(row, "coverage must be a mapping of nations and partners")
    unknown = set(value) - {"nations", "partners", LINE}
    if unknown:
        raise LoadError(row, f"coverage: unknown count {sorted(unknown)[0]!r} (nations, partners)")
    fields = {}
    for count in ("nations", "partners"):
        given = value.get(count) or {}
        if not isinstance(given, dict):
            raise LoadError(row, f"coverage.{count} must be a mapping")
        extra = set(given) - set(COVERAGE_FIELDS) - {LINE}
        if extra:
            raise LoadError(row, f"coverage.{count}: unknown field {sorted(extra)[0]!r}")
        number = given.get("count")
        if given and (not isinstance(number, int) or isinstance(number, bool) or number < 0):
            raise LoadError(row, f"coverage.{count}.count must be a whole number")
        for needed in ("statement", "source"):
            if given and not given.get(needed):
                raise LoadError(row, f"coverage.{count}: missing {needed!r}")
        date, precision = parse_date(row, f"coverage.{count}.date", given.get("date"))
        fields.update(
            {
                f"coverage_{count}": number,
                f"coverage_{count}_at_least": bool(given.get("at_least")),
                f"coverage_{count}_statement": str(given.get("statement") or "").strip(),
                f"coverage_{count}_source": (
                    ctx.lookup(row, "source", given["source"]) if given else None
                ),
                f"coverage_{count}_date": date,
                f"coverage_{count}_date_precision": precision,
            }
        )
    return fields


def export_coverage(obj) -> dict | None:
    """The ``coverage:`` mapping of a mission or framework, as the files write it."""
    result = {}
    for count in ("nations", "partners"):
        number = getattr(obj, f"coverage_{count}")
        if number is None:
            continue
        source = getattr(obj, f"coverage_{count}_source")
        result[count] = {
            "count": number,
            "at_least": getattr(obj, f"coverage_{count}_at_least"),
            "statement": getattr(obj, f"coverage_{count}_statement"),
            "source": source.key if source else None,
            "date": date_text(obj, f"coverage_{count}_date"),
        }
    return result or None


def load_cooperation_areas(ctx: Context, rows: list[dict]) -> None:
    seen: dict = {}
    for row in rows:
        values = fields_of(row, ["slug", "name"], ["description"])
        refuse_duplicate(seen, row, values["slug"])
        ctx.areas[values["slug"]] = upsert(
            ctx,
            "cooperation areas",
            row,
            CooperationArea,
            {"slug": values["slug"]},
            {"name": values["name"], "description": values.get("description") or ""},
        )


def load_partners(ctx: Context, rows: list[dict]) -> None:
    seen: dict = {}
    for row in rows:
        values = fields_of(
            row,
            ["iso3", "name", "region"],
            [
                "other_names",
                "nato_accession",
                "accession_sources",
                "profile",
                "wikidata",
                "cow_code",
                "sources",
            ],
        )
        iso3 = str(values["iso3"]).upper()
        refuse_duplicate(seen, row, iso3)
        accession, precision = parse_date(row, "nato_accession", values.get("nato_accession"))
        sources = ctx.cited_sources(row, values, required=False)
        accession_sources = [
            ctx.lookup(row, "source", key)
            for key in as_list(row, "accession_sources", values.get("accession_sources"))
        ]
        if accession and not accession_sources:
            raise LoadError(
                row, "an accession date needs its own sources (accession_sources: [key, ...])"
            )
        if accession_sources and not accession:
            raise LoadError(row, "accession_sources without a nato_accession date")
        ctx.partners[iso3] = upsert(
            ctx,
            "partners",
            row,
            Partner,
            {"iso3": iso3},
            {
                "name": values["name"],
                "other_names": as_list(row, "other_names", values.get("other_names")),
                "region": values["region"],
                "nato_accession": accession,
                "nato_accession_precision": precision,
                "profile": (values.get("profile") or "").strip(),
                "wikidata_qid": values.get("wikidata") or "",
                "cow_code": values.get("cow_code"),
            },
            {"sources": sources, "accession_sources": accession_sources},
        )


def load_milestones(ctx: Context, rows: list[dict]) -> None:
    seen: dict = {}
    for row in rows:
        values = fields_of(row, ["partner", "date", "kind", "title", "sources"], ["description"])
        partner = ctx.lookup(row, "partner", values["partner"], upper=True)
        date, precision = parse_date(row, "date", values["date"])
        refuse_duplicate(seen, row, (partner.iso3, date, values["title"]))
        upsert(
            ctx,
            "milestones",
            row,
            Milestone,
            {"partner": partner, "date": date, "title": values["title"]},
            {
                "date_precision": precision,
                "kind": values["kind"],
                "description": (values.get("description") or "").strip(),
            },
            {"sources": ctx.cited_sources(row, values)},
        )


# -- export: the same format, from the database (see provenance/dataset.py) ---------------


def keys_of(items, attribute="key") -> list[str]:
    return sorted(getattr(item, attribute) for item in items)


def end_text(obj, name="end") -> str | None:
    """A period's end as the files write it: a date, "unknown", or None (ongoing)."""
    if getattr(obj, name):
        return format_date(getattr(obj, name), getattr(obj, f"{name}_precision"))
    return "unknown" if obj.end_unknown else None


def date_text(obj, name) -> str | None:
    return format_date(getattr(obj, name), getattr(obj, f"{name}_precision")) or None


def export_sources() -> list[dict]:
    """Every sources row in the knowledge-file format, by natural key."""
    return [
        {
            "key": s.key,
            "title": s.title,
            "publisher": s.publisher,
            "url": s.url or None,
            "date": date_text(s, "published"),
            "accessed": s.accessed.isoformat() if s.accessed else None,
            "kind": s.kind,
            "tier": s.tier,
            "notes": s.notes or None,
        }
        for s in Source.objects.order_by("key")
    ]


def export_cooperation_areas() -> list[dict]:
    """Every cooperation areas row in the knowledge-file format, by natural key."""
    return [
        {"slug": a.slug, "name": a.name, "description": a.description or None}
        for a in CooperationArea.objects.order_by("slug")
    ]


def export_partners() -> list[dict]:
    """Every partners row in the knowledge-file format, by natural key."""
    return [
        {
            "iso3": p.iso3,
            "name": p.name,
            "other_names": list(p.other_names),
            "region": p.region,
            "nato_accession": date_text(p, "nato_accession"),
            "profile": p.profile or None,
            "wikidata": p.wikidata_qid or None,
            "cow_code": p.cow_code,
            "sources": keys_of(p.sources.all()),
            "accession_sources": keys_of(p.accession_sources.all()) or None,
        }
        for p in Partner.objects.prefetch_related("sources", "accession_sources").order_by("iso3")
    ]


def export_milestones() -> list[dict]:
    """Every milestones row in the knowledge-file format, by natural key."""
    return [
        {
            "partner": m.partner.iso3,
            "date": date_text(m, "date"),
            "kind": m.kind,
            "title": m.title,
            "description": m.description or None,
            "sources": keys_of(m.sources.all()),
        }
        for m in Milestone.objects.select_related("partner")
        .prefetch_related("sources")
        .order_by("partner__iso3", "date", "title")
    ]
