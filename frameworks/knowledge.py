"""How the ``frameworks`` and ``participations`` knowledge files become objects."""

from partnerships.knowledge import (
    Context,
    LoadError,
    fields_of,
    parse_period,
    refuse_duplicate,
    upsert,
)

from .models import Framework, Participation


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
