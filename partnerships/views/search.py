"""The search page: ranked results grouped by kind, or one kind page by page."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render

from partnerships import search as engine


class SearchForm(forms.Form):
    """The search page's question: the words, and optionally one kind of result."""

    q = forms.CharField(
        required=False,
        label="Search for",
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text="A name (old names too), acronym, code or theme; "
        '"a phrase", -word and or work too.',
    )
    kind = forms.ChoiceField(required=False, label="Kind")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "All kinds"), *engine.kind_choices()]

    def clean_q(self):
        text = self.cleaned_data["q"]
        if not text:
            return None
        try:
            return engine.parse_query(text)
        except engine.QueryError as exc:
            raise forms.ValidationError(str(exc)) from None


SEARCH_PER_KIND = 5


SEARCH_PAGE_SIZE = 20


def search(request):
    """Ranked results grouped by kind (the best of each), or one kind page by page.

    The engine's ranking queries (per kind on PostgreSQL, two in all on SQLite, names
    for "Did you mean" included), then one query per kind shown (its hydration). "Did you
    mean" is offered whenever a better-known spelling exists, found or not.
    """
    form = SearchForm(request.GET or None)
    query = kind = None
    if form.is_bound and form.is_valid():
        query, kind = form.cleaned_data["q"], form.cleaned_data["kind"] or None
    groups, page, suggestions, total = [], None, [], 0
    if query is not None:
        results = engine.search(query, [kind] if kind else None)
        total = len(results)
        if kind:
            page = Paginator(results, SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
        else:
            groups = results.groups(SEARCH_PER_KIND)
            for group in groups:
                group.more = group.total > len(group.results)
        suggestions = results.suggestions
    kind_label = dict(engine.kind_choices()).get(kind, "") if kind else ""
    return render(
        request,
        "partnerships/search.html",
        {
            "form": form,
            "q": query.text if query else "",
            "kind": kind,
            "kind_label": kind_label,
            "groups": groups,
            "page": page,
            "total": total,
            "capped": engine.MAX_HITS_PER_KIND,
            "suggestions": suggestions,
        },
    )
