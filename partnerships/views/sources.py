"""The sources list and a source with every fact that cites it."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from partnerships import kinds
from partnerships.filtersets import SourceFilterSet
from partnerships.models import Source
from partnerships.views.common import (
    canonical_query,
    facet_counts,
    filter_panel,
    paginate,
    prepare_filter_form,
)


@canonical_query
def source_list(request):
    filterset = SourceFilterSet(request.GET or None, queryset=Source.objects.all())
    valid = filterset.is_valid() if filterset.is_bound else True
    form = prepare_filter_form(filterset.form)
    panel = filter_panel(
        request,
        form,
        reverse("source-list"),
        main=("q", "kind", "tier"),
        more=("publisher", "published_after", "published_before", "has_url"),
    )
    if valid:
        facets = {"kind": "kind", "tier": "tier"}
        facet_counts(filterset, request, form, facets)
    queryset = filterset.qs.with_citation_counts()
    page = paginate(request, queryset, per_page=50) if valid else None
    if page:
        relations = [kind.source_relation for kind in kinds.cited()]
        for source in page:
            source.cited_by = sum(getattr(source, f"n_{r}") for r in relations)
    return render(
        request,
        "partnerships/source_list.html",
        {"filterset": filterset, "form": form, "panel": panel, "page": page},
    )


def source_detail(request, pk: int):
    source = get_object_or_404(Source, pk=pk)
    # Every kind of fact that cites sources, with what its labels read (one query a kind).
    facts = [
        (
            kind.key,
            kind.title.capitalize(),
            list(getattr(source, kind.source_relation).select_related(*kind.label_paths)),
        )
        for kind in kinds.cited()
    ]
    return render(
        request,
        "partnerships/source_detail.html",
        {
            "source": source,
            "facts": [fact for fact in facts if fact[2]],
            "total": sum(len(rows) for _, _, rows in facts),
        },
    )
