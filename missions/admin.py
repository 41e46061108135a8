"""Curators' admin for missions, contributions and their figures."""

from django import forms
from django.contrib import admin
from django.db import models

from missions.models import Contribution, ContributionFigure, Mission, Role
from partnerships.admin import (
    COVERAGE_FIELDSET,
    PERIOD_FIELDSET,
    CSVImportMixin,
    CuratedAdmin,
    CuratedInline,
    end_display,
    start_display,
)
from partnerships.admin_columns import date_column, year_filter


class ContributionInline(CuratedInline):
    model = Contribution
    fields = ("mission", "start", "end", "end_unknown", "roles", "sources")
    autocomplete_fields = ("mission", "roles", "sources")
    inline_select_related = ("mission",)


# Shown on a partner's admin page (see PartnerAdmin.get_inlines).
PARTNER_INLINES = (ContributionInline,)


class FigureInline(CuratedInline):
    model = ContributionFigure
    extra = 1
    show_change_link = False
    fields = ("as_of", "personnel", "measure", "estimate", "source", "rank", "rank_reason", "notes")
    autocomplete_fields = ("source",)
    # A row of the table: notes in a small box, so the table fits beside the page's fields.
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 24})}
    }


@admin.register(Mission)
class MissionAdmin(CuratedAdmin):
    list_display = ("name", "acronym", "kind", "region", start_display, end_display)
    list_filter = (year_filter("start", "start year"), "kind", "region", "cooperation_areas")
    search_fields = (
        "name",
        "acronym",
        "slug",
        "description",
        "mandate",
        "coverage_nations_statement",
        "coverage_partners_statement",
    )
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = (
        "cooperation_areas",
        "sources",
        "coverage_nations_source",
        "coverage_partners_source",
    )
    fieldsets = (
        (None, {"fields": ("name", "acronym", "slug", "kind", "region", "hosts")}),
        PERIOD_FIELDSET,
        (None, {"fields": ("mandate", "description", "cooperation_areas", "sources")}),
        COVERAGE_FIELDSET,
        (None, {"fields": ("created", "updated")}),
    )


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")


@admin.register(Contribution)
class ContributionAdmin(CSVImportMixin, CuratedAdmin):
    import_kind = "contributions"
    list_display = ("partner", "mission", start_display, end_display, "role_list")
    list_filter = ("mission", "roles", "partner__region")
    list_select_related = ("partner", "mission")
    search_fields = (
        "partner__name",
        "partner__iso3",
        "mission__name",
        "mission__acronym",
        "description",
    )
    autocomplete_fields = ("partner", "mission", "roles", "cooperation_areas", "sources")
    fieldsets = (
        (None, {"fields": ("partner", "mission", "roles")}),
        PERIOD_FIELDSET,
        (None, {"fields": ("description", "cooperation_areas", "sources")}),
        (None, {"fields": ("created", "updated")}),
    )
    inlines = [FigureInline]

    def get_queryset(self, request):
        # The roles column reads every row's roles: one prefetch, not a query per row.
        return super().get_queryset(request).prefetch_related("roles")

    @admin.display(description="roles")
    def role_list(self, obj):
        return ", ".join(role.name for role in obj.roles.all())


@admin.register(ContributionFigure)
class ContributionFigureAdmin(CSVImportMixin, CuratedAdmin):
    import_kind = "figures"
    list_display = (
        "contribution",
        date_column("as_of", "As of"),
        "personnel",
        "measure",
        "estimate",
        "rank",
        "source",
    )
    list_filter = (
        year_filter("as_of", "year"),
        "rank",
        "measure",
        "estimate",
        "contribution__mission",
    )
    list_select_related = ("contribution__partner", "contribution__mission", "source")
    search_fields = (
        "contribution__partner__name",
        "contribution__mission__acronym",
        "source__title",
        "notes",
        "rank_reason",
    )
    autocomplete_fields = ("contribution", "source")
