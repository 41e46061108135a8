"""The sources list and a source with every fact that cites it."""

from __future__ import annotations

from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, render

from partnerships.filtersets import SourceFilterSet
from partnerships.models import Source
from partnerships.views.common import paginate, prepare_filter_form

SOURCE_RELATIONS = (
    "partners",
    "frameworks",
    "participations",
    "missions",
    "contributions",
    "milestones",
    "figures",
)


def citing_count(relation: str):
    """A subquery counting the facts of one kind that cite a source."""
    rel = Source._meta.get_field(relation)
    related = rel.through if rel.many_to_many else rel.related_model
    rows = related.objects.filter(source=OuterRef("pk")).order_by().values("source")
    count = rows.annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(count, output_field=IntegerField()), 0)


def source_list(request):
    filterset = SourceFilterSet(request.GET or None, queryset=Source.objects.all())
    valid = filterset.is_valid() if filterset.is_bound else True
    queryset = filterset.qs.annotate(
        **{f"n_{relation}": citing_count(relation) for relation in SOURCE_RELATIONS}
    )
    page = paginate(request, queryset, per_page=50) if valid else None
    if page:
        for source in page:
            source.cited_by = sum(getattr(source, f"n_{r}") for r in SOURCE_RELATIONS)
    return render(
        request,
        "partnerships/source_list.html",
        {"filterset": filterset, "form": prepare_filter_form(filterset.form), "page": page},
    )


def source_detail(request, pk: int):
    source = get_object_or_404(Source, pk=pk)
    facts = [
        ("Partners", source.partners.all()),
        ("Frameworks", source.frameworks.all()),
        ("Participations", source.participations.select_related("partner", "framework")),
        ("Missions", source.missions.all()),
        ("Contributions", source.contributions.select_related("partner", "mission")),
        (
            "Personnel figures",
            source.figures.select_related("contribution__partner", "contribution__mission"),
        ),
        ("Milestones", source.milestones.select_related("partner")),
    ]
    facts = [(title, list(rows)) for title, rows in facts]
    return render(
        request,
        "partnerships/source_detail.html",
        {
            "source": source,
            "facts": [(title, rows) for title, rows in facts if rows],
            "total": sum(len(rows) for _, rows in facts),
        },
    )
