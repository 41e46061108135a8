"""What needs a curator's eye: figures that disagree (source reconciliation) and facts whose
support or precision is thin (data quality). Used by the API and the curators' pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
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
from partnerships.dates import format_date
from partnerships.models import Partner, Source

WINDOW = dt.timedelta(days=31)


@dataclass
class Disagreement:
    partner: object
    mission: object
    figures: list  # ContributionFigure, oldest first
    low: int
    high: int
    relative_spread: float  # the spread as a share of the higher figure (0.25: 25% under)

    @property
    def spread(self) -> int:
        return self.high - self.low


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


def _flagged(partner=None, mission=None):
    """Figures with a disagreeing neighbour: per partner and mission, in date order, the
    lowest and highest personnel within 31 days either side of each figure (a window frame:
    one sort, no per-row subquery); a row whose window holds another number is flagged."""
    figure = kinds.model("figures")
    rows = figure.objects.order_by()
    if partner is not None:
        rows = rows.filter(contribution__partner=partner)
    if mission is not None:
        rows = rows.filter(contribution__mission=mission)
    window = {
        "partition_by": [F("contribution__partner_id"), F("contribution__mission_id")],
        "order_by": DayNumber("as_of").asc(),
        "frame": DaysAround(start=-WINDOW.days, end=WINDOW.days),
    }
    return (
        rows.annotate(
            low=Window(Min("personnel"), **window), high=Window(Max("personnel"), **window)
        )
        .filter(Q(low__lt=F("personnel")) | Q(high__gt=F("personnel")))
        .values(
            fid=F("pk"),
            partner_id=F("contribution__partner_id"),
            mission_id=F("contribution__mission_id"),
            day=DayNumber("as_of"),
            f_as_of=F("as_of"),
            f_precision=F("as_of_precision"),
            f_personnel=F("personnel"),
            f_rank=F("rank"),
            f_source=F("source_id"),
        )
    )


# The clusters, in SQL over the flagged rows (``flagged``, from the ORM):
# - gaps and islands: per partner and mission in (date, id) order, a row starts a new
#   cluster when it is more than the window after the previous flagged row (LAG), and a
#   running SUM of those starts numbers the clusters;
# - a cluster is kept when its figures differ (low < high) and none is preferred (a
#   curator resolves a disagreement by preferring one of its figures);
# - ranked by relative spread (in thousandths, rounded half up), partner name (code point
#   order, as Python sorts), first date, then the partner and mission's first flagged row
#   (the order in which the clusters were once found, for ties on all the rest).
# Both windows of a partner and mission read its rows in the order of the first (by day),
# so the database sorts the flagged rows once more at most.
CLUSTERS = """
WITH flagged AS ({flagged}),
stepped AS (
  SELECT f.*,
    CASE WHEN f.day - LAG(f.day) OVER by_date <= {window} THEN 0 ELSE 1 END AS starts,
    FIRST_VALUE(f.day) OVER by_date AS group_day,
    FIRST_VALUE(f.fid) OVER by_date AS group_fid
  FROM flagged f
  WINDOW by_date AS (PARTITION BY f.partner_id, f.mission_id ORDER BY f.day, f.fid)
),
numbered AS (
  SELECT s.*,
    SUM(s.starts) OVER (
      PARTITION BY s.partner_id, s.mission_id ORDER BY s.day, s.fid ROWS UNBOUNDED PRECEDING
    ) AS cluster
  FROM stepped s
),
clusters AS (
  SELECT n.*,
    MIN(n.f_personnel) OVER cluster AS low, MAX(n.f_personnel) OVER cluster AS high,
    MIN(n.day) OVER cluster AS first_day,
    SUM(CASE WHEN n.f_rank = %s THEN 1 ELSE 0 END) OVER cluster AS preferred
  FROM numbered n
  WINDOW cluster AS (PARTITION BY n.partner_id, n.mission_id, n.cluster)
),
ranked AS (
  SELECT c.*,
    (2000 * CAST(c.high - c.low AS BIGINT) + c.high) / (2 * CAST(c.high AS BIGINT)) AS rel
  FROM clusters c
  WHERE c.low < c.high AND c.preferred = 0
),
ordered AS (
  SELECT r.*, DENSE_RANK() OVER (
      ORDER BY r.rel DESC, p.name{collate}, r.first_day, r.group_day, r.group_fid
    ) AS ord
  FROM ranked r JOIN {partners} p ON p.id = r.partner_id
)
"""

# How many clusters.
COUNT = "SELECT COUNT(*) FROM ranked WHERE starts = 1"

# Every row of the chosen clusters, in order: the cluster's numbers, then the figure.
CLUSTER_ROWS = """
SELECT o.ord, o.low, o.high, o.rel, o.fid, p.iso3, m.slug, o.f_as_of, o.f_precision,
  o.f_personnel, s.key, s.url
FROM ordered o
  JOIN {partners} p ON p.id = o.partner_id
  JOIN {missions} m ON m.id = o.mission_id
  JOIN {sources} s ON s.id = o.f_source
{where}
ORDER BY o.ord, o.day, o.fid
"""


class Disagreements:
    """Figures of the same partner and mission, dated within a month of each other, that
    disagree: clusters of them, worst first (largest relative spread).

    Computed, grouped, ordered and paged in the database: a page costs a fixed number of
    queries (the count, the page's rows, its figures with their partners, missions and
    sources) whatever the number of clusters, and only its figures become objects. A
    sequence Django's Paginator and the API's paginator can page (``count()`` and slices);
    iterating reads every cluster in chunks.
    """

    chunk_size = 2000  # rows read at a time when iterating over every cluster

    def __init__(self, partner=None, mission=None):
        self.partner, self.mission = partner, mission
        self._count = None

    def _sql(self, select: str, where: str = "") -> tuple[str, list]:
        flagged, params = _flagged(self.partner, self.mission).query.sql_with_params()
        quote = connection.ops.quote_name
        partners = quote(Partner._meta.db_table)
        names = {
            "partners": partners,
            "missions": quote(kinds.model("missions")._meta.db_table),
            "sources": quote(Source._meta.db_table),
        }
        head = CLUSTERS.format(
            flagged=flagged,
            window=WINDOW.days,
            collate=' COLLATE "C"' if connection.vendor == "postgresql" else "",
            partners=partners,
        )
        return head + select.format(where=where, **names), [*params, "preferred"]

    def count(self) -> int:
        if self._count is None:
            sql, params = self._sql(COUNT)
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                self._count = cursor.fetchone()[0]
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        if isinstance(key, int):
            found = self.page(key, 1) if key >= 0 else []
            if not found:
                raise IndexError(key)
            return found[0]
        if key.step not in (None, 1) or (key.start or 0) < 0 or (key.stop or 0) < 0:
            raise ValueError("Only forward slices with known bounds.")
        start = key.start or 0
        stop = self.count() if key.stop is None else key.stop
        return self.page(start, stop - start)

    def page(self, offset: int, limit: int) -> list[Disagreement]:
        """``limit`` clusters after the first ``offset``: five queries (rows, figures...)."""
        if limit <= 0:
            return []
        sql, params = self._sql(CLUSTER_ROWS, "WHERE o.ord > %s AND o.ord <= %s")
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, offset, offset + limit])
            return self._clusters(cursor.fetchall())

    def __iter__(self):
        """Every cluster, read in chunks (a server-side cursor on PostgreSQL)."""
        pending = []
        for rows in self._chunks():
            pending.extend(rows)
            # Keep the last cluster back: its rows may go on in the next chunk.
            last = pending[-1][0]
            done = [row for row in pending if row[0] != last]
            pending = pending[len(done) :]
            yield from self._clusters(done)
        yield from self._clusters(pending)

    def rows(self):
        """Every figure of every cluster, in order, as plain values without model objects:
        (partner iso3, mission slug, as_of at its precision, personnel, source key,
        source url, spread, relative spread); read in chunks."""
        for chunk in self._chunks():
            for _ord, low, high, rel, _fid, iso3, slug, as_of, precision, n, key, url in chunk:
                if isinstance(as_of, str):  # SQLite hands dates of a raw query as text
                    as_of = dt.date.fromisoformat(as_of)
                yield [iso3, slug, format_date(as_of, precision), n, key, url, high - low,
                       rel / 1000]  # fmt: skip

    def _chunks(self):
        sql, params = self._sql(CLUSTER_ROWS)
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(self.chunk_size):
                yield rows

    def _clusters(self, rows) -> list[Disagreement]:
        """Clusters of (ord, low, high, rel, figure id, ...) rows, with their figures and
        their contributions: partners, missions and sources read once each and shared (a
        few hundred objects, not one per figure). Four queries."""
        if not rows:
            return []
        figures = (
            kinds.model("figures")
            .objects.select_related("contribution")
            .in_bulk([row[4] for row in rows])
        )
        contributions = [f.contribution for f in figures.values()]
        partners = Partner.objects.in_bulk({c.partner_id for c in contributions})
        missions = kinds.model("missions").objects.in_bulk({c.mission_id for c in contributions})
        sources = Source.objects.in_bulk({f.source_id for f in figures.values()})
        for f in figures.values():
            f.contribution.partner = partners[f.contribution.partner_id]
            f.contribution.mission = missions[f.contribution.mission_id]
            f.source = sources[f.source_id]
        found, current = [], None
        for ord_, low, high, rel, fid, *_ in rows:
            if current is None or ord_ != current[0]:
                current = (ord_, [])
                found.append((current, low, high, rel))
            current[1].append(figures[fid])
        return [
            Disagreement(
                figs[0].contribution.partner, figs[0].contribution.mission, figs, low, high,
                rel / 1000,
            )
            for (_, figs), low, high, rel in found
        ]  # fmt: skip


def disagreements(partner=None, mission=None) -> list[Disagreement]:
    """Every cluster of disagreeing figures, worst first (see :class:`Disagreements`)."""
    return list(Disagreements(partner, mission))


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
