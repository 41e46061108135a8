"""How the ``missions`` and ``contributions`` knowledge files become objects."""

from partnerships.knowledge import (
    Context,
    LoadError,
    as_list,
    fields_of,
    parse_date,
    parse_period,
    refuse_duplicate,
    upsert,
)

from .models import Contribution, ContributionFigure, Mission, Role


def load_missions(ctx: Context, rows: list[dict]) -> None:
    missions = ctx.refs.setdefault("mission", {})
    seen: dict = {}
    for row in rows:
        values = fields_of(
            row,
            ["slug", "name", "kind", "region", "sources"],
            ["acronym", "hosts", "start", "end", "mandate", "description", "cooperation_areas"],
        )
        refuse_duplicate(seen, row, values["slug"])
        hosts = as_list(row, "hosts", values.get("hosts"))
        if any(not isinstance(code, str) for code in hosts):
            raise LoadError(
                row, 'hosts: write country codes as quoted text (YAML reads NO as false: "NO")'
            )
        missions[values["slug"]] = upsert(
            ctx,
            "missions",
            row,
            Mission,
            {"slug": values["slug"]},
            {
                "name": values["name"],
                "acronym": values.get("acronym") or "",
                "kind": values["kind"],
                "region": values["region"],
                "hosts": sorted(code.upper() for code in hosts),  # stored sorted
                "mandate": (values.get("mandate") or "").strip(),
                "description": (values.get("description") or "").strip(),
                **parse_period(row, values),
            },
            {
                "cooperation_areas": ctx.cooperation_areas(row, values),
                "sources": ctx.cited_sources(row, values),
            },
        )


def load_contributions(ctx: Context, rows: list[dict]) -> None:
    roles = {role.slug: role for role in Role.objects.all()}
    ctx.refs["role"] = roles
    seen: dict = {}
    for row in rows:
        values = fields_of(
            row,
            ["partner", "mission", "roles", "sources"],
            ["start", "end", "description", "cooperation_areas", "figures"],
        )
        partner = ctx.lookup(row, "partner", values["partner"], upper=True)
        mission = ctx.lookup(row, "mission", values["mission"])
        period = parse_period(row, values)
        refuse_duplicate(seen, row, (partner.iso3, mission.slug, period["start"]))
        role_list = [
            ctx.lookup(row, "role", slug) for slug in as_list(row, "roles", values["roles"])
        ]
        contribution = upsert(
            ctx,
            "contributions",
            row,
            Contribution,
            {"partner": partner, "mission": mission, "start": period.pop("start")},
            {"description": (values.get("description") or "").strip(), **period},
            {
                "roles": role_list,
                "cooperation_areas": ctx.cooperation_areas(row, values),
                "sources": ctx.cited_sources(row, values),
            },
        )
        figures = values.get("figures") or []
        if not isinstance(figures, list):
            raise LoadError(row, "figures must be a list")
        for figure in figures:
            load_figure(ctx, contribution, figure)


def load_figure(ctx: Context, contribution: Contribution, row: dict) -> None:
    row.setdefault("__file__", "?")
    values = fields_of(row, ["as_of", "personnel", "source"], ["measure", "estimate", "notes"])
    as_of, precision = parse_date(row, "as_of", values["as_of"])
    personnel = values["personnel"]
    if not isinstance(personnel, int) or isinstance(personnel, bool):
        raise LoadError(row, f"personnel must be a whole number, not {personnel!r}")
    source = ctx.lookup(row, "source", values["source"])
    upsert(
        ctx,
        "figures",
        row,
        ContributionFigure,
        {
            "contribution": contribution,
            "as_of": as_of,
            "measure": values.get("measure") or ContributionFigure.Measure.SNAPSHOT,
            "source": source,
        },
        {
            "as_of_precision": precision,
            "personnel": personnel,
            "estimate": bool(values.get("estimate", False)),
            "notes": (values.get("notes") or "").strip(),
        },
    )
