"""FilterSets of frameworks and participations (shared by the pages and the API)."""

import django_filters as filters

from frameworks.models import Framework, Participation
from partnerships.filtersets import (
    CodeFilter,
    PeriodFilterSet,
    StableOrderingFilter,
    partner_filter,
    year_filter,
)
from partnerships.models import CooperationArea


class FrameworkFilterSet(PeriodFilterSet):
    search_fields = ("name", "acronym", "slug", "description")

    kind = filters.MultipleChoiceFilter(choices=Framework.Kind.choices, help_text="Repeatable.")
    parent = CodeFilter(
        to_field_name="slug",
        field_name="parent__slug",
        queryset=Framework.objects.all(),
        help_text="Frameworks that sit under any of these (slugs; repeatable).",
    )
    members_only_partners = filters.BooleanFilter(
        help_text="true: frameworks a partner leaves when it becomes an Ally."
    )
    cooperation_area = CodeFilter(
        to_field_name="slug",
        field_name="cooperation_areas__slug",
        queryset=CooperationArea.objects.all(),
        distinct=True,
        help_text="Tagged with any of these cooperation areas (slugs; repeatable).",
    )
    year = year_filter()
    ordering = StableOrderingFilter(
        fields=(("name", "name"), ("acronym", "acronym"), ("covers_from", "established"))
    )

    class Meta:
        model = Framework
        fields = ["kind", "members_only_partners"]


class ParticipationFilterSet(PeriodFilterSet):
    search_fields = ("partner__name", "framework__name", "framework__acronym", "notes")

    partner = partner_filter("partner__iso3")
    framework = CodeFilter(
        to_field_name="slug",
        field_name="framework__slug",
        queryset=Framework.objects.all(),
        help_text="Framework slug; repeatable (any of).",
    )
    year = year_filter()
    started_after = filters.DateFilter(
        field_name="covers_from", lookup_expr="gte", help_text="Started on or after this date."
    )
    started_before = filters.DateFilter(
        field_name="covers_from", lookup_expr="lte", help_text="Started on or before this date."
    )
    ended_after = filters.DateFilter(
        field_name="covers_until", lookup_expr="gte", help_text="Ended on or after this date."
    )
    ended_before = filters.DateFilter(
        field_name="covers_until", lookup_expr="lte", help_text="Ended on or before this date."
    )
    status = filters.MultipleChoiceFilter(
        choices=Participation.Status.choices, help_text="Repeatable."
    )
    end_unknown = filters.BooleanFilter(help_text="true: ended, date unknown.")
    ordering = StableOrderingFilter(
        fields=(
            ("partner__name", "partner"),
            ("framework__name", "framework"),
            ("covers_from", "start"),
            ("covers_until", "end"),
            ("status", "status"),
        )
    )

    class Meta:
        model = Participation
        fields = ["status", "end_unknown"]
