"""The partner x framework and partner x mission matrices, computed one way for the pages
and the API."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Max, QuerySet

from frameworks.models import Participation
from missions.models import Contribution


@dataclass
class Matrix:
    """Rows (partners) x columns (frameworks or missions), with a cell per pair."""

    rows: list
    columns: list
    cells: dict = field(default_factory=dict)  # (row pk, column pk) -> cell

    def cell(self, row, column):
        return self.cells.get((row.pk, column.pk))

    def grid(self):
        """Rows with their cells in column order, for templates and CSV."""
        for row in self.rows:
            yield row, [self.cells.get((row.pk, column.pk)) for column in self.columns]


@dataclass
class FrameworkCell:
    periods: list  # participations, oldest first
    active: bool | None = None  # on the as-of day, when one was asked

    @property
    def label(self) -> str:
        return "; ".join(p.period_display for p in self.periods)


@dataclass
class MissionCell:
    contributions: list
    roles: list[str]
    peak_personnel: int | None

    @property
    def label(self) -> str:
        text = ", ".join(self.roles) or "contribution"
        if self.peak_personnel is not None:
            text += f" (peak {self.peak_personnel})"
        return text


def framework_matrix(
    partners: QuerySet, frameworks: QuerySet, as_of: dt.date | None = None
) -> Matrix:
    """Partners x frameworks; each cell lists the partner's periods in the framework.

    Two queries whatever the size: the participations of the shown partners and frameworks,
    and the rows and columns themselves.
    """
    participation = Participation
    rows, columns = list(partners), list(frameworks)
    periods = participation.objects.filter(partner__in=rows, framework__in=columns).order_by(
        "covers_from"
    )
    grouped = defaultdict(list)
    for period in periods:
        grouped[(period.partner_id, period.framework_id)].append(period)
    matrix = Matrix(rows=rows, columns=columns)
    for key, items in grouped.items():
        active = any(p.active_on(as_of) for p in items) if as_of else None
        matrix.cells[key] = FrameworkCell(periods=items, active=active)
    return matrix


@dataclass
class ContributionSpan:
    """What a matrix cell needs of a contribution: its period, read without a model object."""

    start: dt.date | None
    start_precision: str
    end: dt.date | None
    end_unknown: bool


def mission_matrix(partners: QuerySet, missions: QuerySet) -> Matrix:
    """Partners x missions; each cell gives the roles and the peak personnel figure.

    Aggregated in the database, three queries whatever the size: the contributions' spans,
    the peak figure per cell, and the roles per cell (no model objects per contribution:
    the full matrix at 100,000 contributions would otherwise build hundreds of thousands).
    """
    contribution = Contribution
    rows, columns = list(partners), list(missions)
    shown = contribution.objects.filter(partner__in=rows, mission__in=columns)
    spans = defaultdict(list)
    for partner_id, mission_id, start, precision, end, unknown in shown.order_by(
        "covers_from"
    ).values_list("partner_id", "mission_id", "start", "start_precision", "end", "end_unknown"):
        spans[(partner_id, mission_id)].append(ContributionSpan(start, precision, end, unknown))
    peaks = {
        (row["partner_id"], row["mission_id"]): row["peak"]
        for row in shown.values("partner_id", "mission_id").annotate(peak=Max("figures__personnel"))
    }
    roles = defaultdict(set)
    through = contribution.roles.through
    for partner_id, mission_id, name in (
        through.objects.filter(contribution__in=shown)
        .values_list("contribution__partner_id", "contribution__mission_id", "role__name")
        .distinct()
    ):
        roles[(partner_id, mission_id)].add(name)
    matrix = Matrix(rows=rows, columns=columns)
    for key, items in spans.items():
        matrix.cells[key] = MissionCell(
            contributions=items, roles=sorted(roles[key]), peak_personnel=peaks.get(key)
        )
    return matrix
