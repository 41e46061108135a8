"""Synthetic data at scale, on top of the curated set, for the benchmark (bench/).

    python manage.py generate_synthetic --partners 200 --missions 2000 \\
        --contributions 100000 --figures 1000000 [--seed 42] [--clear]

Reproducible: the same seed on the same curated set gives the same rows (ids aside).
Fast: small tables go through ``bulk_create``; contributions, their links and the
figures through PostgreSQL's COPY (psycopg 3), or ``bulk_create`` in batches elsewhere.

Every synthetic row is marked, and ``--clear`` deletes by these marks only:

- sources: key ``synthetic-...``, publisher "Synthetic data (generate_synthetic)";
- partners: profile starting "Synthetic partner", name ending "(synthetic)", codes that
  are not ISO 3166: alpha-3 in the user-assigned ranges QMA-QZZ then XAA-XZZ, alpha-2 a
  letter and a digit (``Q0``), which ISO never assigns;
- missions: slug ``synthetic-...``; their contributions and figures go with them.

Synthetic contributions belong to synthetic missions but their partners are drawn from
the synthetic *and* the curated partners, so a curated partner's profile also grows to
the scale the benchmark measures. Synthetic partners get participations in the curated
frameworks (for the ``as_of`` queries).

History: ``bulk_create`` and COPY write no django-simple-history rows, and ``--clear``
deletes with plain SQL (no signals) so it writes none either. That is deliberate: the
rows are not curated facts, and a million historical rows would only slow the benchmark.

One topic, past the 500-line mark on purpose: every kind of synthetic row, its marks and
its removal sit together so that ``--clear`` can never miss what the generator made.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone
from django_countries import countries

from frameworks.models import Framework, Participation
from missions.models import Contribution, ContributionFigure, FigureRank, Mission, Role
from partnerships.dates import Precision, periods_overlap
from partnerships.models import Partner, Region, Source

SOURCE_PREFIX = "synthetic-"
MISSION_PREFIX = "synthetic-"
PARTNER_PROFILE = "Synthetic partner"
PARTNER_SUFFIX = " (synthetic)"
PUBLISHER = "Synthetic data (generate_synthetic)"

# The sizes (issue 8), used when no size is given.
DEFAULT_SIZES = {"partners": 200, "missions": 2000, "contributions": 100_000, "figures": 1_000_000}

# Ongoing series stop here, not "today", so a seed gives the same rows on any day.
SERIES_END = dt.date(2025, 12, 1)
MISSION_FIRST = dt.date(1992, 1, 1)
MISSION_LAST_START = dt.date(2023, 12, 31)

# (key suffix, title): the first is cited by partners, missions and contributions; the
# others are the publishers of personnel figures (a figure has exactly one source).
SOURCES = [
    ("generator", "Synthetic facts for the benchmark"),
    ("un-returns", "Monthly troop and police contributions (synthetic)"),
    ("sipri", "Multilateral peace operations database (synthetic)"),
    ("mod-reports", "National defence ministry reports (synthetic)"),
    ("placemats", "Mission key facts and figures placemats (synthetic)"),
]
MEASURES = [
    ContributionFigure.Measure.SNAPSHOT,
    ContributionFigure.Measure.PEAK,
    ContributionFigure.Measure.AVERAGE,
]


def words(text: str) -> list[str]:
    return text.split()


SYLLABLES = words(
    "al ar bel bor cal dar del dor el fal gar hal ist kan kor lan lor mar mir nor ost "
    "pal ran ros sal sar tal tor val var ven vor zan zel"
)
ENDINGS = ["ia", "land", "stan", "ova", "ania", "ora", "ist", "any"]
FORMS = ["Republic of {}", "Kingdom of {}", "{}", "Federation of {}", "{}", "Principality of {}"]
ADJECTIVES = words(
    "Allied Atlantic Amber Azure Bold Brave Coastal Common Constant Eastern Enduring "
    "Firm Northern Resolute Sea Silent Southern Steadfast Swift Unified Vigilant "
    "Western"
)
NOUNS = words(
    "Anchor Arrow Beacon Bridge Compass Falcon Guardian Harbour Horizon Lance "
    "Lighthouse Meridian Sentinel Shield Spear Summit Trident Watch"
)
HOSTS = ["AF", "BA", "IQ", "LY", "SO", "MK", "XK", "SD", "DJ", "YE", "ML", "TR", "EE", "LT"]


@dataclass
class Sizes:
    partners: int
    missions: int
    contributions: int
    figures: int


# -- codes --------------------------------------------------------------------------------


def synthetic_iso3_codes() -> list[str]:
    """Alpha-3 codes ISO 3166 leaves to users (QMA-QZZ, XAA-XZZ) and no country uses."""
    letters = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    pool = [f"Q{b}{c}" for b in letters[letters.index("M") :] for c in letters]
    pool += [f"X{b}{c}" for b in letters for c in letters]
    return [code for code in pool if not countries.alpha2(code)]


def synthetic_alpha2_codes() -> list[str]:
    """Two-character codes ISO 3166 never assigns: a letter then a digit, and the reverse."""
    letters = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    digits = [str(d) for d in range(10)]
    return [f"{a}{d}" for a in letters for d in digits] + [
        f"{d}{a}" for d in digits for a in letters
    ]


# -- dates --------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(first: dt.date, last: dt.date) -> int:
    """How many month starts from ``first`` to ``last`` (both month starts), inclusive."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def random_day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, max(0, (last - first).days)))


def at_precision(rng: random.Random, weights=(0.6, 0.3, 0.1)) -> str:
    return rng.choices([Precision.DAY, Precision.MONTH, Precision.YEAR], weights)[0]


def first_full_month(day: dt.date) -> dt.date:
    return day if day.day == 1 else add_months(day, 1)


def last_full_month(day: dt.date) -> dt.date:
    """The start of the last month that lies wholly on or before ``day``."""
    month = day.replace(day=1)
    return month if add_months(month, 1) - dt.timedelta(days=1) == day else add_months(month, -1)


# -- writing ------------------------------------------------------------------------------


def copy_rows(model, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Write rows into ``model``'s table: COPY on PostgreSQL, bulk_create elsewhere."""
    count = 0
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    batch = []
    for row in rows:
        batch.append(model(**dict(zip(columns, row, strict=True))))
        if len(batch) >= 5000:
            model.objects.bulk_create(batch)
            count += len(batch)
            batch = []
    model.objects.bulk_create(batch)
    return count + len(batch)


def reserve_ids(model, n: int) -> list[int]:
    """``n`` fresh primary keys for ``model`` (PostgreSQL: from its identity sequence)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, n],
        )
        return [row[0] for row in cursor.fetchall()]


def values_of(obj, columns: Sequence[str]) -> tuple:
    return tuple(getattr(obj, c) for c in columns)


# -- the command --------------------------------------------------------------------------


class Command(BaseCommand):
    help = (
        "Generate reproducible synthetic partners, missions, contributions and personnel "
        "figures on top of the curated data (for the benchmark). --clear removes only "
        "what this command made."
    )

    def add_arguments(self, parser):
        parser.add_argument("--partners", type=int, help="Synthetic partner nations.")
        parser.add_argument("--missions", type=int, help="Synthetic missions.")
        parser.add_argument("--contributions", type=int, help="Synthetic contributions.")
        parser.add_argument("--figures", type=int, help="Synthetic personnel figures.")
        parser.add_argument("--seed", type=int, default=42, help="Random seed (default 42).")
        parser.add_argument(
            "--clear",
            action="store_true",
            help="Remove the synthetic rows first. Alone (no size given): remove and stop.",
        )

    def handle(self, *args, **options):
        names = ("partners", "missions", "contributions", "figures")
        given = {n: options[n] for n in names if options[n] is not None}
        if any(v < 0 for v in given.values()):
            raise CommandError("Sizes cannot be negative.")
        self.verbosity = options["verbosity"]
        self.rng = random.Random(options["seed"])
        self.seed = options["seed"]
        self.now = timezone.now()
        started = time.perf_counter()
        with transaction.atomic():
            if options["clear"]:
                removed = clear_synthetic()
                self.say(f"removed {removed}")
                if not given:
                    return
            elif synthetic_present():
                raise CommandError("Synthetic data is already present: pass --clear to replace it.")
            sizes = Sizes(**{n: given.get(n, DEFAULT_SIZES[n]) for n in names})
            self.generate(sizes)
        if connection.vendor == "postgresql":
            # Fresh statistics for the planner: the bulk load outruns autovacuum, and an
            # unanalysed many-to-many table is estimated at thousands of rows per key.
            with connection.cursor() as cursor:
                for model in (Partner, Participation, Mission, Contribution, ContributionFigure):
                    tables = [model._meta.db_table] + [
                        f.remote_field.through._meta.db_table for f in model._meta.many_to_many
                    ]
                    for table in tables:
                        cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
        self.say(f"done in {time.perf_counter() - started:.1f} s")

    def say(self, text: str) -> None:
        if self.verbosity:
            self.stdout.write(text)

    def step(self, label: str, started: float) -> float:
        now = time.perf_counter()
        self.say(f"  {label}: {now - started:.1f} s")
        return now

    # -- generation -------------------------------------------------------------------

    def generate(self, sizes: Sizes) -> None:
        if sizes.contributions and not sizes.missions:
            raise CommandError("Contributions need at least one mission.")
        if sizes.figures and not sizes.contributions:
            raise CommandError("Figures need at least one contribution.")
        t = time.perf_counter()
        self.sources = self.make_sources()
        partners = self.make_partners(sizes.partners)
        t = self.step(f"{len(partners)} partners", t)
        n_part = self.make_participations(partners)
        t = self.step(f"{n_part} participations", t)
        missions = self.make_missions(sizes.missions)
        t = self.step(f"{len(missions)} missions", t)
        curated = list(Partner.objects.exclude(pk__in=[p.pk for p in partners]).order_by("iso3"))
        pool = partners + curated
        if sizes.contributions and not pool:
            raise CommandError("Contributions need at least one partner.")
        contributions = self.make_contributions(sizes.contributions, missions, pool)
        t = self.step(f"{len(contributions)} contributions", t)
        n_fig = self.make_figures(sizes.figures, contributions)
        self.step(f"{n_fig} figures", t)

    def make_sources(self) -> list[Source]:
        sources = [
            Source(
                key=f"{SOURCE_PREFIX}{suffix}",
                title=title,
                publisher=PUBLISHER,
                kind=Source.Kind.DATASET,
                notes=f"Made up by generate_synthetic (seed {self.seed}); not a real source.",
            )
            for suffix, title in SOURCES
        ]
        return Source.objects.bulk_create(sources)

    def partner_name(self) -> str:
        rng = self.rng
        stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 2)))
        stem = (stem + rng.choice(ENDINGS)).capitalize()
        return rng.choice(FORMS).format(stem) + PARTNER_SUFFIX

    def make_partners(self, n: int) -> list[Partner]:
        used3 = set(Partner.objects.values_list("iso3", flat=True))
        used2 = {str(c) for c in Partner.objects.values_list("country", flat=True)}
        codes3 = [c for c in synthetic_iso3_codes() if c not in used3]
        codes2 = [c for c in synthetic_alpha2_codes() if c not in used2]
        if n > min(len(codes3), len(codes2)):
            raise CommandError(
                f"At most {min(len(codes3), len(codes2))} synthetic partners (non-ISO codes)."
            )
        regions = Region.values
        partners = [
            Partner(
                iso3=codes3[i],
                country=codes2[i],
                name=self.partner_name(),
                region=self.rng.choice(regions),
                profile=f"{PARTNER_PROFILE} made by generate_synthetic (seed {self.seed}); "
                "not a real nation.",
            )
            for i in range(n)
        ]
        partners = Partner.objects.bulk_create(partners)
        through = Partner.sources.through
        through.objects.bulk_create(
            [through(partner_id=p.pk, source_id=self.sources[0].pk) for p in partners]
        )
        return partners

    def make_participations(self, partners: list[Partner]) -> int:
        """One to three periods per synthetic partner in the curated frameworks."""
        frameworks = list(Framework.objects.order_by("slug"))
        if not frameworks:
            return 0
        rng, rows = self.rng, []
        for partner in partners:
            for framework in rng.sample(frameworks, min(len(frameworks), rng.randint(1, 3))):
                first = max(framework.covers_from or dt.date(1994, 1, 1), dt.date(1994, 1, 1))
                last = framework.covers_until or SERIES_END
                if first > last:
                    continue
                start = random_day(rng, first, last)
                item = Participation(
                    partner=partner,
                    framework=framework,
                    start=start,
                    start_precision=at_precision(rng),
                    notes="Synthetic participation.",
                )
                roll = rng.random()
                if framework.covers_until or roll < 0.25:
                    item.end = random_day(rng, start, last)
                    item.end_precision = Precision.DAY
                    item.status = Participation.Status.ENDED
                elif roll < 0.35:
                    item.status = Participation.Status.SUSPENDED
                item.compute_coverage()
                rows.append(item)
        rows = Participation.objects.bulk_create(rows)
        through = Participation.sources.through
        through.objects.bulk_create(
            [through(participation_id=p.pk, source_id=self.sources[0].pk) for p in rows]
        )
        return len(rows)

    def make_missions(self, n: int) -> list[Mission]:
        rng, missions = self.rng, []
        for i in range(n):
            start = random_day(rng, MISSION_FIRST, MISSION_LAST_START)
            adjective, noun = rng.choice(ADJECTIVES), rng.choice(NOUNS)
            mission = Mission(
                slug=f"{MISSION_PREFIX}{adjective.lower()}-{noun.lower()}-{i + 1}",
                acronym=f"SYN{i + 1}",
                name=f"Operation {adjective} {noun} {i + 1} (synthetic)",
                kind=rng.choice(Mission.Kind.values),
                region=rng.choice(Region.values),
                hosts=rng.sample(HOSTS, rng.randint(0, 2)),
                description="Synthetic mission made by generate_synthetic.",
                start=start,
                start_precision=at_precision(rng),
            )
            if rng.random() < 0.75:
                years = rng.uniform(1.0, 20.0)
                end = start + dt.timedelta(days=int(years * 365.25))
                if end < SERIES_END:
                    mission.end, mission.end_precision = end, at_precision(rng)
            mission.compute_coverage()
            missions.append(mission)
        missions = Mission.objects.bulk_create(missions)
        through = Mission.sources.through
        through.objects.bulk_create(
            [through(mission_id=m.pk, source_id=self.sources[0].pk) for m in missions]
        )
        return missions

    def make_contributions(
        self, n: int, missions: list[Mission], partners: list[Partner]
    ) -> list[Contribution]:
        """Contributions inside their missions' periods, on whole months (mostly)."""
        rng = self.rng
        # A few partners contribute a lot, most a little (as in the UN's tables).
        weights = [1.0 / (rank + 1) ** 0.6 for rank in range(len(partners))]
        rng.shuffle(weights)
        spans = []
        for mission in missions:
            first = first_full_month(mission.covers_from)
            last = last_full_month(mission.covers_until) if mission.covers_until else SERIES_END
            spans.append((first, last) if first <= last else None)
        usable = [i for i, span in enumerate(spans) if span]
        if n and not usable:
            raise CommandError("No synthetic mission is long enough for a contribution.")
        taken: dict[tuple[int, int], list[Contribution]] = {}
        contributions: list[Contribution] = []
        while len(contributions) < n:
            index = rng.choice(usable)
            mission, (first, last) = missions[index], spans[index]
            partner = rng.choices(partners, weights)[0]
            length = months_between(first, last)
            start_month = add_months(first, rng.randrange(length))
            item = Contribution(
                partner=partner,
                mission=mission,
                start=start_month,
                start_precision=Precision.MONTH,
                description="Synthetic contribution.",
            )
            if rng.random() < 0.15:
                item.start = random_day(rng, start_month, add_months(start_month, 1))
                item.start = min(item.start, add_months(start_month, 1) - dt.timedelta(days=1))
                item.start_precision = Precision.DAY
            remaining = months_between(start_month, last) - 1
            duration = min(remaining, int(rng.lognormvariate(math.log(24), 0.8)))
            roll = rng.random()
            if roll < 0.04:
                item.end_unknown = True
            elif mission.covers_until is None and roll < 0.35:
                pass  # ongoing, like its mission
            else:
                end_month = add_months(start_month, max(0, duration))
                item.end, item.end_precision = end_month, Precision.MONTH
                if rng.random() < 0.15:
                    item.end = add_months(end_month, 1) - dt.timedelta(days=rng.randint(1, 28))
                    item.end = max(item.end, item.start)
                    item.end_precision = Precision.DAY
            item.compute_coverage()
            # One partner's contributions to one mission never overlap (Contribution.clean).
            periods = taken.setdefault((partner.pk, mission.pk), [])
            if any(periods_overlap(item, other) for other in periods):
                continue
            periods.append(item)
            contributions.append(item)
        self.write_contributions(contributions)
        return contributions

    def write_contributions(self, contributions: list[Contribution]) -> None:
        columns = [f.attname for f in Contribution._meta.concrete_fields]
        roles = list(Role.objects.order_by("slug").values_list("pk", flat=True))
        if connection.vendor == "postgresql":
            for item, pk in zip(
                contributions, reserve_ids(Contribution, len(contributions)), strict=True
            ):
                item.pk, item.created, item.updated = pk, self.now, self.now
            copy_rows(Contribution, columns, (values_of(c, columns) for c in contributions))
        else:
            for item in contributions:
                item.created = item.updated = self.now
            for i in range(0, len(contributions), 5000):
                Contribution.objects.bulk_create(contributions[i : i + 5000])
        rng, source = self.rng, self.sources[0].pk
        if roles:
            copy_rows(
                Contribution.roles.through,
                ["contribution_id", "role_id"],
                (
                    (c.pk, role)
                    for c in contributions
                    for role in rng.sample(roles, rng.choice((1, 1, 1, 2, 2, 3)))
                ),
            )
        copy_rows(
            Contribution.sources.through,
            ["contribution_id", "source_id"],
            ((c.pk, source) for c in contributions),
        )

    def make_figures(self, n: int, contributions: list[Contribution]) -> int:
        """Monthly time series per contribution, ``n`` figures in all."""
        if not n:
            return 0
        rng = self.rng
        figure_sources = [s.pk for s in self.sources[1:]]
        layers = [(s, MEASURES[0]) for s in range(len(figure_sources))]
        layers += [(s, m) for m in MEASURES[1:] for s in range(len(figure_sources))]
        months = []
        for c in contributions:
            # Monthly figures only in the months wholly inside the contribution's possible
            # span: as evidence they then widen neither span (the spans stored above stay
            # what the rule of partnerships.dates gives with the figures).
            first = first_full_month(c.covers_from)
            last = (
                min(last_full_month(c.covers_until), SERIES_END) if c.covers_until else SERIES_END
            )
            months.append((first, months_between(first, last) if last >= first else 0))
        capacity = [m * len(layers) for _, m in months]
        if n > sum(capacity):
            raise CommandError(
                f"{n} figures do not fit in {len(contributions)} contributions "
                f"(at most {sum(capacity)}): ask for fewer figures or more contributions."
            )
        counts = allocate(rng, n, capacity)
        columns = [
            "created",
            "updated",
            "contribution_id",
            "as_of",
            "as_of_precision",
            "personnel",
            "measure",
            "estimate",
            "source_id",
            "notes",
            "rank",
            "rank_reason",
        ]
        now = self.now

        def rows():
            for c, (first, length), count in zip(contributions, months, counts, strict=True):
                if not count:
                    continue
                base = max(1.0, rng.lognormvariate(3.5, 1.3))
                primary = rng.randrange(len(figure_sources))
                left = count
                for source_index, measure in layers:
                    if not left:
                        break
                    take = min(left, length)
                    left -= take
                    source = figure_sources[(primary + source_index) % len(figure_sources)]
                    chosen = (
                        sorted(rng.sample(range(length), take)) if take < length else range(length)
                    )
                    level = base
                    for offset in chosen:
                        level = max(0.0, level * rng.uniform(0.9, 1.1))
                        personnel = int(level * (1.15 if measure == "peak" else 1.0))
                        yield (
                            now,
                            now,
                            c.pk,
                            add_months(first, offset),
                            Precision.MONTH,
                            personnel,
                            measure,
                            rng.random() < 0.1,
                            source,
                            "",
                            FigureRank.NORMAL,
                            "",
                        )

        return copy_rows(ContributionFigure, columns, rows())


def allocate(rng: random.Random, total: int, capacity: list[int]) -> list[int]:
    """Split ``total`` over slots in proportion to random weights, within each capacity."""
    weights = [rng.lognormvariate(0, 1.0) for _ in capacity]
    scale = total / sum(weights)
    counts = [min(cap, int(w * scale)) for w, cap in zip(weights, capacity, strict=True)]
    left = total - sum(counts)
    while left:
        for i, cap in enumerate(capacity):
            if counts[i] < cap:
                counts[i] += 1
                left -= 1
                if not left:
                    break
    return counts


# -- finding and clearing -----------------------------------------------------------------


def synthetic_sources():
    return Source.objects.filter(key__startswith=SOURCE_PREFIX, publisher=PUBLISHER)


def synthetic_partners():
    return Partner.objects.filter(
        profile__startswith=PARTNER_PROFILE, name__endswith=PARTNER_SUFFIX
    )


def synthetic_missions():
    return Mission.objects.filter(slug__startswith=MISSION_PREFIX)


def synthetic_present() -> bool:
    return (
        synthetic_sources().exists()
        or synthetic_partners().exists()
        or synthetic_missions().exists()
    )


def raw_delete(queryset: models.QuerySet) -> int:
    """DELETE without loading rows or sending signals (no history rows for a million)."""
    return queryset._raw_delete(queryset.db)


def clear_synthetic() -> dict[str, int]:
    """Delete every row this command made, children first, and nothing else."""
    missions = synthetic_missions().values("pk")
    partners = synthetic_partners().values("pk")
    contributions = Contribution.objects.filter(mission__in=missions).values("pk")
    participations = Participation.objects.filter(partner__in=partners).values("pk")
    removed = {}
    removed["figures"] = raw_delete(
        ContributionFigure.objects.filter(contribution__in=contributions)
    )
    for field in Contribution._meta.many_to_many:
        raw_delete(field.remote_field.through.objects.filter(contribution__in=contributions))
    removed["contributions"] = raw_delete(Contribution.objects.filter(mission__in=missions))
    for field in Participation._meta.many_to_many:
        raw_delete(field.remote_field.through.objects.filter(participation__in=participations))
    removed["participations"] = raw_delete(Participation.objects.filter(partner__in=partners))
    for field in Mission._meta.many_to_many:
        raw_delete(field.remote_field.through.objects.filter(mission__in=missions))
    removed["missions"] = raw_delete(synthetic_missions())
    for field in Partner._meta.many_to_many:
        raw_delete(field.remote_field.through.objects.filter(partner__in=partners))
    removed["partners"] = raw_delete(synthetic_partners())
    removed["sources"] = raw_delete(synthetic_sources())
    return removed


def synthetic_counts() -> dict[str, int]:
    """How many synthetic rows of each kind are in the database (the benchmark reuses them)."""
    missions = synthetic_missions()
    return {
        "partners": synthetic_partners().count(),
        "missions": missions.count(),
        "contributions": Contribution.objects.filter(mission__in=missions.values("pk")).count(),
        "figures": ContributionFigure.objects.filter(
            contribution__mission__in=missions.values("pk")
        ).count(),
    }
