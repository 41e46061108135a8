"""Partnership frameworks and partners' participation in them."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse

from partnerships.coverage import framework_coverage
from partnerships.dates import KNOWN_PERIODS, certain_q, overlaps_q, periods_overlap
from partnerships.models import (
    CooperationArea,
    Coverage,
    Partner,
    Period,
    PeriodQuerySet,
    Source,
)


class FrameworkQuerySet(PeriodQuerySet):
    def get_by_natural_key(self, slug: str):
        return self.get(slug=slug)

    def with_participant_counts(self, first: dt.date | None = None, last: dt.date | None = None):
        """Annotate ``participants_on_day`` (partners possibly in it from ``first`` to
        ``last``: today by default), ``participants_certain`` (of them, those certainly in it
        the whole time) and ``participants_ever``: counted in the database, one query."""
        first = first or dt.date.today()
        last = last or first
        possible = overlaps_q(first, last, "participations__")
        certain = certain_q(first, last, "participations__")
        partner = "participations__partner"
        return self.annotate(
            participants_on_day=Count(partner, filter=possible, distinct=True),
            participants_certain=Count(partner, filter=possible & certain, distinct=True),
            participants_ever=Count(partner, distinct=True),
        )


class Framework(Period, Coverage):
    """A partnership programme, dialogue, initiative, tool, council or platform.

    Its period (``start`` / ``end``) is when it was established and when it ended.
    """

    class Kind(models.TextChoices):
        PROGRAMME = "programme", "partnership programme"
        DIALOGUE = "dialogue", "dialogue"
        INITIATIVE = "initiative", "cooperation initiative"
        TOOL = "tool", "action plan or tool"
        COUNCIL = "council", "commission or council"
        PLATFORM = "platform", "interoperability platform"

    slug = models.SlugField(max_length=80, unique=True)
    acronym = models.CharField(max_length=20, blank=True)
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    members_only_partners = models.BooleanField(
        "partners only",
        default=True,
        help_text="Ticked: a partner leaves this framework when it becomes a NATO Ally.",
    )
    description = models.TextField(blank=True)
    cooperation_areas = models.ManyToManyField(
        CooperationArea, blank=True, related_name="frameworks"
    )
    sources = models.ManyToManyField(Source, related_name="frameworks")

    objects = FrameworkQuerySet.as_manager()
    _history_m2m_fields = ["sources", "cooperation_areas"]

    class Meta(Period.Meta):
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return reverse("framework-detail", args=[self.slug])

    def coverage(self) -> dict | None:
        """NATO's count of its partner members beside the members recorded today (see
        :mod:`partnerships.coverage`); reads ``participants_on_day`` when annotated."""
        if self.coverage_nations is None and self.coverage_partners is None:
            return None
        recorded = getattr(self, "participants_on_day", None)
        if recorded is None:
            recorded = (
                Framework.objects.filter(pk=self.pk)
                .with_participant_counts()
                .values_list("participants_on_day", flat=True)
                .first()
                or 0
            )
        return framework_coverage(self, recorded)

    def clean(self):
        super().clean()
        ancestor, seen = self.parent, set()
        while ancestor is not None:
            if ancestor.pk == self.pk or ancestor.pk in seen:
                raise ValidationError({"parent": "A framework cannot sit under itself."})
            seen.add(ancestor.pk)
            ancestor = ancestor.parent


class Participation(Period):
    """A partner's period in a framework."""

    class Status(models.TextChoices):
        ACTIVE = "active", "active"
        SUSPENDED = "suspended", "suspended"
        ENDED = "ended", "ended"
        ENDED_BY_ACCESSION = "ended-by-accession", "ended by accession to NATO"

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="participations")
    framework = models.ForeignKey(
        Framework, on_delete=models.PROTECT, related_name="participations"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    notes = models.TextField(blank=True)
    sources = models.ManyToManyField(Source, related_name="participations")

    _history_m2m_fields = ["sources"]

    class Meta(Period.Meta):
        ordering = ["partner__name", "covers_from"]
        constraints = [
            *Period.Meta.constraints,
            models.UniqueConstraint(
                fields=["partner", "framework", "start"],
                name="participation_unique_partner_framework_start",
                violation_error_message="This partner already has a participation in this "
                "framework starting on that date.",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status__in=["active", "suspended"], end__isnull=True, end_unknown=False)
                    | Q(status__in=["ended", "ended-by-accession"], end__isnull=False)
                    | Q(status__in=["ended", "ended-by-accession"], end_unknown=True)
                ),
                name="participation_status_matches_end",
                violation_error_message="An active or suspended participation has no end; "
                "an ended one has an end date or is 'ended, date unknown'.",
            ),
        ]

    def earliest_start(self):
        """The earliest it can have begun: the framework's own start (an unrecorded start is
        possible from it; evidence never widens the span before it)."""
        return self.framework.covers_from if self.framework_id else None

    def __str__(self):
        return f"{self.partner} in {self.framework.acronym or self.framework.name}"

    def clean(self):
        super().clean()
        errors = {}
        ongoing = self.end is None and not self.end_unknown
        if self.status in {self.Status.ACTIVE, self.Status.SUSPENDED} and not ongoing:
            errors["status"] = (
                f"A participation that has ended cannot be {self.get_status_display()}: "
                "choose 'ended' or 'ended by accession', or clear the end."
            )
        elif self.status in {self.Status.ENDED, self.Status.ENDED_BY_ACCESSION} and ongoing:
            errors["end"] = "An ended participation needs an end date or 'ended, date unknown'."
        if errors:
            raise ValidationError(errors)
        if self.partner_id is None or self.framework_id is None:
            return
        partner, framework = self.partner, self.framework
        if self.status == self.Status.ENDED_BY_ACCESSION and not partner.nato_accession:
            raise ValidationError(
                {"status": f"{partner} has no NATO accession date: it cannot have ended by one."}
            )
        if framework.members_only_partners and partner.nato_accession:
            accession = partner.nato_accession
            if self.covers_from and self.covers_from > accession:
                raise ValidationError(
                    {
                        "start": f"{partner} acceded to NATO on {partner.nato_accession_display}; "
                        f"{framework} is for partners only."
                    }
                )
            if self.covers_until is None or self.covers_until > accession:
                raise ValidationError(
                    {
                        "end": f"{partner} acceded to NATO on {partner.nato_accession_display}; "
                        f"its participation in {framework} (partners only) must end by then."
                    }
                )
        self._check_overlap()

    def _check_overlap(self):
        known = KNOWN_PERIODS.get()
        if known is not None:  # a bulk import loaded them (partnerships.dates.known_periods)
            key = (self.partner_id, self.framework_id)
            others = [p for p in known.get(key, []) if p.pk is None or p.pk != self.pk]
        else:
            others = Participation.objects.filter(
                partner_id=self.partner_id, framework_id=self.framework_id
            ).exclude(pk=self.pk)
        for other in others:
            if periods_overlap(self, other):
                raise ValidationError(
                    {
                        "start": f"This period overlaps {other.partner}'s participation in "
                        f"{other.framework} from {other.start_display} to {other.end_display}."
                    }
                )
