"""Guards: every model field is filterable (pages and API share the FilterSets) and every
text field is searchable in the admin, unless exempted here with a reason."""

import pytest
from django.contrib import admin
from django.db import models

from frameworks.filtersets import FrameworkFilterSet, ParticipationFilterSet
from frameworks.models import Framework, Participation
from missions.filtersets import ContributionFilterSet, FigureFilterSet, MissionFilterSet
from missions.models import Contribution, ContributionFigure, Mission
from partnerships.filtersets import (
    CooperationAreaFilterSet,
    MilestoneFilterSet,
    PartnerFilterSet,
    SourceFilterSet,
)
from partnerships.models import CooperationArea, Milestone, Partner, Source

FILTERSETS = {
    Partner: PartnerFilterSet,
    Milestone: MilestoneFilterSet,
    Source: SourceFilterSet,
    CooperationArea: CooperationAreaFilterSet,
    Framework: FrameworkFilterSet,
    Participation: ParticipationFilterSet,
    Mission: MissionFilterSet,
    Contribution: ContributionFilterSet,
    ContributionFigure: FigureFilterSet,
}

# Fields every model has, or that are part of another field's filter.
# The spans (possible: covers_*, certain: certain_*) are derived and read by as_of/certainty.
ALWAYS_EXEMPT = {
    "id",
    "created",
    "updated",
    "covers_from",
    "covers_until",
    "certain_from",
    "certain_until",
}
PERIOD_PARTS = {"start", "start_precision", "end", "end_precision"}  # via as_of / year
# Field -> why it has no filter of its own.
EXEMPT = {
    (Partner, "iso3"): "the lookup key; also searched by q",
    (Partner, "country"): "alpha-2 twin of iso3; searched by q",
    (Partner, "name"): "searched by q",
    (Partner, "other_names"): "searched by q",
    (Partner, "profile"): "searched by q",
    (Partner, "nato_accession_precision"): "part of acceded_after / acceded_before",
    (Partner, "wikidata_qid"): "an identifier for linking out, shown not filtered",
    (Partner, "cow_code"): "an identifier for linking out, shown not filtered",
    (Partner, "sources"): "sources list what cites them (/sources/<id>/)",
    (Partner, "accession_sources"): "sources list what cites them (/sources/<id>/)",
    (Milestone, "title"): "searched by q",
    (Milestone, "description"): "searched by q",
    (Milestone, "sources"): "sources list what cites them",
    (Source, "key"): "searched by q",
    (Source, "title"): "searched by q",
    (Source, "notes"): "searched by q",
    (Source, "published_precision"): "part of published_after / published_before",
    (Source, "accessed"): "bookkeeping of the curators",
    (Source, "url_key"): "derived from url (one source per document); url is searched by q",
    (Framework, "coverage_nations"): "shown in the coverage summary, not filtered",
    (Framework, "coverage_nations_at_least"): "part of the coverage summary",
    (Framework, "coverage_nations_statement"): "searched in the admin; shown, not filtered",
    (Framework, "coverage_nations_source"): "sources list what cites them",
    (Framework, "coverage_nations_date"): "part of the coverage summary",
    (Framework, "coverage_nations_date_precision"): "part of the coverage summary",
    (Framework, "coverage_partners"): "shown in the coverage summary, not filtered",
    (Framework, "coverage_partners_at_least"): "part of the coverage summary",
    (Framework, "coverage_partners_statement"): "searched in the admin; shown, not filtered",
    (Framework, "coverage_partners_source"): "sources list what cites them",
    (Framework, "coverage_partners_date"): "part of the coverage summary",
    (Framework, "coverage_partners_date_precision"): "part of the coverage summary",
    (Mission, "coverage_nations"): "shown in the coverage summary, not filtered",
    (Mission, "coverage_nations_at_least"): "part of the coverage summary",
    (Mission, "coverage_nations_statement"): "searched in the admin; shown, not filtered",
    (Mission, "coverage_nations_source"): "sources list what cites them",
    (Mission, "coverage_nations_date"): "part of the coverage summary",
    (Mission, "coverage_nations_date_precision"): "part of the coverage summary",
    (Mission, "coverage_partners"): "shown in the coverage summary, not filtered",
    (Mission, "coverage_partners_at_least"): "part of the coverage summary",
    (Mission, "coverage_partners_statement"): "searched in the admin; shown, not filtered",
    (Mission, "coverage_partners_source"): "sources list what cites them",
    (Mission, "coverage_partners_date"): "part of the coverage summary",
    (Mission, "coverage_partners_date_precision"): "part of the coverage summary",
    (CooperationArea, "slug"): "the lookup key; searched by q",
    (CooperationArea, "name"): "searched by q",
    (CooperationArea, "description"): "searched by q",
    (Framework, "slug"): "the lookup key; searched by q",
    (Framework, "acronym"): "searched by q",
    (Framework, "name"): "searched by q",
    (Framework, "description"): "searched by q",
    (Framework, "end_unknown"): "part of as_of",
    (Framework, "sources"): "sources list what cites them",
    (Participation, "notes"): "searched by q",
    (Participation, "sources"): "sources list what cites them",
    (Mission, "slug"): "the lookup key; searched by q",
    (Mission, "acronym"): "searched by q",
    (Mission, "name"): "searched by q",
    (Mission, "mandate"): "searched by q",
    (Mission, "description"): "searched by q",
    (Mission, "end_unknown"): "part of as_of",
    (Mission, "sources"): "sources list what cites them",
    (Contribution, "description"): "searched by q",
    (Contribution, "cooperation_areas"): "reached through the partner and mission filters",
    (Contribution, "end_unknown"): "part of as_of",
    (Contribution, "sources"): "sources list what cites them",
    (ContributionFigure, "as_of_precision"): "part of as_of_after / as_of_before",
    (ContributionFigure, "notes"): "searched by q",
    (ContributionFigure, "rank_reason"): "searched by q",
}


def filtered_fields(filterset) -> set[str]:
    names = set()
    for name, item in filterset.base_filters.items():
        names.add(name)
        names.add(item.field_name.split("__")[0])
    return names


@pytest.mark.parametrize("model", FILTERSETS, ids=lambda m: m.__name__)
def test_every_model_field_has_a_filter(model):
    names = filtered_fields(FILTERSETS[model])
    missing = []
    for field in model._meta.get_fields():
        if field.auto_created or not field.concrete and not field.many_to_many:
            continue
        if field.name in ALWAYS_EXEMPT or (model, field.name) in EXEMPT:
            continue
        if field.name in PERIOD_PARTS and "as_of" in names:
            continue
        if field.name not in names:
            missing.append(field.name)
    assert not missing, f"{model.__name__}: no filter for {missing} (add one, or exempt it)"


def test_exemptions_name_real_fields():
    for model, name in EXEMPT:
        model._meta.get_field(name)


# Text fields the admin need not search: prose that is read, not looked up.
ADMIN_SEARCH_EXEMPT = {"notes", "wikidata_qid", "url_key"}  # url_key: derived, url is searched


@pytest.mark.parametrize("model", FILTERSETS, ids=lambda m: m.__name__)
def test_every_text_field_is_searchable_in_the_admin(model):
    model_admin = admin.site._registry[model]
    searched = {path.split("__")[0] for path in model_admin.search_fields}
    text_fields = {
        f.name
        for f in model._meta.get_fields()
        if isinstance(f, models.CharField | models.TextField)
        and not f.choices
        and not f.name.endswith("_precision")
    }
    missing = text_fields - searched - ADMIN_SEARCH_EXEMPT
    assert not missing, f"{model.__name__} admin does not search {sorted(missing)}"
