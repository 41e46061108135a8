"""FilterSets of missions, contributions and figures (shared by the pages and the API)."""

import django_filters as filters
from django.db.models import Exists, OuterRef

from missions.models import Contribution, ContributionFigure, Mission, Role
from partnerships.filtersets import (
    BaseFilterSet,
    CodeFilter,
    PeriodFilterSet,
    StableOrderingFilter,
    partner_filter,
    year_filter,
)
from partnerships.models import CooperationArea, Partner, Region


class MissionFilterSet(PeriodFilterSet):
    search_fields = ("name", "acronym", "slug", "description", "mandate", "region")

    kind = filters.MultipleChoiceFilter(choices=Mission.Kind.choices, help_text="Repeatable.")
    region = filters.MultipleChoiceFilter(choices=Region.choices, help_text="Repeatable.")
    year = year_filter()
    partner = CodeFilter(
        to_field_name="iso3",
        queryset=Partner.objects.all(),
        upper=True,
        method="by_partner",
        help_text="Missions that had a contribution from any of these partners (ISO alpha-3).",
    )
    cooperation_area = CodeFilter(
        to_field_name="slug",
        field_name="cooperation_areas__slug",
        queryset=CooperationArea.objects.all(),
        distinct=True,
        help_text="Tagged with any of these cooperation areas (slugs; repeatable).",
    )
    host = filters.CharFilter(
        field_name="hosts",
        lookup_expr="icontains",
        max_length=2,
        help_text="Host country (ISO alpha-2).",
    )
    ordering = StableOrderingFilter(
        fields=(
            ("name", "name"),
            ("acronym", "acronym"),
            ("covers_from", "start"),
            ("covers_until", "end"),
        )
    )

    class Meta:
        model = Mission
        fields = ["kind", "region"]

    def by_partner(self, queryset, name, partners):
        if not partners:
            return queryset
        contributions = self.rows("contributions").filter(
            mission=OuterRef("id"), partner__in=partners
        )
        return queryset.filter(Exists(contributions))


class ContributionFilterSet(PeriodFilterSet):
    search_fields = ("partner__name", "mission__name", "mission__acronym", "description")

    partner = partner_filter("partner__iso3")
    mission = CodeFilter(
        to_field_name="slug",
        field_name="mission__slug",
        queryset=Mission.objects.all(),
        help_text="Mission slug; repeatable (any of).",
    )
    role = CodeFilter(
        to_field_name="slug",
        field_name="roles__slug",
        queryset=Role.objects.all(),
        method="by_role",
        help_text="Contributions in any of these roles (troops, staff-officers, logistics, "
        "medical, training, naval, air, intelligence, funding, humanitarian); repeatable.",
    )
    year = year_filter()
    personnel_min = filters.NumberFilter(
        method="by_personnel_min",
        min_value=0,
        help_text="Contributions with at least one personnel figure of at least this number.",
    )
    ordering = StableOrderingFilter(
        fields=(
            ("partner__name", "partner"),
            ("mission__name", "mission"),
            ("covers_from", "start"),
            ("covers_until", "end"),
        )
    )

    class Meta:
        model = Contribution
        fields = []

    def by_role(self, queryset, name, roles):
        if not roles:
            return queryset
        through = Contribution.roles.through
        return queryset.filter(
            Exists(through.objects.filter(contribution=OuterRef("id"), role__in=roles))
        )

    def by_personnel_min(self, queryset, name, value):
        figures = ContributionFigure.objects.filter(
            contribution=OuterRef("id"), personnel__gte=value
        )
        return queryset.filter(Exists(figures))


class FigureFilterSet(BaseFilterSet):
    search_fields = (
        "contribution__partner__name",
        "contribution__mission__name",
        "notes",
        "rank_reason",
    )

    partner = partner_filter("contribution__partner__iso3")
    mission = CodeFilter(
        to_field_name="slug",
        field_name="contribution__mission__slug",
        queryset=Mission.objects.all(),
        help_text="Mission slug; repeatable (any of).",
    )
    contribution = filters.NumberFilter(field_name="contribution_id")
    as_of_after = filters.DateFilter(field_name="as_of", lookup_expr="gte")
    as_of_before = filters.DateFilter(field_name="as_of", lookup_expr="lte")
    estimate = filters.BooleanFilter()
    measure = filters.MultipleChoiceFilter(choices=ContributionFigure.Measure.choices)
    rank = filters.MultipleChoiceFilter(
        choices=ContributionFigure._meta.get_field("rank").choices,
        help_text="preferred, normal or deprecated; repeatable (any of).",
    )
    personnel_min = filters.NumberFilter(field_name="personnel", lookup_expr="gte", min_value=0)
    personnel_max = filters.NumberFilter(field_name="personnel", lookup_expr="lte", min_value=0)
    source = filters.NumberFilter(field_name="source_id")
    ordering = StableOrderingFilter(
        fields=(
            ("as_of", "as_of"),
            ("personnel", "personnel"),
            ("contribution__partner__name", "partner"),
        )
    )

    class Meta:
        model = ContributionFigure
        fields = ["estimate", "measure", "rank"]
