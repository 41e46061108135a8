"""NATO-led missions and exercises, and what partners contributed to them."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Prefetch, Q
from django.urls import reverse
from django_countries.fields import CountryField

from partnerships.coverage import mission_coverage
from partnerships.dates import (
    KNOWN_PERIODS,
    Precision,
    display_date,
    format_date,
    periods_overlap,
)
from partnerships.models import (
    CooperationArea,
    Coverage,
    Partner,
    Period,
    PeriodQuerySet,
    Region,
    Source,
    TimeStampedModel,
    normalise_date,
)
from partnerships.validation import validate_date_range

# A contribution made by a nation that was not yet an Ally when it began.
PARTNER_AT_START = (
    Q(contributions__partner__nato_accession__isnull=True)
    | Q(contributions__partner__nato_accession__gt=F("contributions__start"))
    | Q(
        contributions__start__isnull=True,
        contributions__partner__nato_accession__gt=F("start"),
    )
)


class MissionQuerySet(PeriodQuerySet):
    def get_by_natural_key(self, slug: str):
        return self.get(slug=slug)

    def with_contributor_count(self):
        """Annotate ``contributors``: the partners that contributed, counted in the database."""
        return self.annotate(contributors=Count("contributions__partner", distinct=True))

    def with_partner_contributors(self):
        """Annotate ``partner_contributors``: the contributors that were not yet Allies when
        their contribution began (or, when its start is not recorded, when the mission
        began): the count a source's "non-NATO contributors" is compared with."""
        return self.annotate(
            partner_contributors=Count(
                "contributions__partner", filter=PARTNER_AT_START, distinct=True
            )
        )


class Mission(Period, Coverage):
    class Kind(models.TextChoices):
        PEACE_SUPPORT = "peace-support", "peace-support operation"
        MARITIME = "maritime", "maritime operation"
        AIR = "air", "air operation"
        TRAINING = "training", "training and capacity-building mission"
        CRISIS_RESPONSE = "crisis-response", "crisis-response operation"
        EXERCISE = "exercise", "exercise"

    slug = models.SlugField(max_length=80, unique=True)
    acronym = models.CharField(max_length=30, blank=True)
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    region = models.CharField(max_length=20, choices=Region.choices)
    hosts = CountryField("host countries", multiple=True, blank=True)
    mandate = models.TextField(blank=True, help_text="e.g. UN Security Council resolutions.")
    description = models.TextField(blank=True)
    cooperation_areas = models.ManyToManyField(CooperationArea, blank=True, related_name="missions")
    sources = models.ManyToManyField(Source, related_name="missions")

    objects = MissionQuerySet.as_manager()
    _history_m2m_fields = ["sources", "cooperation_areas"]

    class Meta(Period.Meta):
        ordering = ["covers_from", "name"]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return reverse("mission-detail", args=[self.slug])

    def coverage(self) -> dict | None:
        """The source's count beside the partner contributors recorded (see
        :mod:`partnerships.coverage`); reads ``partner_contributors`` when annotated."""
        if self.coverage_nations is None and self.coverage_partners is None:
            return None
        recorded = getattr(self, "partner_contributors", None)
        if recorded is None:
            recorded = (
                Mission.objects.filter(pk=self.pk)
                .with_partner_contributors()
                .values_list("partner_contributors", flat=True)
                .first()
                or 0
            )
        return mission_coverage(self, recorded)


class Role(models.Model):
    """What a partner contributed: troops, staff officers, logistics... (a fixed taxonomy)."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


# The order that picks one figure of a contribution: its latest, and its largest recorded,
# among the figures that count (see counted_q).
LATEST = ("-as_of", "-id")
LARGEST = ("-personnel", "-as_of", "-id")


class FigureRank(models.TextChoices):
    """How a figure counts when sources disagree: a curator prefers one figure of a date
    over the others, or deprecates one (a misprint, a superseded count)."""

    PREFERRED = "preferred", "preferred"
    NORMAL = "normal", "normal"
    DEPRECATED = "deprecated", "deprecated"


def counted_q() -> Q:
    """The figures that count for "latest" and "largest": never a deprecated one, and a
    normal one only when no figure of the same contribution and date is preferred."""
    preferred_twin = ContributionFigure.objects.filter(
        contribution_id=OuterRef("contribution_id"),
        as_of=OuterRef("as_of"),
        rank=FigureRank.PREFERRED,
    )
    return Q(rank=FigureRank.PREFERRED) | (Q(rank=FigureRank.NORMAL) & ~Exists(preferred_twin))


def counted(figures) -> list:
    """:func:`counted_q` in Python, for figures already loaded (all of their dates)."""
    figures = list(figures)
    preferred = {(f.contribution_id, f.as_of) for f in figures if f.rank == FigureRank.PREFERRED}
    return [
        f
        for f in figures
        if f.rank == FigureRank.PREFERRED
        or (f.rank == FigureRank.NORMAL and (f.contribution_id, f.as_of) not in preferred)
    ]


class ContributionQuerySet(PeriodQuerySet):
    def with_figure_summary(self):
        """Prefetch each contribution's latest and largest recorded figure, one row each
        picked by the database (at scale a contribution has hundreds of figures)."""
        return self.prefetch_related(
            one_figure(LATEST, "latest_figures"), one_figure(LARGEST, "largest_figures")
        ).annotate(
            figure_count=Count("figures", distinct=True),
            figures_from=Min("figures__as_of"),
            figures_until=Max("figures__as_of"),
        )


def one_figure(order, to_attr) -> Prefetch:
    """A prefetch of one figure per contribution, the first in ``order``."""
    figures = ContributionFigure.objects.filter(counted_q()).select_related("source")
    figures = figures.order_by(*order)
    return Prefetch("figures", queryset=figures[:1], to_attr=to_attr)


class Contribution(Period):
    """What a partner contributed to a mission over a period."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="contributions")
    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="contributions")
    # Optional, in every way in (admin, API, import, knowledge files): no role means the
    # sources say a partner took part but not in what form (a cyber exercise's defenders, a
    # contribution whose size and form were not disclosed); none of the roles says that.
    roles = models.ManyToManyField(
        Role,
        blank=True,
        related_name="contributions",
        help_text="What the sources say it contributed; leave empty when they do not say.",
    )
    description = models.TextField(blank=True)
    cooperation_areas = models.ManyToManyField(
        CooperationArea, blank=True, related_name="contributions"
    )
    sources = models.ManyToManyField(Source, related_name="contributions")

    _history_m2m_fields = ["sources", "roles", "cooperation_areas"]

    objects = ContributionQuerySet.as_manager()

    class Meta(Period.Meta):
        ordering = ["partner__name", "covers_from"]
        constraints = [
            *Period.Meta.constraints,
            models.UniqueConstraint(
                fields=["partner", "mission", "start"],
                name="contribution_unique_partner_mission_start",
                violation_error_message="This partner already has a contribution to this "
                "mission starting on that date.",
            ),
        ]

    def earliest_start(self):
        """The earliest it can have begun: the mission's own start (an unrecorded start is
        possible from it; evidence never widens the span before it)."""
        return self.mission.covers_from if self.mission_id else None

    def coverage_evidence(self):
        """Its personnel figures: a contribution is one continuous period, so a dated figure
        proves it active on that date (at the figure's own precision). A loader that saves
        the contribution before its figures names them in ``pending_evidence``."""
        found = list(getattr(self, "pending_evidence", ()))
        known = getattr(self, "known_evidence", None)  # loaded for many at once (bulk import)
        if known is not None:
            found += known
        elif self.pk is not None:
            found += self.figures.values_list("as_of", "as_of_precision")
        return found

    def refresh_coverage(self) -> None:
        """Recompute the spans after its figures changed, and save them (with history)."""
        spans = ("covers_from", "covers_until", "certain_from", "certain_until")
        before = [getattr(self, name) for name in spans]
        self.compute_coverage()
        if [getattr(self, name) for name in spans] != before:
            self.save(update_fields=[*spans, "updated"])

    def __str__(self):
        return f"{self.partner} to {self.mission.acronym or self.mission.name}"

    def _first_figure(self, attribute: str, key):
        """From the one-row prefetch of :meth:`ContributionQuerySet.with_figure_summary`
        when the list made it, else the first by ``key`` among the loaded figures."""
        if hasattr(self, attribute):
            found = getattr(self, attribute)
            return found[0] if found else None
        return max(counted(self.figures.all()), key=key, default=None)

    @property
    def latest_figure(self):
        return self._first_figure("latest_figures", lambda f: (f.as_of, f.pk))

    @property
    def largest_figure(self):
        """The largest figure recorded (not necessarily the contribution's peak)."""
        return self._first_figure("largest_figures", lambda f: (f.personnel, f.as_of, f.pk))

    def clean(self):
        super().clean()
        if self.mission_id is None:
            return
        mission = self.mission
        if mission.covers_from and self.covers_from and self.covers_from < mission.covers_from:
            raise ValidationError(
                {
                    "start": f"{mission} began on {mission.start_display}; a contribution "
                    "cannot start before its mission."
                }
            )
        if mission.covers_until and (
            self.covers_until is None or self.covers_until > mission.covers_until
        ):
            if self.covers_until is None and not self.end_unknown:
                reason = "an ongoing contribution cannot outlast its mission"
            else:
                reason = "a contribution cannot end after its mission"
            raise ValidationError({"end": f"{mission} ended on {mission.end_display}; {reason}."})
        self._check_overlap()

    def _check_overlap(self):
        """A partner's contributions to one mission are separate periods (as its
        participations in a framework are): each is compared at its own precision, so a
        start "2010-10" and one "2010-10-15" overlap."""
        if self.partner_id is None:
            return
        known = KNOWN_PERIODS.get()
        if known is not None:  # a bulk import loaded them (partnerships.dates.known_periods)
            key = (self.partner_id, self.mission_id)
            others = [c for c in known.get(key, []) if c.pk is None or c.pk != self.pk]
        else:
            others = (
                Contribution.objects.filter(partner_id=self.partner_id, mission_id=self.mission_id)
                .exclude(pk=self.pk)
                .select_related("partner", "mission")
            )
        for other in others:
            if periods_overlap(self, other):
                raise ValidationError(
                    {
                        "start": f"This period overlaps {other} from {other.start_display} "
                        f"to {other.end_display}: extend that contribution instead, or make "
                        "the periods separate."
                    }
                )


class ContributionFigure(TimeStampedModel):
    """A dated personnel figure of a contribution, with exactly one source.

    Two sources that disagree are two figures; both are kept.
    """

    class Measure(models.TextChoices):
        SNAPSHOT = "snapshot", "snapshot"
        PEAK = "peak", "peak"
        AVERAGE = "average", "average"

    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="figures")
    as_of = models.DateField("as of", validators=[validate_date_range])
    as_of_precision = models.CharField(max_length=5, choices=Precision.choices)
    personnel = models.PositiveIntegerField()
    measure = models.CharField(max_length=10, choices=Measure.choices, default=Measure.SNAPSHOT)
    estimate = models.BooleanField(default=False)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="figures")
    notes = models.TextField(blank=True)
    rank = models.CharField(
        max_length=10,
        choices=FigureRank.choices,
        default=FigureRank.NORMAL,
        help_text="preferred: the figure that counts for its date when sources disagree; "
        "deprecated: never counts (a misprint, a superseded count).",
    )
    rank_reason = models.CharField(
        "reason for the rank",
        max_length=300,
        blank=True,
        help_text="Why this figure is preferred or deprecated (required unless normal).",
    )

    class Meta:
        ordering = ["as_of", "pk"]
        # The API lists and exports figures in this order: at a million rows an index saves
        # a full sort before the first row can be sent.
        indexes = [models.Index(fields=["as_of", "id"], name="figure_as_of_id")]
        constraints = [
            models.CheckConstraint(
                condition=Q(personnel__gte=0),
                name="figure_personnel_not_negative",
                violation_error_message="A personnel figure cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(as_of_precision__in=Precision.values),
                name="figure_as_of_precision",
                violation_error_message="Say how precise the as-of date is.",
            ),
            models.UniqueConstraint(
                fields=["contribution", "as_of", "measure", "source"],
                name="figure_unique_per_source",
                violation_error_message="This source already gives a figure of this kind for "
                "this contribution on that date.",
            ),
        ]

    def __str__(self):
        return f"{self.personnel} ({self.measure}, {self.as_of_display})"

    def clean(self):
        super().clean()
        if self.rank != FigureRank.NORMAL and not self.rank_reason.strip():
            raise ValidationError(
                {"rank_reason": f"Say why this figure is {self.get_rank_display()}."}
            )

    def save(self, *args, **kwargs):
        normalise_date(self, "as_of")
        super().save(*args, **kwargs)

    @property
    def as_of_display(self) -> str:
        return display_date(self.as_of, self.as_of_precision)

    @property
    def as_of_iso(self) -> str:
        return format_date(self.as_of, self.as_of_precision)
