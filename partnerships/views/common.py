"""Helpers every page uses, the apps' pages included: the filter panel, paging,
citations, the "as known on" moment."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django import forms
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet

from partnerships.filtersets import AsOf, AsOfField
from partnerships.models import Source
from partnerships.provenance.history import parse_known_at
from partnerships.views.facets import canonical_query as canonical_query
from partnerships.views.facets import facet_counts as facet_counts
from partnerships.views.facets import filter_panel as filter_panel

PAGE_SIZE = 25


SHORT_HELP = {
    "as_of": "A day, a month or a year. In the chosen frameworks then; alone, partners "
    "then. Imprecise dates give possible rows, marked. See About.",
    "certainty": "Certain: active for the whole of the date asked.",
    "framework_all": "Partners in every one of these.",
}


LABELS = {
    "q": "Name contains",
    "as_of": "As of",
    "certainty": "Certainty",
    "framework": "Framework",
    "framework_all": "In all of these frameworks",
    "status": "Status today",
    "region": "Region",
    "mission": "Contributed to",
    "mission_all": "Contributed to all of",
    "cooperation_area": "Cooperation area",
    "acceded_after": "Acceded to NATO on or after",
    "acceded_before": "Acceded to NATO on or before",
    "kind": "Kind",
    "publisher": "Publisher",
}


def prepare_filter_form(
    form: forms.Form, hide=("ordering",), words: dict | None = None
) -> forms.Form:
    """Present a FilterSet's form for the side panel: checkboxes for repeatable choices,
    date pickers for dates, short help (``words`` overrides a field's label and help:
    ``{"as_of": ("Missions active on", "")}``). Filtering itself stays in the FilterSet."""
    for name in hide:
        form.fields.pop(name, None)
    for name, form_field in form.fields.items():
        if isinstance(form_field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
            form_field.widget = forms.CheckboxSelectMultiple(choices=form_field.choices)
            # Lists from the database (frameworks, missions) are long: a scrolling box.
            form_field.long_list = isinstance(form_field, forms.ModelMultipleChoiceField)
        elif isinstance(form_field, forms.DateField):
            form_field.widget = forms.DateInput(attrs={"type": "date"})
        elif isinstance(form_field, AsOfField):
            # A day, a month or a year: typed, not picked (a date picker asks for a day).
            form_field.widget = forms.TextInput(
                attrs={
                    "placeholder": "1995, 1995-11 or 1995-11-28",
                    "inputmode": "numeric",
                    "pattern": r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?",
                    "size": 10,
                }
            )
        elif name == "q":
            form_field.widget = forms.TextInput(attrs={"type": "search"})
        form_field.label = LABELS.get(name, form_field.label)
        form_field.help_text = SHORT_HELP.get(name, "")
        if words and name in words:
            form_field.label, form_field.help_text = words[name]
        # A validated form has built its bound fields already: update them too.
        bound = form[name]
        bound.label, bound.help_text = form_field.label, form_field.help_text
    return form


def paginate(request, queryset, per_page=PAGE_SIZE):
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))


def as_of_of(filterset, name="as_of") -> AsOf | None:
    """The "as of" question a valid FilterSet was asked (a day, a month or a year)."""
    if filterset.is_bound and filterset.is_valid():
        return filterset.form.cleaned_data.get(name)
    return None


def today_as_of() -> AsOf:
    today = dt.date.today()
    return AsOf(today, today, today.isoformat())


def certainty_counts(rows) -> dict:
    """How many rows of an as-of answer are certain and possible: one query over a
    queryset annotated with ``certainty``, or a count of a list's rows."""
    counts = {"certain": 0, "possible": 0}
    if isinstance(rows, QuerySet):
        found = rows.order_by().values_list("certainty").annotate(n=Count("pk"))
        counts.update({kind: n for kind, n in found if kind in counts})
        return counts
    for row in rows:
        kind = getattr(row, "certainty", None)
        if kind in counts:
            counts[kind] += 1
    return counts


@dataclass
class Citations:
    """Numbered references of one page: each source gets a number on first citation."""

    sources: list = field(default_factory=list)
    numbers: dict = field(default_factory=dict)

    def cite(self, sources) -> list[tuple[int, Source]]:
        cited = []
        for source in sources:
            if source.pk not in self.numbers:
                self.sources.append(source)
                self.numbers[source.pk] = len(self.sources)
            cited.append((self.numbers[source.pk], source))
        return sorted(cited, key=lambda pair: pair[0])

    def numbered(self):
        return list(enumerate(self.sources, start=1))


def coverage_context(coverage: dict | None, refs: Citations) -> dict | None:
    """A coverage summary (:mod:`partnerships.coverage`) ready for partials/coverage.html:
    each stated count with its numbered citation."""
    if coverage is None:
        return None
    for key in ("nations", "partners"):
        if coverage[key] is not None and coverage[key].source is not None:
            coverage[key].refs = refs.cite([coverage[key].source])
    coverage["stated"] = [
        ("Nations, by the source", coverage["nations"]),
        ("Partner nations, by the source", coverage["partners"]),
    ]
    return coverage


@dataclass
class KnownAt:
    """The ``known_at`` of a page: the moment asked for, its text, or why it is unreadable."""

    text: str = ""
    when: dt.datetime | None = None
    error: str = ""

    @property
    def label(self) -> str:
        """How the banner names the moment: a day, or a day and a time."""
        if self.when is None:
            return ""
        if len(self.text) == 10:
            return f"{self.when:%-d %B %Y}"
        return f"{self.when:%-d %B %Y, %H:%M} UTC"


def known_at_of(request) -> KnownAt:
    text = request.GET.get("known_at", "").strip()
    try:
        when = parse_known_at(text)
    except ValueError as exc:
        return KnownAt(text, None, str(exc))
    if when is not None:
        when = when.astimezone(dt.UTC)
    # The FilterSets read related rows as they stood then from the request.
    request.known_at = when
    return KnownAt(text, when)
