"""The partner x framework and partner x mission matrices, computed one way for the pages
and the API."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import django_filters as filters
from django.db.models import Max, QuerySet

from frameworks.models import Framework, Participation
from missions.models import Contribution, Mission
from partnerships.dates import AS_OF_HELP, certainty, overlaps_q
from partnerships.filtersets import (
    AsOfFilter,
    CodeFilter,
    PartnerFilterSet,
    PartnerRowsFilterSet,
    partner_filter,
)
from partnerships.models import Partner


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
    active: bool | None = None  # possibly in it as of the date asked, when one was asked
    certainty: str = ""  # then: "certain" or "possible" ("" when not in it, or not asked)

    @property
    def label(self) -> str:
        return "; ".join(p.period_display for p in self.periods)


@dataclass
class MissionCell:
    contributions: list
    roles: list[str]
    largest_personnel: int | None  # the largest figure recorded (not a known peak)

    @property
    def label(self) -> str:
        text = ", ".join(self.roles) or "contribution"
        if self.largest_personnel is not None:
            text += f" (largest recorded {self.largest_personnel})"
        return text


def framework_matrix(partners: QuerySet, frameworks: QuerySet, as_of=None) -> Matrix:
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
        if as_of is None:
            matrix.cells[key] = FrameworkCell(periods=items)
            continue
        answers = {certainty(p, as_of.first, as_of.last) for p in items}
        found = "certain" if "certain" in answers else "possible" if "possible" in answers else ""
        matrix.cells[key] = FrameworkCell(periods=items, active=bool(found), certainty=found)
    return matrix


@dataclass
class ContributionSpan:
    """What a matrix cell needs of a contribution: its period, read without a model object."""

    start: dt.date | None
    start_precision: str
    end: dt.date | None
    end_unknown: bool


def mission_matrix(partners: QuerySet, missions: QuerySet) -> Matrix:
    """Partners x missions; each cell gives the roles and the largest personnel figure
    recorded.

    Aggregated in the database, three queries whatever the size: the contributions' spans,
    the largest figure recorded per cell, and the roles per cell (no model objects per contribution:
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
    largest = {
        (row["partner_id"], row["mission_id"]): row["largest"]
        for row in shown.values("partner_id", "mission_id").annotate(
            largest=Max("figures__personnel")
        )
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
            contributions=items, roles=sorted(roles[key]), largest_personnel=largest.get(key)
        )
    return matrix


def sort_rows(matrix: Matrix, column_key: str) -> None:
    """Rows with a cell in the chosen column first, earliest start first (no-op for a
    column that is not shown)."""
    column = next((c for c in matrix.columns if c.slug == column_key), None)
    if column is None:
        return

    def key(row):
        cell = matrix.cell(row, column)
        items = (getattr(cell, "periods", None) or getattr(cell, "contributions", None)) or []
        starts = [i.covers_from for i in items if i.covers_from]
        return (cell is None, min(starts) if starts else dt.date.max, row.name)

    matrix.rows.sort(key=key)


# -- the matrices' filters: one FilterSet each, for the page and the API --------------------

COLUMN_HELP = "{kind} shown as columns (slugs; repeatable); every one when none."
SORT_HELP = "A column's slug: rows with a cell in that column first, earliest start first."


class MatrixFilterSetMixin:
    """Rows by partner code, columns by slug, rows sorted by a column."""

    def by_partner(self, queryset, name, partners):
        return queryset.filter(pk__in=[p.pk for p in partners]) if partners else queryset

    def defer(self, queryset, name, value):
        return queryset  # read by columns() and the views

    @property
    def data_of(self) -> dict:
        return self.form.cleaned_data if self.is_bound and self.is_valid() else {}

    def partner_rows(self):
        rows = self.qs
        if not self.data_of.get("ordering"):
            rows = rows.order_by("name")
        return rows


class FrameworkMatrixFilterSet(MatrixFilterSetMixin, PartnerFilterSet):
    """The partner x framework matrix, page and API: rows are the partners the partner
    filters keep (with ``as_of``, those in the chosen frameworks, or partners at all, on
    that day; each cell then says whether the partner was in it that day)."""

    partner = partner_filter("iso3", method="by_partner")
    column = CodeFilter(
        to_field_name="slug",
        queryset=Framework.objects.all(),
        method="defer",
        help_text=COLUMN_HELP.format(kind="Frameworks"),
    )
    sort = filters.CharFilter(method="defer", max_length=100, help_text=SORT_HELP)

    def columns(self):
        chosen = self.data_of.get("column")
        columns = Framework.objects.filter(pk__in=[c.pk for c in chosen]) if chosen else None
        return (columns or Framework.objects.all()).order_by("covers_from", "name")

    def matrix(self) -> Matrix:
        matrix = framework_matrix(self.partner_rows(), self.columns(), self.data_of.get("as_of"))
        sort_rows(matrix, self.data_of.get("sort") or "")
        return matrix


class MissionMatrixFilterSet(MatrixFilterSetMixin, PartnerRowsFilterSet):
    """The partner x mission matrix, page and API: rows are the partners that contributed
    to something, narrowed by the partner filters; columns the missions of the chosen kinds,
    active on ``as_of`` when it is given."""

    partner = partner_filter("iso3", method="by_partner")
    column = CodeFilter(
        to_field_name="slug",
        queryset=Mission.objects.all(),
        method="defer",
        help_text=COLUMN_HELP.format(kind="Missions"),
    )
    kind = filters.MultipleChoiceFilter(
        choices=Mission.Kind.choices, method="defer", help_text="Mission kinds (columns)."
    )
    as_of = AsOfFilter(
        method="defer",
        help_text="Only missions possibly active then (columns): a day (YYYY-MM-DD), a month "
        "(YYYY-MM) or a year (YYYY). " + AS_OF_HELP,
    )
    sort = filters.CharFilter(method="defer", max_length=100, help_text=SORT_HELP)

    def __init__(self, data=None, queryset=None, **kwargs):
        if queryset is None:
            queryset = Partner.objects.filter(pk__in=Contribution.objects.values("partner"))
        super().__init__(data, queryset=queryset, **kwargs)

    def columns(self):
        data = self.data_of
        columns = Mission.objects.all()
        if data.get("column"):
            columns = columns.filter(pk__in=[c.pk for c in data["column"]])
        if data.get("kind"):
            columns = columns.filter(kind__in=data["kind"])
        if data.get("as_of"):
            columns = columns.filter(overlaps_q(data["as_of"].first, data["as_of"].last))
        return columns.order_by("covers_from", "name")

    def matrix(self) -> Matrix:
        matrix = mission_matrix(self.partner_rows(), self.columns())
        sort_rows(matrix, self.data_of.get("sort") or "")
        return matrix
