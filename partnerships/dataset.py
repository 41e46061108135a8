"""The whole knowledge base as records in the knowledge-file format, by natural key.

One representation serves four jobs: ``export_dataset`` writes it (JSON per kind, plus
CSVs), ``import_dataset`` loads it back through the same loader as ``data/``, a release's
content checksum is computed over it, and a round trip gives the same checksum.
"""

from __future__ import annotations

import hashlib
import json

from django.apps import apps
from django.db.models import Prefetch

from .dates import format_date
from .models import CooperationArea, Milestone, Partner, Source

KINDS = (
    "sources",
    "cooperation_areas",
    "partners",
    "frameworks",
    "participations",
    "missions",
    "contributions",
    "milestones",
)


def _keys(items, attribute="key") -> list[str]:
    return sorted(getattr(item, attribute) for item in items)


def _end(obj, name="end") -> str | None:
    if getattr(obj, name):
        return format_date(getattr(obj, name), getattr(obj, f"{name}_precision"))
    return "unknown" if obj.end_unknown else None


def _date(obj, name) -> str | None:
    return format_date(getattr(obj, name), getattr(obj, f"{name}_precision")) or None


def export_records() -> dict[str, list[dict]]:
    """Every fact, in load order, each row sorted by its natural key."""
    framework = apps.get_model("frameworks.Framework")
    participation = apps.get_model("frameworks.Participation")
    mission = apps.get_model("missions.Mission")
    contribution = apps.get_model("missions.Contribution")
    figure = apps.get_model("missions.ContributionFigure")
    records = {
        "sources": [
            {
                "key": s.key,
                "title": s.title,
                "publisher": s.publisher,
                "url": s.url or None,
                "date": _date(s, "published"),
                "accessed": s.accessed.isoformat() if s.accessed else None,
                "kind": s.kind,
                "notes": s.notes or None,
            }
            for s in Source.objects.order_by("key")
        ],
        "cooperation_areas": [
            {"slug": a.slug, "name": a.name, "description": a.description or None}
            for a in CooperationArea.objects.order_by("slug")
        ],
        "partners": [
            {
                "iso3": p.iso3,
                "name": p.name,
                "other_names": list(p.other_names),
                "region": p.region,
                "nato_accession": _date(p, "nato_accession"),
                "profile": p.profile or None,
                "wikidata": p.wikidata_qid or None,
                "cow_code": p.cow_code,
                "sources": _keys(p.sources.all()),
            }
            for p in Partner.objects.prefetch_related("sources").order_by("iso3")
        ],
        "frameworks": [
            {
                "slug": f.slug,
                "acronym": f.acronym or None,
                "name": f.name,
                "kind": f.kind,
                "parent": f.parent.slug if f.parent else None,
                "established": _date(f, "start"),
                "ended": _end(f),
                "members_only_partners": f.members_only_partners,
                "description": f.description or None,
                "cooperation_areas": _keys(f.cooperation_areas.all(), "slug"),
                "sources": _keys(f.sources.all()),
            }
            for f in framework.objects.select_related("parent")
            .prefetch_related("cooperation_areas", "sources")
            .order_by("slug")
        ],
        "participations": [
            {
                "partner": p.partner.iso3,
                "framework": p.framework.slug,
                "start": _date(p, "start"),
                "end": _end(p),
                "status": p.status,
                "notes": p.notes or None,
                "sources": _keys(p.sources.all()),
            }
            for p in participation.objects.select_related("partner", "framework")
            .prefetch_related("sources")
            .order_by("partner__iso3", "framework__slug", "start")
        ],
        "missions": [
            {
                "slug": m.slug,
                "acronym": m.acronym or None,
                "name": m.name,
                "kind": m.kind,
                "region": m.region,
                "hosts": sorted(c.code for c in m.hosts),
                "start": _date(m, "start"),
                "end": _end(m),
                "mandate": m.mandate or None,
                "description": m.description or None,
                "cooperation_areas": _keys(m.cooperation_areas.all(), "slug"),
                "sources": _keys(m.sources.all()),
            }
            for m in mission.objects.prefetch_related("cooperation_areas", "sources").order_by(
                "slug"
            )
        ],
        "contributions": [
            {
                "partner": c.partner.iso3,
                "mission": c.mission.slug,
                "start": _date(c, "start"),
                "end": _end(c),
                "roles": _keys(c.roles.all(), "slug"),
                "description": c.description or None,
                "cooperation_areas": _keys(c.cooperation_areas.all(), "slug"),
                "sources": _keys(c.sources.all()),
                "figures": [
                    {
                        "as_of": _date(f, "as_of"),
                        "personnel": f.personnel,
                        "measure": f.measure,
                        "estimate": f.estimate,
                        "source": f.source.key,
                        "notes": f.notes or None,
                    }
                    for f in sorted(
                        c.figures.all(), key=lambda f: (f.as_of, f.measure, f.source.key)
                    )
                ],
            }
            for c in contribution.objects.select_related("partner", "mission")
            .prefetch_related(
                "roles",
                "cooperation_areas",
                "sources",
                Prefetch("figures", queryset=figure.objects.select_related("source")),
            )
            .order_by("partner__iso3", "mission__slug", "start")
        ],
        "milestones": [
            {
                "partner": m.partner.iso3,
                "date": _date(m, "date"),
                "kind": m.kind,
                "title": m.title,
                "description": m.description or None,
                "sources": _keys(m.sources.all()),
            }
            for m in Milestone.objects.select_related("partner")
            .prefetch_related("sources")
            .order_by("partner__iso3", "date", "title")
        ],
    }
    return records


def canonical_json(records) -> bytes:
    return json.dumps(records, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def checksum(records: dict | None = None) -> str:
    """SHA-256 of the canonical JSON of every fact: equal content, equal checksum."""
    return hashlib.sha256(canonical_json(records or export_records())).hexdigest()


def counts(records: dict) -> dict[str, int]:
    result = {kind: len(rows) for kind, rows in records.items()}
    result["figures"] = sum(len(c["figures"]) for c in records["contributions"])
    return result
