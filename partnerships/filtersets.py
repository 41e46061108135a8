"""FilterSets of the core models, and the pieces every app's FilterSets share.

One FilterSet per model serves both the analysts' pages and the API, so a filter means the
same thing everywhere. Repeated parameters mean OR (``?framework=a&framework=b``); an
``_all`` variant means AND. Malformed values and unknown slugs or codes are form errors
(a 400 in the API, a message on the pages), never a 500.
"""

import datetime as dt
from typing import NamedTuple

import django_filters as filters
from django import forms
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django_filters.widgets import BaseCSVWidget

from partnerships import kinds
from partnerships.dates import (
    AS_OF_HELP,
    certain_q,
    overlaps_q,
    question_span,
    year_span,
)
from partnerships.models import CooperationArea, Milestone, Partner, Region, Source
from partnerships.provenance.history import rows
from partnerships.status import partner_status_q
from partnerships.validation import MAX_YEAR, MIN_YEAR, validate_date_range


class CodeChoiceField(forms.ModelMultipleChoiceField):
    """Natural keys typed in any case: ``geo``, ``GEO``."""

    def __init__(self, *args, upper=False, **kwargs):
        self.upper = upper
        super().__init__(*args, **kwargs)

    def clean(self, value):
        if value and self.upper:
            value = [str(item).upper() for item in value]
        return super().clean(value)


class CodeFilter(filters.ModelMultipleChoiceFilter, filters.CharFilter):
    """Repeatable natural-key filter (any of).

    CharFilter is a base only so the OpenAPI schema documents it as repeated strings with
    its help text (drf-spectacular maps CharFilter to a string); the form field is ours.
    """

    field_class = CodeChoiceField

    def __init__(self, *args, upper=False, **kwargs):
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)
        self.extra["upper"] = upper


def partner_filter(field_name: str, **kwargs) -> CodeFilter:
    return CodeFilter(
        field_name=field_name,
        to_field_name="iso3",
        queryset=Partner.objects.all(),
        upper=True,
        help_text="Partner by ISO 3166-1 alpha-3 code, any case; repeat for any of.",
        **kwargs,
    )


def slug_filter(key: str, field_name: str, help_text: str, **kwargs) -> CodeFilter:
    return CodeFilter(
        field_name=field_name,
        to_field_name="slug",
        queryset=lambda request: kinds.model(key).objects.all(),
        help_text=help_text,
        **kwargs,
    )


class AsOf(NamedTuple):
    """An "as of" question: the days it asks about, and how it was written."""

    first: dt.date
    last: dt.date
    text: str

    def __str__(self) -> str:
        return self.text


class AsOfField(forms.CharField):
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``: a year, a month or a day asked about."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 10)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        try:
            first, last = question_span(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
        return AsOf(first, last, text)


class AsOfFilter(filters.CharFilter):
    """The one "as of" parameter of every list (CharFilter for the schema: a string)."""

    field_class = AsOfField


CERTAINTY_HELP = (
    "With as_of: certain keeps the rows certainly active for the whole of the date asked; "
    "possible keeps those only possibly active (an imprecise or unrecorded date). Without "
    "it, an answer lists both, each row saying which."
)


def certainty_filter() -> filters.ChoiceFilter:
    return filters.ChoiceFilter(
        choices=[("certain", "certain"), ("possible", "possible")],
        method="defer",
        help_text=CERTAINTY_HELP,
    )


def certainty_case(certain: Q):
    """``"certain"`` for the rows ``certain`` holds, ``"possible"`` for the others."""
    return Case(When(certain, then=Value("certain")), default=Value("possible"))


def keep_certainty(queryset, certain: Q, wanted: str | None):
    if wanted == "certain":
        return queryset.filter(certain)
    if wanted == "possible":
        return queryset.exclude(certain)
    return queryset


def year_filter(prefix: str = "") -> filters.NumberFilter:
    def by_year(queryset, name, value):
        return queryset.filter(overlaps_q(*year_span(int(value)), prefix))

    return filters.NumberFilter(
        method=by_year,
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        help_text="Only rows active at some point in this year.",
    )


class AsOfMixin:
    """``certainty`` qualifies an ``as_of`` answer: refused without one."""

    def defer(self, queryset, name, value):
        return queryset  # read in filter_queryset

    def is_valid(self):
        valid = super().is_valid()
        data = self.form.cleaned_data if valid else {}
        if data.get("certainty") and not data.get("as_of"):
            self.form.add_error("certainty", "Give as_of too: certainty qualifies an answer.")
            return False
        return valid


def stable_order(queryset):
    """The queryset in its ordering (or its model's default one) with the primary key last,
    so that rows that tie on every sort key keep one order and pages neither lose nor
    repeat a row."""
    ordering = list(queryset.query.order_by)
    if not ordering and queryset.query.default_ordering:
        ordering = list(queryset.model._meta.ordering)
    pk_names = {"pk", queryset.model._meta.pk.name}
    if ordering and isinstance(ordering[-1], str) and ordering[-1].lstrip("-") in pk_names:
        return queryset
    return queryset.order_by(*ordering, "pk")


class OrderingWidget(BaseCSVWidget, forms.Select):
    """``ordering=region,-name`` or, as generated clients send a list, repeated:
    ``ordering=region&ordering=-name`` (both in that order; not only the last one)."""

    def value_from_datadict(self, data, files, name):
        if hasattr(data, "getlist") and len(data.getlist(name)) > 1:
            data = data.copy()
            data[name] = ",".join(data.getlist(name))
        return super().value_from_datadict(data, files, name)


class StableOrderingFilter(filters.OrderingFilter):
    """``ordering``, and the default order when it is not given, with the primary key last
    (see :func:`stable_order`). Every FilterSet's ``ordering`` is one of these."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", OrderingWidget)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        return stable_order(super().filter(qs, value))


class BaseFilterSet(filters.FilterSet):
    """Shared behaviour: a text search ``q`` over ``search_fields``; related rows read as
    they stood at the request's ``known_at`` moment when it has one (see history.py).

    Subqueries correlate on ``id``, not ``pk``: on historical records the two differ.
    """

    search_fields: tuple[str, ...] = ()
    q = filters.CharFilter(method="search", max_length=200, help_text="Text search.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Every date filter takes the years 1900 to 2100 only (partnerships.validation):
        # beyond, a day-after or a comparison would overflow.
        for declared in self.filters.values():
            if isinstance(declared, filters.DateFilter):
                validators = declared.extra.setdefault("validators", [])
                if validate_date_range not in validators:
                    validators.append(validate_date_range)

    @property
    def known_at(self):
        return getattr(self.request, "known_at", None)

    def rows(self, label: str):
        return rows(label, self.known_at)

    def search(self, queryset, name, value):
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)


class PeriodFilterSet(AsOfMixin, BaseFilterSet):
    """A list of periods (frameworks, participations, missions, contributions): ``as_of`` a
    day, a month or a year keeps the rows possibly active then, each annotated with its
    ``certainty``; ``certainty`` keeps one kind."""

    as_of = AsOfFilter(
        method="defer",
        help_text="Only rows active then: a day (YYYY-MM-DD), a month (YYYY-MM) or a year "
        "(YYYY). Each row says whether it is certain (active for the whole of it) or "
        "possible. " + AS_OF_HELP,
    )
    certainty = certainty_filter()

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        as_of = self.form.cleaned_data.get("as_of")
        if not as_of:
            return queryset
        certain = certain_q(as_of.first, as_of.last)
        queryset = queryset.filter(overlaps_q(as_of.first, as_of.last)).annotate(
            certainty=certainty_case(certain)
        )
        return keep_certainty(queryset, certain, self.form.cleaned_data.get("certainty"))


# -- partners ---------------------------------------------------------------------------


class PartnerRowsFilterSet(BaseFilterSet):
    """The partner filters every list of partners has: text, region, ordering."""

    search_fields = ("name", "iso3", "country", "other_names", "profile")

    region = filters.MultipleChoiceFilter(choices=Region.choices, help_text="Region; repeatable.")
    ordering = StableOrderingFilter(
        fields=(
            ("name", "name"),
            ("iso3", "iso3"),
            ("region", "region"),
            ("nato_accession", "nato_accession"),
        ),
        help_text="Sort by name, iso3, region or nato_accession; prefix - to reverse.",
    )

    class Meta:
        model = Partner
        fields = ["region"]


class PartnerFilterSet(AsOfMixin, PartnerRowsFilterSet):
    framework = slug_filter(
        "frameworks",
        "participations__framework__slug",
        "Partners in any of these frameworks (slugs; repeatable). With as_of: on that day.",
        method="defer",
    )
    framework_all = slug_filter(
        "frameworks",
        "participations__framework__slug",
        "Partners in all of these frameworks (slugs; repeatable). With as_of: on that day.",
        method="defer",
    )
    as_of = AsOfFilter(
        method="defer",
        help_text="A day (YYYY-MM-DD), a month (YYYY-MM) or a year (YYYY). With framework: "
        "partners in it then. Alone: nations that were NATO partners (in any framework, not "
        "yet Allies) then. Each partner says whether that is certain or possible. " + AS_OF_HELP,
    )
    certainty = certainty_filter()
    status = filters.MultipleChoiceFilter(
        choices=[(s, s) for s in ("partner", "ally", "suspended", "former")],
        method="by_status",
        help_text="Current status: partner, ally (acceded to NATO), suspended (cooperation "
        "suspended in every framework it is in) or former; repeatable.",
    )
    mission = slug_filter(
        "missions",
        "contributions__mission__slug",
        "Partners that contributed to any of these missions (slugs; repeatable).",
        method="by_mission_any",
    )
    mission_all = slug_filter(
        "missions",
        "contributions__mission__slug",
        "Partners that contributed to all of these missions (slugs; repeatable).",
        method="by_mission_all",
    )
    cooperation_area = CodeFilter(
        to_field_name="slug",
        queryset=CooperationArea.objects.all(),
        method="by_area",
        help_text="Partners in a framework, or contributing to a mission or with a "
        "contribution, tagged with any of these cooperation areas (slugs; repeatable).",
    )
    acceded_after = filters.DateFilter(
        field_name="nato_accession", lookup_expr="gte", help_text="Acceded to NATO on or after."
    )
    acceded_before = filters.DateFilter(
        field_name="nato_accession", lookup_expr="lte", help_text="Acceded to NATO on or before."
    )

    def defer(self, queryset, name, value):
        return queryset  # framework, framework_all and as_of combine in filter_queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        as_of = data.get("as_of")
        any_of, all_of = data.get("framework") or [], data.get("framework_all") or []

        def member(frameworks, rule=None):
            found = self.rows("participations").filter(partner=OuterRef("id"))
            if frameworks is not None:
                found = found.filter(framework__in=frameworks)
            if rule is not None:
                found = found.filter(rule)
            return Exists(found)

        possible = certain = None
        if as_of:
            possible = overlaps_q(as_of.first, as_of.last)
            certain = certain_q(as_of.first, as_of.last)
        sure = Q()  # what makes a row of the answer certain
        if any_of:
            queryset = queryset.filter(member(any_of, possible))
            sure &= member(any_of, certain) if as_of else Q()
        for framework in all_of:
            queryset = queryset.filter(member([framework], possible))
            sure &= member([framework], certain) if as_of else Q()
        if as_of and not any_of and not all_of:
            # Partners then: in a framework, and not yet Allies for the whole of it.
            queryset = queryset.filter(member(None, possible)).exclude(
                nato_accession__lte=as_of.first
            )
            sure = member(None, certain) & (
                Q(nato_accession__isnull=True) | Q(nato_accession__gt=as_of.last)
            )
        if as_of:
            queryset = queryset.annotate(certainty=certainty_case(sure))
            queryset = keep_certainty(queryset, sure, data.get("certainty"))
        return queryset

    def by_status(self, queryset, name, values):
        condition = Q()
        for status in values:
            condition |= partner_status_q(status, when=self.known_at)
        return queryset.filter(condition)

    def _contributed(self, missions):
        return Exists(
            self.rows("contributions").filter(partner=OuterRef("id"), mission__in=missions)
        )

    def by_mission_any(self, queryset, name, missions):
        return queryset.filter(self._contributed(missions)) if missions else queryset

    def by_mission_all(self, queryset, name, missions):
        for mission in missions:
            queryset = queryset.filter(self._contributed([mission]))
        return queryset

    def by_area(self, queryset, name, areas):
        if not areas:
            return queryset
        return queryset.filter(
            Exists(
                self.rows("participations").filter(
                    partner=OuterRef("id"), framework__cooperation_areas__in=areas
                )
            )
            | Exists(
                self.rows("contributions")
                .filter(partner=OuterRef("id"))
                .filter(Q(cooperation_areas__in=areas) | Q(mission__cooperation_areas__in=areas))
            )
        )


class MilestoneFilterSet(BaseFilterSet):
    search_fields = ("title", "description", "partner__name")

    partner = partner_filter("partner__iso3")
    kind = filters.MultipleChoiceFilter(choices=Milestone.Kind.choices, help_text="Repeatable.")
    date_after = filters.DateFilter(field_name="date", lookup_expr="gte")
    date_before = filters.DateFilter(field_name="date", lookup_expr="lte")
    date_precision = filters.ChoiceFilter(
        choices=Milestone._meta.get_field("date_precision").choices
    )
    ordering = StableOrderingFilter(fields=("date", "title", "kind"))

    class Meta:
        model = Milestone
        fields = ["kind", "date_precision"]


class SourceFilterSet(BaseFilterSet):
    search_fields = ("key", "title", "publisher", "url", "notes")

    kind = filters.MultipleChoiceFilter(choices=Source.Kind.choices, help_text="Repeatable.")
    tier = filters.MultipleChoiceFilter(
        choices=Source.Tier.choices,
        label="Reliability tier",
        help_text="Repeatable. " + Source.TIER_HELP,
    )
    publisher = filters.CharFilter(lookup_expr="iexact")
    published_after = filters.DateFilter(field_name="published", lookup_expr="gte")
    published_before = filters.DateFilter(field_name="published", lookup_expr="lte")
    has_url = filters.BooleanFilter(field_name="url", method="by_has_url")
    ordering = StableOrderingFilter(fields=("title", "publisher", "published", "key"))

    class Meta:
        model = Source
        fields = ["kind", "tier", "publisher"]

    def by_has_url(self, queryset, name, value):
        return queryset.exclude(url="") if value else queryset.filter(url="")


class CooperationAreaFilterSet(BaseFilterSet):
    search_fields = ("slug", "name", "description")
    ordering = StableOrderingFilter(fields=("name", "slug"))

    class Meta:
        model = CooperationArea
        fields = []
