"""What needs a curator's eye: figures that disagree (source reconciliation) and facts whose
support or precision is thin (data quality). Used by the API and the curators' pages."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import (
    Count,
    F,
    Func,
    IntegerField,
    Max,
    Min,
    Q,
    ValueRange,
    Window,
)

from partnerships import kinds
from partnerships.models import Source

WINDOW = dt.timedelta(days=31)


@dataclass
class Disagreement:
    partner: object
    mission: object
    figures: list  # ContributionFigure, oldest first

    @property
    def low(self) -> int:
        return min(f.personnel for f in self.figures)

    @property
    def high(self) -> int:
        return max(f.personnel for f in self.figures)

    @property
    def spread(self) -> int:
        return self.high - self.low

    @property
    def relative_spread(self) -> float:
        """The spread as a share of the higher figure (0.25 = the low is 25% under)."""
        return round(self.spread / self.high, 3) if self.high else 0.0


class DayNumber(Func):
    """A date as a whole number of days, so a window frame can reach "31 days either side"
    (RANGE offsets must be numbers on SQLite; on PostgreSQL a date takes only intervals)."""

    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(%(expressions)s - DATE '1970-01-01')")

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="CAST(julianday(%(expressions)s) AS INTEGER)"
        )


class DaysAround(ValueRange):
    """``RANGE BETWEEN n PRECEDING AND n FOLLOWING`` over a day number. PostgreSQL (11+) and
    SQLite take numeric offsets; Django's PostgreSQL backend refuses them, so the frame's
    ends are written as a ROWS frame's (the same words)."""

    def window_frame_start_end(self, connection, start, end):
        return connection.ops.window_frame_rows_start_end(start, end)


def disagreements(partner=None, mission=None) -> list[Disagreement]:
    """Figures of the same partner and mission, dated within a month of each other, that
    disagree.

    One query, in the database: per partner and mission, in date order, the lowest and
    highest personnel within 31 days either side of each figure (a window frame: one sort,
    no per-row subquery). A figure whose window holds another number has a disagreeing
    neighbour; only those rows leave the database, already in order, and are cut into
    clusters where a gap exceeds the window.
    """
    figure = kinds.model("figures")
    rows = figure.objects.all()
    if partner is not None:
        rows = rows.filter(contribution__partner=partner)
    if mission is not None:
        rows = rows.filter(contribution__mission=mission)
    window = {
        "partition_by": [F("contribution__partner_id"), F("contribution__mission_id")],
        "order_by": DayNumber("as_of").asc(),
        "frame": DaysAround(start=-WINDOW.days, end=WINDOW.days),
    }
    flagged = (
        rows.annotate(
            low=Window(Min("personnel"), **window), high=Window(Max("personnel"), **window)
        )
        .filter(Q(low__lt=F("personnel")) | Q(high__gt=F("personnel")))
        .select_related("contribution__partner", "contribution__mission", "source")
    )
    groups = defaultdict(list)
    for item in flagged.order_by("as_of", "pk"):
        groups[(item.contribution.partner_id, item.contribution.mission_id)].append(item)
    found = []
    for items in groups.values():
        cluster = [items[0]]
        for item in items[1:]:
            if item.as_of - cluster[-1].as_of <= WINDOW:
                cluster.append(item)
            else:
                found.append(cluster)
                cluster = [item]
        found.append(cluster)
    # A curator resolves a disagreement by preferring one of its figures.
    result = [
        Disagreement(c[0].contribution.partner, c[0].contribution.mission, c)
        for c in found
        if len({f.personnel for f in c}) > 1 and not any(f.rank == "preferred" for f in c)
    ]
    result.sort(key=lambda d: (-d.relative_spread, d.partner.name, d.figures[0].as_of))
    return result


# -- data quality ---------------------------------------------------------------------------


def _single_press_source(model):
    return (
        model.objects.annotate(
            n=Count("sources", distinct=True),
            n_press=Count("sources", filter=Q(sources__kind="press"), distinct=True),
        )
        .filter(n=1, n_press=1)
        .order_by("pk")
    )


# -- facts resting only on the lowest tiers of sources ---------------------------------------

# The kinds of fact rows (each cites its own sources); a figure has exactly one source.
FACT_KINDS = ("participations", "contributions", "milestones")


def _only_on(model, tiers):
    """The rows of ``model`` all of whose sources are of ``tiers`` (and that cite any)."""
    return (
        model.objects.annotate(
            n=Count("sources", distinct=True),
            n_low=Count("sources", filter=Q(sources__tier__in=tiers), distinct=True),
        )
        .filter(n__gt=0, n=F("n_low"))
        .order_by("pk")
    )


def lowest_tier_share() -> dict:
    """How many facts (participations, contributions, milestones, figures) rest only on
    copies, and only on copies or reference works: counts and shares of all facts."""
    copy_only = [Source.Tier.COPY]
    lowest = list(Source.LOWEST_TIERS)
    figure = kinds.model("figures")
    total = n_copy = n_lowest = 0
    for key in FACT_KINDS:
        model = kinds.model(key)
        total += model.objects.count()
        n_copy += _only_on(model, copy_only).count()
        n_lowest += _only_on(model, lowest).count()
    total += figure.objects.count()
    n_copy += figure.objects.filter(source__tier__in=copy_only).count()
    n_lowest += figure.objects.filter(source__tier__in=lowest).count()
    return {
        "facts": total,
        "copy_only": n_copy,
        "copy_or_reference_only": n_lowest,
        "copy_only_share": round(n_copy / total, 4) if total else 0.0,
        "copy_or_reference_only_share": round(n_lowest / total, 4) if total else 0.0,
    }


def _tier_checks() -> dict[str, dict]:
    checks = {}
    labels = {"participations": ("partner", "framework"), "contributions": ("partner", "mission")}
    for tiers, suffix, words in (
        ([Source.Tier.COPY], "copy-only", "only on copies"),
        (list(Source.LOWEST_TIERS), "copy-or-reference-only", "only on copies or reference works"),
    ):
        for key in FACT_KINDS:
            checks[f"{key}-{suffix}"] = {
                "title": f"{key.capitalize()} resting {words}",
                "queryset": _only_on(kinds.model(key), tiers).select_related(
                    *labels.get(key, ("partner",))
                ),
            }
        checks[f"figures-{suffix}"] = {
            "title": f"Figures resting {words}",
            "queryset": kinds.model("figures")
            .objects.filter(source__tier__in=tiers)
            .select_related("contribution__partner", "contribution__mission", "source")
            .order_by("pk"),
        }
    return checks


def _consistency_checks() -> dict[str, dict]:
    from partnerships.provenance.consistency import (
        descriptions_contradicting_rows,
        joins_contradicting_participation,
    )

    joins = joins_contradicting_participation()
    described = descriptions_contradicting_rows()
    return {
        "milestones-joins-contradict-participation": {
            "title": "Joining milestones whose date contradicts the participation's start",
            "queryset": kinds.model("milestones")
            .objects.filter(pk__in=list(joins))
            .select_related("partner")
            .order_by("pk"),
            "reasons": joins,
        },
        "missions-description-count-contradicts-rows": {
            "title": "Missions whose description states fewer partners than are recorded",
            "queryset": kinds.model("missions")
            .objects.filter(pk__in=list(described))
            .order_by("pk"),
            "reasons": described,
        },
    }


def quality_checks() -> dict[str, dict]:
    """Each check: a description and the queryset of what it flags (and, for the
    consistency checks, a reason per flagged row)."""
    participation = kinds.model("participations")
    contribution = kinds.model("contributions")
    milestone = kinds.model("milestones")
    figure = kinds.model("figures")
    return {
        **_tier_checks(),
        **_consistency_checks(),
        "participations-single-press-source": {
            "title": "Participations resting on a single press source",
            "queryset": _single_press_source(participation).select_related("partner", "framework"),
        },
        "contributions-single-press-source": {
            "title": "Contributions resting on a single press source",
            "queryset": _single_press_source(contribution).select_related("partner", "mission"),
        },
        "milestones-single-press-source": {
            "title": "Milestones resting on a single press source",
            "queryset": _single_press_source(milestone).select_related("partner"),
        },
        "figures-press-source": {
            "title": "Figures whose one source is press",
            "queryset": figure.objects.filter(source__kind="press")
            .select_related("contribution__partner", "contribution__mission", "source")
            .order_by("pk"),
        },
        "sources-without-url": {
            "title": "Sources without a URL",
            "queryset": Source.objects.filter(url="").order_by("title"),
        },
        "figures-estimates": {
            "title": "Figures marked as estimates",
            "queryset": figure.objects.filter(estimate=True)
            .select_related("contribution__partner", "contribution__mission", "source")
            .order_by("pk"),
        },
        "participations-year-precision": {
            "title": "Participations dated only to the year",
            "queryset": participation.objects.filter(
                Q(start_precision="year") | Q(end_precision="year")
            )
            .select_related("partner", "framework")
            .order_by("pk"),
        },
        "contributions-year-precision": {
            "title": "Contributions dated only to the year",
            "queryset": contribution.objects.filter(
                Q(start_precision="year") | Q(end_precision="year")
            )
            .select_related("partner", "mission")
            .order_by("pk"),
        },
        "participations-start-not-recorded": {
            "title": "Participations whose start is not recorded",
            "queryset": participation.objects.filter(start__isnull=True)
            .select_related("partner", "framework")
            .order_by("pk"),
        },
        "contributions-start-not-recorded": {
            "title": "Contributions whose start is not recorded",
            "queryset": contribution.objects.filter(start__isnull=True)
            .select_related("partner", "mission")
            .order_by("pk"),
        },
    }
