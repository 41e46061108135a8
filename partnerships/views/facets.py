"""The lists' filter panel: counts beside each filter value (facets), the active filters
as removable chips and in words for the heading, and query strings without empty
parameters.

A facet's count is what the list would hold with that value chosen and every other
filter kept: the same FilterSet answers it, so a count never disagrees with the list it
leads to. Each facet is one aggregate query, whatever the number of its values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import wraps
from urllib.parse import urlencode

from django import forms
from django.db.models import Count, Q
from django.http import HttpResponseRedirect

from partnerships.templatetags.kb import asked

# Parameters that shape a page, not its rows: never a chip, never kept in a facet's query.
NOT_FILTERS = {"page", "ordering", "format", "download", "known_at"}

# How a filter reads in a heading: "Partners in the Partnership for Peace, as of 1995".
PHRASES = {
    "q": 'matching "{}"',
    "as_of": "as of {}",
    "framework": "in the {}",
    "framework_all": "in all of {}",
    "mission": "contributing to {}",
    "mission_all": "contributing to all of {}",
    "region": "in {}",
    "status": "with status {} today",
    "cooperation_area": "in cooperation area {}",
    "acceded_after": "acceded to NATO on or after {}",
    "acceded_before": "acceded to NATO on or before {}",
    "certainty": "{} only",
    "year": "active in {}",
    "role": "in the role {}",
    "partner": "from {}",
    "kind": "of kind {}",
    "tier": "of tier {}",
    "has_url": "with a link: {}",
    "publisher": "published by {}",
    "published_after": "published on or after {}",
    "published_before": "published on or before {}",
    "personnel_min": "with at least {} personnel",
}


def canonical_query(view):
    """Redirect a list's URL with empty parameters (``?q=&known_at=``, as a GET form sends
    its blank fields) to the same URL without them, so every link to a view is one URL."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        kept = [(k, v) for k, values in request.GET.lists() for v in values if v.strip()]
        if len(kept) != sum(len(values) for _, values in request.GET.lists()):
            query = urlencode(kept)
            return HttpResponseRedirect(request.path + (f"?{query}" if query else ""))
        return view(request, *args, **kwargs)

    return wrapper


@dataclass
class Chip:
    """An active filter value, with the link that removes just it."""

    name: str
    label: str
    value: str
    remove_url: str


@dataclass
class FilterPanel:
    """A list's filters as the shared panel draws them (partials/filter_panel.html)."""

    form: forms.Form
    action: str
    main: list = field(default_factory=list)  # bound fields shown first
    more: list = field(default_factory=list)  # behind "More filters"
    chips: list[Chip] = field(default_factory=list)
    known_at: object = None  # the "as known on" control, on lists that have one
    more_open: bool = False

    @property
    def phrase(self) -> str:
        """The active filters in words, for the heading."""
        by_name: dict[str, list[str]] = {}
        for chip in self.chips:
            by_name.setdefault(chip.name, []).append(chip.value)
        parts = []
        for name, values in by_name.items():
            joiner = " and " if name.endswith("_all") else " or "
            text = joiner.join(values)
            parts.append(PHRASES.get(name, f"{name.replace('_', ' ')}: {{}}").format(text))
        return ", ".join(parts)


def choice_labels(form_field) -> dict[str, str]:
    widget = form_field.widget
    choices = getattr(widget, "choices", None) or getattr(form_field, "choices", [])
    return {str(value): str(label) for value, label in choices}


def active_chips(request, form: forms.Form) -> list[Chip]:
    """Each value of each filter in the query string as a chip; removing one keeps the
    others (and drops the page number: the list changes)."""
    chips = []
    query = [(k, v) for k, values in request.GET.lists() for v in values if v.strip()]
    for name, value in query:
        if name in NOT_FILTERS or name not in form.fields:
            continue
        form_field = form.fields[name]
        labels = choice_labels(form_field)  # a choice's words ("Yes", a framework's name)
        key = value.upper() if getattr(form_field, "upper", False) else value
        shown = labels.get(key) or labels.get(value) or value
        if name == "as_of" and form.is_valid() and form.cleaned_data.get("as_of"):
            shown = asked(form.cleaned_data["as_of"])  # "1 March 2010", as the heading says
        rest = [(k, v) for k, v in query if (k, v) != (name, value) and k != "page"]
        url = request.path + ("?" + urlencode(rest) if rest else "")
        chips.append(Chip(name, str(form_field.label), shown, url))
    return chips


def facet_counts(filterset, request, form: forms.Form, facets: dict):
    """For each facet (``{name: path}``), the number of rows each of its values would
    give with the list's other filters kept, in one aggregate query per facet, set as
    ``facet_counts`` on the form's field. ``filterset`` is the list's, validated (its
    cleaned filters are reused, not validated again). Call after :func:`ticked_first`
    (it lists the choices once).

    ``path`` (an ORM path from the listed rows to the value, or None) says the filter
    keeps the rows whose ``path`` is the value: then the rows of the other filters are
    grouped by it. Otherwise (and for related rows on a ``known_at`` page, read from
    history) each value's rows are a subquery the FilterSet itself builds, so a count
    never disagrees with the list it leads to."""
    queryset = filterset.queryset
    bound = filterset.is_bound  # an unbound FilterSet (no parameters) has no cleaned data
    cleaned = filterset.form.cleaned_data if bound else {}
    past = getattr(request, "known_at", None) is not None
    try:
        for name, path in facets.items():
            form_field = form.fields.get(name)
            if form_field is None:
                continue
            choices = list(form_field.widget.choices)
            others = {**cleaned, name: []}
            if path and not (past and "__" in path):
                filterset.form.cleaned_data = others
                rows = filterset.filter_queryset(queryset.all()).order_by()
                found = dict(
                    rows.values_list(path)
                    .annotate(n=Count("pk", distinct=True))
                    .values_list(path, "n")
                )
                form_field.facet_counts = {
                    str(value): found.get(str(value), 0) for value, _ in choices
                }
                continue
            counts = {}
            for i, (value, _) in enumerate(choices):
                chosen = getattr(value, "instance", value)  # a model choice: the row itself
                filterset.form.cleaned_data = {**others, name: [chosen]}
                rows = filterset.filter_queryset(queryset.all())
                counts[f"v{i}"] = Count("pk", filter=Q(pk__in=rows.values("pk")))
            if counts:
                found = queryset.aggregate(**counts)
                form_field.facet_counts = {
                    str(value): found[f"v{i}"] for i, (value, _) in enumerate(choices)
                }
    finally:
        if bound:
            filterset.form.cleaned_data = cleaned
        else:
            del filterset.form.cleaned_data
    return form


def ticked_first(form: forms.Form, request) -> None:
    """Long lists of checkboxes show the ticked values first, so a choice is never hidden
    at the bottom of a scrolling box."""
    for name, form_field in form.fields.items():
        widget = form_field.widget
        if not isinstance(widget, forms.CheckboxSelectMultiple):
            continue
        ticked = set(request.GET.getlist(name))
        if getattr(form_field, "upper", False):
            ticked |= {value.upper() for value in ticked}
        # Iterated, not list(): a model field's choices would count their rows first.
        choices = [choice for choice in widget.choices]  # noqa: C416
        widget.choices = [c for c in choices if str(c[0]) in ticked] + [
            c for c in choices if str(c[0]) not in ticked
        ]
        form_field.ticked = len(ticked)


def filter_panel(request, form, action, main, more=(), known_at=None) -> FilterPanel:
    """The panel of a list: ``main`` and ``more`` name the form's fields in their order."""
    ticked_first(form, request)
    chips = active_chips(request, form)
    active = {chip.name for chip in chips}
    if known_at is not None and known_at.text:
        active.add("known_at")
    return FilterPanel(
        form,
        action,
        [form[name] for name in main if name in form.fields],
        [form[name] for name in more if name in form.fields],
        chips,
        known_at,
        bool(active & {*more, "known_at"}),
    )
