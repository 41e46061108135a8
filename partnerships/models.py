"""The core facts: partner nations, sources, milestones, cooperation areas.

Also the abstract bases every app builds on: timestamps with history, and periods whose
dates carry their precision.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django_countries import countries
from django_countries.fields import CountryField

from partnerships.dates import (
    Precision,
    active_on_q,
    certain_span,
    certainty,
    display_date,
    first_day,
    format_date,
    overlaps,
    possible_span,
)
from partnerships.documents import normalise_url
from partnerships.provenance.recording import CuratedHistory
from partnerships.validation import validate_date_range, validate_no_nul


class TimeStampedModel(models.Model):
    """Base of every curated model: timestamps, and full history (django-simple-history).

    History is registered here, once. A model lists the many-to-many links whose history is
    kept too (its sources, roles, cooperation areas) in ``_history_m2m_fields``.
    """

    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    history = CuratedHistory(inherit=True)

    class Meta:
        abstract = True

    # Not compared when deciding whether a save changes anything.
    UNCOMPARED = ("created", "updated")

    def save(self, *args, **kwargs):
        """Save, unless the stored row already holds exactly these values: a save that
        changes nothing writes nothing (no history version, and ``updated``, the record's
        version, stays where it was)."""
        if self._unchanged(kwargs):
            return
        super().save(*args, **kwargs)

    def _unchanged(self, kwargs) -> bool:
        if self._state.adding or self.pk is None:
            return False
        if kwargs.get("force_insert") or kwargs.get("update_fields") is not None:
            return False
        fields = [f for f in self._meta.concrete_fields if f.name not in self.UNCOMPARED]
        stored = (
            type(self)
            ._base_manager.using(kwargs.get("using") or self._state.db)
            .filter(pk=self.pk)
            .values(*[f.attname for f in fields], "updated")
            .first()
        )
        if stored is None:
            return False
        for f in fields:
            mine, theirs = getattr(self, f.attname), stored[f.attname]
            if mine != theirs and f.get_prep_value(mine) != f.get_prep_value(theirs):
                return False
        self.updated = stored["updated"]
        return True


def _precision_pair_q(field: str) -> Q:
    """A date and its precision are given together or not at all."""
    return Q(**{f"{field}__isnull": True, f"{field}_precision": ""}) | Q(
        **{f"{field}__isnull": False, f"{field}_precision__in": Precision.values}
    )


def date_with_precision_constraints(field: str, prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(
            condition=_precision_pair_q(field),
            name=f"{prefix}_{field}_precision",
            violation_error_message=f"Give the {field} date and its precision together.",
        )
    ]


def normalise_date(instance, field: str) -> None:
    """Store a dated value as the first day of its unit, so equal facts compare equal."""
    value = getattr(instance, field)
    precision = getattr(instance, f"{field}_precision")
    if value and precision:
        setattr(instance, field, first_day(value, precision))


class PeriodQuerySet(models.QuerySet):
    def active_on(self, day: dt.date):
        """Rows whose period covers ``day`` under the project's as-of rule."""
        return self.filter(active_on_q(day))


class Period(TimeStampedModel):
    """A span of time whose ends carry their precision.

    ``end`` empty and ``end_unknown`` off: ongoing. ``end_unknown`` on: ended, date
    unknown. ``start`` empty: not recorded. Derived on save from the rule in
    :mod:`partnerships.dates`, and what queries compare: the possible span
    (``covers_from`` / ``covers_until``) and the certain span (``certain_from`` /
    ``certain_until``). A subclass widens them with :meth:`coverage_evidence` and gives an
    unrecorded start its earliest possible day with :meth:`earliest_start`.
    """

    start = models.DateField(
        null=True, blank=True, help_text="Empty: not recorded.", validators=[validate_date_range]
    )
    start_precision = models.CharField(
        max_length=5, choices=Precision.choices, blank=True, default=Precision.DAY
    )
    end = models.DateField(
        null=True, blank=True, help_text="Empty: ongoing.", validators=[validate_date_range]
    )
    end_precision = models.CharField(max_length=5, choices=Precision.choices, blank=True)
    end_unknown = models.BooleanField(
        "ended, date unknown",
        default=False,
        help_text="Tick when the period is known to have ended but not when.",
    )
    # Derived on save (partnerships.dates): the possible span and the certain span.
    covers_from = models.DateField(null=True, blank=True, editable=False, db_index=True)
    covers_until = models.DateField(null=True, blank=True, editable=False, db_index=True)
    certain_from = models.DateField(null=True, blank=True, editable=False, db_index=True)
    certain_until = models.DateField(null=True, blank=True, editable=False)

    objects = PeriodQuerySet.as_manager()

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=_precision_pair_q("start"),
                name="%(app_label)s_%(class)s_start_precision",
                violation_error_message="Give the start date and its precision together.",
            ),
            models.CheckConstraint(
                condition=_precision_pair_q("end"),
                name="%(app_label)s_%(class)s_end_precision",
                violation_error_message="Give the end date and its precision together.",
            ),
            models.CheckConstraint(
                condition=Q(end_unknown=False) | Q(end__isnull=True),
                name="%(app_label)s_%(class)s_end_unknown_has_no_end",
                violation_error_message=(
                    "A period cannot both have an end date and be 'ended, date unknown'."
                ),
            ),
            models.CheckConstraint(
                condition=Q(covers_from__isnull=True)
                | Q(covers_until__isnull=True)
                | Q(covers_until__gte=models.F("covers_from")),
                name="%(app_label)s_%(class)s_end_not_before_start",
                violation_error_message="The end cannot be before the start.",
            ),
        ]

    # -- derived values -------------------------------------------------------------
    def compute_coverage(self) -> None:
        normalise_date(self, "start")
        normalise_date(self, "end")
        if not self.start:
            self.start_precision = ""
        if not self.end:
            self.end_precision = ""
        evidence = tuple(self.coverage_evidence())
        ends = (self.start, self.start_precision, self.end, self.end_precision, self.end_unknown)
        self.covers_from, self.covers_until = possible_span(
            *ends, evidence, earliest=self.earliest_start()
        )
        self.certain_from, self.certain_until = certain_span(*ends, evidence)

    def coverage_evidence(self):
        """Dated facts proving the period active on their date: (date, precision) pairs."""
        return ()

    def earliest_start(self):
        """The earliest day the period can have begun (its parent's own start), or None."""
        return None

    def save(self, *args, **kwargs):
        self.compute_coverage()
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        errors = {}
        if self.start and not self.start_precision:
            errors["start_precision"] = "Say how precise the start date is."
        if self.end and not self.end_precision:
            errors["end_precision"] = "Say how precise the end date is."
        if self.end and self.end_unknown:
            errors["end_unknown"] = (
                "A period cannot both have an end date and be 'ended, date unknown'."
            )
        if errors:
            raise ValidationError(errors)
        self.compute_coverage()
        if self.covers_from and self.covers_until and self.covers_until < self.covers_from:
            raise ValidationError(
                {
                    "end": f"The end ({self.end_display}) cannot be before the start "
                    f"({self.start_display})."
                }
            )

    # -- presentation ---------------------------------------------------------------
    @property
    def start_display(self) -> str:
        return display_date(self.start, self.start_precision) or "not recorded"

    @property
    def end_display(self) -> str:
        if self.end:
            return display_date(self.end, self.end_precision)
        return "ended, date unknown" if self.end_unknown else "ongoing"

    @property
    def start_iso(self) -> str:
        return format_date(self.start, self.start_precision)

    @property
    def end_iso(self) -> str:
        return format_date(self.end, self.end_precision)

    @property
    def is_ongoing(self) -> bool:
        return self.end is None and not self.end_unknown

    def active_on(self, day: dt.date) -> bool:
        """The as-of rule for one object, possibly active (as :meth:`PeriodQuerySet.active_on`)."""
        return overlaps(self, day, day)

    def certainty_on(self, first: dt.date, last: dt.date | None = None) -> str:
        """ "certain", "possible" or "" for a question about ``first`` (to ``last``)."""
        return certainty(self, first, last or first)

    @property
    def period_display(self) -> str:
        return f"{self.start_display} – {self.end_display}"


class SourceQuerySet(models.QuerySet):
    def with_citation_counts(self):
        """Annotate ``n_<relation>`` for each kind of fact that cites sources
        (:func:`partnerships.kinds.cited`): one COUNT subquery per kind, not a query per
        source."""
        from partnerships import kinds  # the table names the apps' models lazily

        counts = {}
        for kind in kinds.cited():
            relation = Source._meta.get_field(kind.source_relation)
            related = relation.through if relation.many_to_many else relation.related_model
            rows = related.objects.filter(source=OuterRef("pk")).order_by().values("source")
            counted = rows.annotate(n=Count("pk")).values("n")[:1]
            counts[f"n_{kind.source_relation}"] = Coalesce(
                Subquery(counted, output_field=models.IntegerField()), 0
            )
        return self.annotate(**counts)


class Source(TimeStampedModel):
    class Kind(models.TextChoices):
        OFFICIAL = "official", "official"
        TREATY = "treaty", "treaty"
        ACADEMIC = "academic", "academic"
        DATASET = "dataset", "dataset"
        PRESS = "press", "press"

    class Tier(models.TextChoices):
        """How far a source can be relied on, best first (data/README.md gives the rules)."""

        PRIMARY = "primary", "primary"
        OFFICIAL = "official", "official"
        PRESS = "press", "press"
        REFERENCE = "reference", "reference"
        COPY = "copy", "copy"

    TIER_HELP = (
        "primary: a primary official document (treaty, declaration, communiqué, official "
        "text, placemat, official statistics); official: official secondary (a NATO or "
        "government news item, topic page, press release); press: a news agency or quality "
        "press; reference: a reference work, research, Wikipedia, a think tank; copy: a copy, "
        "mirror, repost or blog of another document."
    )
    LOWEST_TIERS = (Tier.COPY, Tier.REFERENCE)

    key = models.SlugField(
        max_length=100, unique=True, help_text="Stable key the data files cite it by."
    )
    title = models.CharField(max_length=500)
    publisher = models.CharField(max_length=200)
    url = models.URLField("URL", max_length=500, blank=True)
    published = models.DateField(null=True, blank=True, validators=[validate_date_range])
    published_precision = models.CharField(
        max_length=5, choices=Precision.choices, blank=True, default=""
    )
    accessed = models.DateField(null=True, blank=True, validators=[validate_date_range])
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.OFFICIAL)
    tier = models.CharField(
        "reliability tier", max_length=10, choices=Tier.choices, help_text=TIER_HELP
    )
    url_key = models.CharField(
        "normalised URL",
        max_length=500,
        blank=True,
        editable=False,
        db_index=True,
        help_text="The URL without scheme, www., trailing slash, locale parameters or "
        "fragment: one source per document.",
    )
    notes = models.TextField(blank=True)

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["publisher", "title"]
        constraints = date_with_precision_constraints("published", "source")

    def __str__(self):
        return f"{self.title} ({self.publisher})"

    def clean(self):
        super().clean()
        if self.published and not self.published_precision:
            raise ValidationError({"published_precision": "Say how precise the date is."})
        self.url_key = normalise_url(self.url)
        if self.url_key:
            twin = Source.objects.filter(url_key=self.url_key).exclude(pk=self.pk).first()
            if twin is not None:
                raise ValidationError(
                    {
                        "url": ValidationError(
                            "The same document as source %(key)r: cite that one.",
                            code="duplicate_document",
                            params={"key": twin.key, "pk": twin.pk},
                        )
                    }
                )

    def save(self, *args, **kwargs):
        normalise_date(self, "published")
        self.url_key = normalise_url(self.url)
        super().save(*args, **kwargs)

    @property
    def published_display(self) -> str:
        return display_date(self.published, self.published_precision)

    def get_absolute_url(self):
        return reverse("source-detail", args=[self.pk])


class Coverage(models.Model):
    """How many nations, and how many partner nations, took part in a mission or framework
    according to its best source: each count with an "at least" flag, the statement, the
    source and the statement's date. Compared on the pages with the rows recorded here."""

    coverage_nations = models.PositiveSmallIntegerField(
        "nations (by the source)", null=True, blank=True, help_text="Allies and partners."
    )
    coverage_nations_at_least = models.BooleanField("nations: at least", default=False)
    coverage_nations_statement = models.TextField("nations: the statement", blank=True)
    coverage_nations_source = models.ForeignKey(
        Source,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="nations: source",
    )
    coverage_nations_date = models.DateField(
        "nations: as of", null=True, blank=True, validators=[validate_date_range]
    )
    coverage_nations_date_precision = models.CharField(
        max_length=5, choices=Precision.choices, blank=True, default=""
    )
    coverage_partners = models.PositiveSmallIntegerField(
        "partner nations (by the source)", null=True, blank=True, help_text="Non-NATO nations."
    )
    coverage_partners_at_least = models.BooleanField("partners: at least", default=False)
    coverage_partners_statement = models.TextField("partners: the statement", blank=True)
    coverage_partners_source = models.ForeignKey(
        Source,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="partners: source",
    )
    coverage_partners_date = models.DateField(
        "partners: as of", null=True, blank=True, validators=[validate_date_range]
    )
    coverage_partners_date_precision = models.CharField(
        max_length=5, choices=Precision.choices, blank=True, default=""
    )

    COVERAGE_COUNTS = ("nations", "partners")

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        for count in self.COVERAGE_COUNTS:
            number = getattr(self, f"coverage_{count}")
            given = [
                getattr(self, f"coverage_{count}_statement"),
                getattr(self, f"coverage_{count}_source_id"),
            ]
            if number is not None and not all(given):
                raise ValidationError(
                    {f"coverage_{count}_source": "A stated count needs its statement and source."}
                )
            date = getattr(self, f"coverage_{count}_date")
            if date and not getattr(self, f"coverage_{count}_date_precision"):
                raise ValidationError(
                    {f"coverage_{count}_date_precision": "Say how precise the date is."}
                )

    def coverage_date_display(self, count: str) -> str:
        return display_date(
            getattr(self, f"coverage_{count}_date"),
            getattr(self, f"coverage_{count}_date_precision"),
        )


class CooperationArea(TimeStampedModel):
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Region(models.TextChoices):
    EUROPE = "europe", "Europe"
    WESTERN_BALKANS = "western-balkans", "Western Balkans"
    EASTERN_EUROPE = "eastern-europe", "Eastern Europe"
    SOUTH_CAUCASUS = "south-caucasus", "South Caucasus"
    CENTRAL_ASIA = "central-asia", "Central Asia"
    MIDDLE_EAST = "middle-east", "Middle East"
    NORTH_AFRICA = "north-africa", "North Africa"
    GULF = "gulf", "Gulf"
    HORN_OF_AFRICA = "horn-of-africa", "Horn of Africa"
    ASIA_PACIFIC = "asia-pacific", "Asia-Pacific"
    AMERICAS = "americas", "Americas"
    MEDITERRANEAN = "mediterranean", "Mediterranean"
    ATLANTIC = "atlantic", "Atlantic"


iso3_validator = RegexValidator(r"^[A-Z]{3}$", "Write the ISO 3166-1 alpha-3 code in capitals.")


class PartnerQuerySet(models.QuerySet):
    def get_by_natural_key(self, iso3: str):
        return self.get(iso3=iso3.upper())


class Partner(TimeStampedModel):
    """A nation that is or was a NATO partner."""

    iso3 = models.CharField("ISO alpha-3", max_length=3, unique=True, validators=[iso3_validator])
    country = CountryField("ISO alpha-2", unique=True, blank=True)
    name = models.CharField(max_length=120)
    other_names = models.JSONField(
        default=list,
        blank=True,
        help_text="Other and historic names, as a JSON list.",
        validators=[validate_no_nul],
    )
    region = models.CharField(max_length=20, choices=Region.choices)
    nato_accession = models.DateField(
        "acceded to NATO",
        null=True,
        blank=True,
        help_text="Only for partners that became Allies.",
        validators=[validate_date_range],
    )
    nato_accession_precision = models.CharField(
        max_length=5, choices=Precision.choices, blank=True, default=""
    )
    profile = models.TextField(blank=True)
    wikidata_qid = models.CharField(
        "Wikidata QID",
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^Q[1-9]\d*$", "A Wikidata QID looks like Q230.")],
    )
    cow_code = models.PositiveSmallIntegerField("Correlates of War code", null=True, blank=True)
    sources = models.ManyToManyField(
        Source, blank=True, related_name="partners", help_text="Sources of the profile text."
    )
    accession_sources = models.ManyToManyField(
        Source,
        blank=True,
        related_name="accessions",
        help_text="Sources of the accession date (a NATO page, the treaty depositary): "
        "required when the partner acceded to NATO.",
    )

    objects = PartnerQuerySet.as_manager()
    _history_m2m_fields = ["sources", "accession_sources"]

    class Meta:
        ordering = ["name"]
        constraints = date_with_precision_constraints("nato_accession", "partner") + [
            models.CheckConstraint(
                condition=Q(iso3__regex=r"^[A-Z]{3}$"),
                name="partner_iso3_format",
                violation_error_message="Write the ISO 3166-1 alpha-3 code in capitals.",
            )
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.iso3,)

    def clean_fields(self, exclude=None):
        # Codes are typed in any case; they are stored in capitals.
        self.iso3 = (self.iso3 or "").upper()
        super().clean_fields(exclude)

    def clean(self):
        super().clean()
        self.iso3 = (self.iso3 or "").upper()
        alpha2 = countries.alpha2(self.iso3) if self.iso3 else ""
        if self.iso3 and not alpha2:
            raise ValidationError({"iso3": f"{self.iso3} is not an ISO 3166-1 alpha-3 code."})
        if self.country and alpha2 and str(self.country) != alpha2:
            raise ValidationError(
                {"country": f"{self.iso3} is {alpha2} in ISO 3166-1, not {self.country}."}
            )
        if self.nato_accession and not self.nato_accession_precision:
            raise ValidationError({"nato_accession_precision": "Say how precise the date is."})

    def save(self, *args, **kwargs):
        self.iso3 = self.iso3.upper()
        if not self.country and self.iso3:
            self.country = countries.alpha2(self.iso3) or ""
        normalise_date(self, "nato_accession")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("partner-detail", args=[self.iso3.lower()])

    @property
    def nato_accession_display(self) -> str:
        return display_date(self.nato_accession, self.nato_accession_precision)

    def is_ally_on(self, day: dt.date) -> bool:
        return bool(self.nato_accession) and self.nato_accession <= day


class Milestone(TimeStampedModel):
    class Kind(models.TextChoices):
        JOINS = "joins", "joins a framework"
        LEAVES = "leaves", "leaves a framework"
        ACTION_PLAN = "action-plan", "action plan"
        DIALOGUE = "dialogue", "dialogue"
        SUMMIT_DECISION = "summit-decision", "summit decision"
        APPLICATION = "application", "application"
        ACCESSION = "accession", "accession"
        SUSPENSION = "suspension", "suspension"
        AGREEMENT = "agreement", "agreement"
        OTHER = "other", "other"

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="milestones")
    date = models.DateField(validators=[validate_date_range])
    date_precision = models.CharField(max_length=5, choices=Precision.choices)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    sources = models.ManyToManyField(Source, related_name="milestones")

    _history_m2m_fields = ["sources"]

    class Meta:
        ordering = ["date", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "date", "title"],
                name="milestone_unique_partner_date_title",
                violation_error_message="This partner already has a milestone with this "
                "date and title.",
            ),
            models.CheckConstraint(
                condition=Q(date_precision__in=Precision.values),
                name="milestone_date_precision",
                violation_error_message="Say how precise the date is.",
            ),
        ]

    def __str__(self):
        return f"{self.partner}: {self.title} ({self.date_display})"

    def save(self, *args, **kwargs):
        normalise_date(self, "date")
        super().save(*args, **kwargs)

    @property
    def date_display(self) -> str:
        return display_date(self.date, self.date_precision)

    @property
    def date_iso(self) -> str:
        return format_date(self.date, self.date_precision)


class Release(models.Model):
    """A numbered, frozen dataset release: its time, content checksum, counts and changelog.

    Not itself historical: a release never changes once made.
    """

    version = models.CharField(
        max_length=40,
        unique=True,
        validators=[RegexValidator(r"^\d+\.\d+(\.\d+)?$", "Write a version like 1.0 or 1.2.0.")],
    )
    created = models.DateTimeField(default=timezone.now, db_index=True)
    notes = models.TextField(blank=True)
    checksum = models.CharField(max_length=64, help_text="SHA-256 of the content at release.")
    counts = models.JSONField(default=dict)
    changelog = models.JSONField(
        default=dict, help_text="added / changed (field, before, after) / removed, by kind."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    released = models.DateField(
        null=True,
        blank=True,
        help_text="The release date its citation and archive name (empty: the day it was made).",
    )
    archive = models.BinaryField(
        blank=True, editable=False, help_text="The zip archive of the export, frozen."
    )
    archive_sha256 = models.CharField(
        "archive SHA-256", max_length=64, blank=True, help_text="SHA-256 of the zip archive."
    )

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"Release {self.version}"

    def get_absolute_url(self):
        return reverse("release-detail", args=[self.version])

    @property
    def release_date(self) -> dt.date:
        return self.released or self.created.date()

    @property
    def citation(self) -> str:
        return (
            f"Partnerships KB, dataset release {self.version} "
            f"({self.release_date:%d %B %Y}), checksum {self.checksum[:12]}."
        )


from partnerships.review import ReviewMark  # noqa: E402, F401 (the review queue's marks)

# API tokens live in their own module (hashed, with an expiry); imported so Django finds it.
from partnerships.tokens import ApiToken  # noqa: E402, F401
