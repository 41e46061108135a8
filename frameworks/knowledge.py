"""How the ``frameworks`` and ``participations`` knowledge files become objects, and
back (the export writes the same format)."""

from frameworks.models import Framework, Participation
from partnerships.knowledge import (
    Context,
    LoadError,
    date_text,
    end_text,
    export_coverage,
    fields_of,
    keys_of,
    parse_coverage,
    parse_period,
    refuse_duplicate,
    upsert,
)


def _parents_first(rows: list[dict]) -> list[dict]:
    """The rows ordered so that each framework comes after its parent."""
    pending = list(rows)
    placed: set = set()
    ordered = []
    while pending:
        ready = [r for r in pending if not r.get("parent") or r.get("parent") in placed]
        if not ready:
            known = {r.get("slug") for r in rows}
            row = next((r for r in pending if r.get("parent") not in known), pending[0])
            reason = (
                f"unknown framework {row.get('parent')!r} as parent"
                if row.get("parent") not in known
                else "parent: these frameworks sit under each other in a cycle"
            )
            raise LoadError(row, reason)
        for row in ready:
            placed.add(row.get("slug"))
            pending.remove(row)
            ordered.append(row)
    return ordered


def load_frameworks(ctx: Context, rows: list[dict]) -> None:
    frameworks = ctx.refs.setdefault("framework", {})
    seen: dict = {}
    for row in _parents_first(rows):
        values = fields_of(
            row,
            ["slug", "name", "kind", "sources"],
            [
                "acronym",
                "parent",
                "established",
                "ended",
                "members_only_partners",
                "description",
                "cooperation_areas",
                "coverage",
            ],
        )
        refuse_duplicate(seen, row, values["slug"])
        parent = values.get("parent")
        frameworks[values["slug"]] = upsert(
            ctx,
            "frameworks",
            row,
            Framework,
            {"slug": values["slug"]},
            {
                "name": values["name"],
                "acronym": values.get("acronym") or "",
                "kind": values["kind"],
                "parent": ctx.lookup(row, "framework", parent) if parent else None,
                "members_only_partners": bool(values.get("members_only_partners", True)),
                "description": (values.get("description") or "").strip(),
                **parse_period(row, values, start="established", end="ended"),
                **parse_coverage(ctx, row, values.get("coverage")),
            },
            {
                "cooperation_areas": ctx.cooperation_areas(row, values),
                "sources": ctx.cited_sources(row, values),
            },
        )


def load_participations(ctx: Context, rows: list[dict]) -> None:
    seen: dict = {}
    for row in rows:
        values = fields_of(
            row, ["partner", "framework", "status", "sources"], ["start", "end", "notes"]
        )
        partner = ctx.lookup(row, "partner", values["partner"], upper=True)
        framework = ctx.lookup(row, "framework", values["framework"])
        period = parse_period(row, values)
        refuse_duplicate(seen, row, (partner.iso3, framework.slug, period["start"]))
        upsert(
            ctx,
            "participations",
            row,
            Participation,
            {"partner": partner, "framework": framework, "start": period.pop("start")},
            {
                "status": values["status"],
                "notes": (values.get("notes") or "").strip(),
                **period,
            },
            {"sources": ctx.cited_sources(row, values)},
        )


# -- export ------------------------------------------------------------------------------


def export_frameworks() -> list[dict]:
    """Every frameworks row in the knowledge-file format, by natural key."""
    return [
        {
            "slug": f.slug,
            "acronym": f.acronym or None,
            "name": f.name,
            "kind": f.kind,
            "parent": f.parent.slug if f.parent else None,
            "established": date_text(f, "start"),
            "ended": end_text(f),
            "members_only_partners": f.members_only_partners,
            "description": f.description or None,
            "cooperation_areas": keys_of(f.cooperation_areas.all(), "slug"),
            "sources": keys_of(f.sources.all()),
            "coverage": export_coverage(f),
        }
        for f in Framework.objects.select_related(
            "parent", "coverage_nations_source", "coverage_partners_source"
        )
        .prefetch_related("cooperation_areas", "sources")
        .order_by("slug")
    ]


def export_participations() -> list[dict]:
    """Every participations row in the knowledge-file format, by natural key."""
    return [
        {
            "partner": p.partner.iso3,
            "framework": p.framework.slug,
            "start": date_text(p, "start"),
            "end": end_text(p),
            "status": p.status,
            "notes": p.notes or None,
            "sources": keys_of(p.sources.all()),
        }
        for p in Participation.objects.select_related("partner", "framework")
        .prefetch_related("sources")
        .order_by("partner__iso3", "framework__slug", "start")
    ]
