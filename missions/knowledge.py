"""How the ``missions`` and ``contributions`` knowledge files become objects, and
back (the export writes the same format)."""

from django.db.models import Prefetch

from missions.apps import FIGURES_LOADING
from missions.models import Contribution, ContributionFigure, Mission, Role
from partnerships.knowledge import (
    Context,
    LoadError,
    as_list,
    date_text,
    end_text,
    export_coverage,
    fields_of,
    keys_of,
    parse_coverage,
    parse_date,
    parse_period,
    refuse_duplicate,
    upsert,
)


def load_missions(ctx: Context, rows: list[dict]) -> None:
    missions = ctx.refs.setdefault("mission", {})
    seen: dict = {}
    for row in rows:
        values = fields_of(
            row,
            ["slug", "name", "kind", "region", "sources"],
            [
                "acronym",
                "hosts",
                "start",
                "end",
                "mandate",
                "description",
                "cooperation_areas",
                "coverage",
            ],
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
                **parse_coverage(ctx, row, values.get("coverage")),
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
            ["partner", "mission", "sources"],
            ["start", "end", "roles", "description", "cooperation_areas", "figures"],
        )
        partner = ctx.lookup(row, "partner", values["partner"], upper=True)
        mission = ctx.lookup(row, "mission", values["mission"])
        period = parse_period(row, values)
        refuse_duplicate(seen, row, (partner.iso3, mission.slug, period["start"]))
        role_list = [
            ctx.lookup(row, "role", slug) for slug in as_list(row, "roles", values.get("roles"))
        ]
        figures = values.get("figures") or []
        if not isinstance(figures, list):
            raise LoadError(row, "figures must be a list")
        # The figures are evidence of the period: its spans are computed with them on the
        # first save, so a fresh load writes one version of each contribution, not two.
        evidence = [
            parse_date(figure, "as_of", figure.get("as_of"))
            for figure in figures
            if isinstance(figure, dict) and figure.get("as_of")
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
            prepare=lambda obj, evidence=evidence: setattr(obj, "pending_evidence", evidence),
        )
        token = FIGURES_LOADING.set(True)
        try:
            for figure in figures:
                load_figure(ctx, contribution, figure)
        finally:
            FIGURES_LOADING.reset(token)
        contribution.pending_evidence = ()
        contribution.refresh_coverage()


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


# -- export ------------------------------------------------------------------------------


def export_missions() -> list[dict]:
    """Every missions row in the knowledge-file format, by natural key."""
    return [
        {
            "slug": m.slug,
            "acronym": m.acronym or None,
            "name": m.name,
            "kind": m.kind,
            "region": m.region,
            "hosts": sorted(c.code for c in m.hosts),
            "start": date_text(m, "start"),
            "end": end_text(m),
            "mandate": m.mandate or None,
            "description": m.description or None,
            "cooperation_areas": keys_of(m.cooperation_areas.all(), "slug"),
            "sources": keys_of(m.sources.all()),
            "coverage": export_coverage(m),
        }
        for m in Mission.objects.select_related(
            "coverage_nations_source", "coverage_partners_source"
        )
        .prefetch_related("cooperation_areas", "sources")
        .order_by("slug")
    ]


def export_contributions() -> list[dict]:
    """Every contributions row in the knowledge-file format, by natural key."""
    return [
        {
            "partner": c.partner.iso3,
            "mission": c.mission.slug,
            "start": date_text(c, "start"),
            "end": end_text(c),
            "roles": keys_of(c.roles.all(), "slug"),
            "description": c.description or None,
            "cooperation_areas": keys_of(c.cooperation_areas.all(), "slug"),
            "sources": keys_of(c.sources.all()),
            "figures": [
                {
                    "as_of": date_text(f, "as_of"),
                    "personnel": f.personnel,
                    "measure": f.measure,
                    "estimate": f.estimate,
                    "source": f.source.key,
                    "notes": f.notes or None,
                }
                for f in sorted(c.figures.all(), key=lambda f: (f.as_of, f.measure, f.source.key))
            ],
        }
        for c in Contribution.objects.select_related("partner", "mission")
        .prefetch_related(
            "roles",
            "cooperation_areas",
            "sources",
            Prefetch("figures", queryset=ContributionFigure.objects.select_related("source")),
        )
        .order_by("partner__iso3", "mission__slug", "start")
    ]
