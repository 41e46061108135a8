"""Curators' admin for frameworks and participations."""

from django.contrib import admin

from frameworks.models import Framework, Participation
from partnerships.admin import (
    COVERAGE_FIELDSET,
    PERIOD_FIELDSET,
    CSVImportMixin,
    CuratedAdmin,
    CuratedInline,
    end_display,
    start_display,
)
from partnerships.admin_columns import year_filter


class ParticipationInline(CuratedInline):
    model = Participation
    fields = ("framework", "start", "end", "end_unknown", "status", "sources")
    autocomplete_fields = ("framework", "sources")
    inline_select_related = ("framework",)


# Shown on a partner's admin page (see PartnerAdmin.get_inlines).
PARTNER_INLINES = (ParticipationInline,)


class ChildFrameworkInline(admin.TabularInline):
    model = Framework
    fk_name = "parent"
    extra = 0
    fields = ("name", "acronym", "kind")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Framework)
class FrameworkAdmin(CuratedAdmin):
    list_display = (
        "name",
        "acronym",
        "kind",
        "parent",
        start_display,
        end_display,
        "members_only_partners",
    )
    list_filter = ("kind", "members_only_partners", "cooperation_areas")
    list_select_related = ("parent",)
    search_fields = (
        "name",
        "acronym",
        "slug",
        "description",
        "coverage_nations_statement",
        "coverage_partners_statement",
    )
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = (
        "parent",
        "cooperation_areas",
        "sources",
        "coverage_nations_source",
        "coverage_partners_source",
    )
    fieldsets = (
        (None, {"fields": ("name", "acronym", "slug", "kind", "parent", "members_only_partners")}),
        ("Established and ended", PERIOD_FIELDSET[1]),
        (None, {"fields": ("description", "cooperation_areas", "sources", "created", "updated")}),
        COVERAGE_FIELDSET,
    )
    inlines = [ChildFrameworkInline]


@admin.register(Participation)
class ParticipationAdmin(CSVImportMixin, CuratedAdmin):
    import_kind = "participations"
    list_display = ("partner", "framework", start_display, end_display, "status")
    list_filter = (
        year_filter("start", "start year"),
        "framework",
        "status",
        "partner__region",
        "start_precision",
    )
    list_select_related = ("partner", "framework")
    search_fields = ("partner__name", "partner__iso3", "framework__name", "framework__acronym")
    autocomplete_fields = ("partner", "framework", "sources")
    fieldsets = (
        (None, {"fields": ("partner", "framework", "status")}),
        PERIOD_FIELDSET,
        (None, {"fields": ("notes", "sources", "created", "updated")}),
    )
