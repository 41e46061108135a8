"""Curators' admin for the core facts."""

from types import MethodType

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from partnerships import admin_releases, admin_review  # noqa: F401 (register their admins)
from partnerships.admin_changes import ChangeAdminMixin, CuratedInlineFormSet, posted_reason
from partnerships.admin_columns import date_column, year_filter
from partnerships.admin_csv import CSVImportMixin  # noqa: F401 (the apps' admins import it here)
from partnerships.admin_inlines import (
    BoundedInline,
    LabelledAutocompleteAdmin,
    labelled_autocomplete_view,
)
from partnerships.apps import declared
from partnerships.dates import PERIOD_RULE
from partnerships.forms import CuratedForm, PreciseDatesForm, precise_date_fields
from partnerships.models import CooperationArea, Milestone, Partner, Source
from partnerships.provenance.merge import merge_sources
from partnerships.provenance.restore import NotRestorable, restore
from partnerships.tokens import ApiToken

COVERAGE_FIELDSET = (
    "Coverage, by the best source",
    {
        "fields": tuple(
            (
                f"coverage_{count}",
                f"coverage_{count}_at_least",
                f"coverage_{count}_source",
                f"coverage_{count}_date",
                f"coverage_{count}_statement",
            )
            for count in ("nations", "partners")
        ),
        "classes": ("collapse",),
        "description": "How many nations (Allies and partners), and how many partner nations, "
        "took part according to the best source, with its statement, the source and the "
        "statement's date. Pages compare it with the rows recorded here.",
    },
)

PERIOD_FIELDSET = (
    "Period",
    {
        "fields": ("start", "end", "end_unknown"),
        "description": f"A period covers {PERIOD_RULE} Leave the end empty while it is ongoing.",
    },
)


published_column = date_column("published", "Published")
accession_column = date_column("nato_accession", "NATO accession")
milestone_date_column = date_column("date", "Date")


@admin.display(description="start", ordering="covers_from")
def start_display(obj):
    return obj.start_display


@admin.display(description="end", ordering="covers_until")
def end_display(obj):
    return obj.end_display


# Autocomplete answers label facts with their dates and sources with publisher, date, tier.
admin.site.autocomplete_view = MethodType(labelled_autocomplete_view, admin.site)


class CuratedAdmin(ChangeAdminMixin, LabelledAutocompleteAdmin, SimpleHistoryAdmin):
    """Every curated model: history view, 50 rows a page, timestamps read-only, dates
    typed with their precision ("1995", "1995-11", "1995-11-28"), a list of deleted
    objects a curator can restore from history, and every change made with a reason, as
    one version, refused when the record changed meanwhile (:mod:`partnerships.admin_changes`)."""

    form = CuratedForm
    list_per_page = 50
    readonly_fields = ("created", "updated")
    change_list_template = "admin/curated_change_list.html"
    change_form_template = "admin/curated_change_form.html"

    def get_urls(self):
        opts = self.model._meta
        prefix = f"{opts.app_label}_{opts.model_name}"
        return [
            path(
                "deleted/",
                self.admin_site.admin_view(self.deleted_view),
                name=f"{prefix}_deleted",
            ),
            path(
                "deleted/<int:object_id>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name=f"{prefix}_restore",
            ),
            *super().get_urls(),
        ]

    def deleted_records(self):
        """The last record of each object that is deleted now (newest deletions first)."""
        history = self.model.history.model
        existing = self.model.objects.values("pk")
        return (
            history.objects.filter(history_type="-")
            .exclude(id__in=existing)
            .select_related("history_user")
            .order_by("-history_date")
        )

    def deleted_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        records = {}
        for record in self.deleted_records()[:500]:
            records.setdefault(record.id, record)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Deleted {self.model._meta.verbose_name_plural}",
            "records": list(records.values()),
        }
        return TemplateResponse(request, "admin/deleted_list.html", context)

    def restore_view(self, request, object_id):
        """Put a deleted object back with its last fields and links, under its old id, and
        what was deleted with it (:func:`partnerships.provenance.restore.restore`)."""
        if request.method != "POST" or not self.has_add_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        try:
            restored = restore(self.model, object_id, posted_reason(request), request.user)
        except NotRestorable:
            raise Http404("No deleted object with that id.") from None
        except (ValidationError, IntegrityError) as exc:
            messages_text = "; ".join(getattr(exc, "messages", [str(exc)]))
            self.message_user(request, f"Could not restore: {messages_text}", messages.ERROR)
            return redirect(f"admin:{opts.app_label}_{opts.model_name}_deleted")
        instance, *children = restored
        with_it = f", with {len(children)} row(s) deleted with it" if children else ""
        self.message_user(request, f"Restored {instance}{with_it}.", messages.SUCCESS)
        return redirect(f"admin:{opts.app_label}_{opts.model_name}_change", instance.pk)

    def get_fields(self, request, obj=None):
        # The form reads a date's precision from the text typed in the date field.
        hidden = {f"{name}_precision" for name in precise_date_fields(self.model)}
        return [f for f in super().get_fields(request, obj) if f not in hidden]


class CuratedInline(BoundedInline):
    form = PreciseDatesForm
    formset = CuratedInlineFormSet
    extra = 0
    show_change_link = True


class SourceForm(CuratedForm):
    class Meta:
        model = Source
        fields = "__all__"

    def _post_clean(self):
        super()._post_clean()
        # The model refuses a second record of one document; here it links to the first.
        for error in self.errors.as_data().get("url", []):
            if error.code == "duplicate_document":
                twin = Source.objects.filter(pk=error.params["pk"]).first()
                if twin is not None:
                    url = reverse("admin:partnerships_source_change", args=[twin.pk])
                    self._errors["url"] = self.error_class(
                        [
                            format_html(
                                'The same document (same normalised URL) as source <a href="{}">'
                                "{} ({})</a>: cite that one, or merge the two sources.",
                                url,
                                twin.key,
                                twin.title,
                            )
                        ]
                    )


class MergeSourcesForm(forms.Form):
    keep = forms.ModelChoiceField(
        queryset=Source.objects.none(),
        widget=forms.RadioSelect,
        label="Keep this source",
        help_text="Every citation of the others moves to it; the others are deleted.",
    )
    change_reason = forms.CharField(
        label="Reason for the merge",
        max_length=100,
        help_text="Kept in the history of every fact whose citation moves.",
    )


@admin.register(Source)
class SourceAdmin(CuratedAdmin):
    form = SourceForm
    actions = ["merge_sources"]
    list_display = ("key", "title", "publisher", "kind", "tier", published_column, "url")
    list_filter = ("tier", "kind", "publisher")
    search_fields = ("key", "title", "publisher", "url")
    fieldsets = (
        (None, {"fields": ("key", "title", "publisher", "kind", "tier", "url")}),
        ("Dates", {"fields": ("published", "accessed")}),
        (None, {"fields": ("notes", "created", "updated")}),
    )

    @admin.action(description="Merge the selected sources (one document)", permissions=["change"])
    def merge_sources(self, request, queryset):
        selected = list(queryset.order_by("key"))
        if len(selected) < 2:
            self.message_user(request, "Select two or more sources to merge.", messages.WARNING)
            return None
        form = MergeSourcesForm(request.POST if "merge" in request.POST else None)
        form.fields["keep"].queryset = queryset
        if form.is_bound and form.is_valid():
            keep = form.cleaned_data["keep"]
            try:
                moved = merge_sources(
                    keep, selected, form.cleaned_data["change_reason"], request.user
                )
            except ValidationError as exc:
                self.message_user(request, "; ".join(exc.messages), messages.ERROR)
                return None
            summary = ", ".join(f"{n} {label}" for label, n in sorted(moved.items())) or "none"
            self.message_user(
                request,
                f"Merged {len(selected) - 1} source(s) into {keep.key}; citations moved: "
                f"{summary}.",
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Merge sources",
            "form": form,
            "sources": selected,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/merge_sources.html", context)


@admin.register(CooperationArea)
class CooperationAreaAdmin(CuratedAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}


class MilestoneInline(CuratedInline):
    model = Milestone
    fields = ("date", "kind", "title", "sources")
    autocomplete_fields = ("sources",)


class PartnerForm(CuratedForm):
    class Meta:
        model = Partner
        fields = "__all__"

    def clean(self):
        data = super().clean()
        if data.get("nato_accession") and not data.get("accession_sources"):
            self.add_error(
                "accession_sources",
                "An accession date needs its own sources (a NATO page, the treaty depositary).",
            )
        if data.get("accession_sources") and not data.get("nato_accession"):
            self.add_error("accession_sources", "Give the accession date these sources are for.")
        return data


@admin.register(Partner)
class PartnerAdmin(CuratedAdmin):
    form = PartnerForm
    list_display = ("iso3", "name", "region", accession_column, "wikidata_qid")
    list_filter = ("region", ("nato_accession", admin.EmptyFieldListFilter))
    search_fields = ("iso3", "country", "name", "other_names", "profile")
    autocomplete_fields = ("sources", "accession_sources")
    fieldsets = (
        (None, {"fields": ("iso3", "country", "name", "other_names", "region", "profile")}),
        ("NATO", {"fields": ("nato_accession", "accession_sources")}),
        ("Identifiers", {"fields": ("wikidata_qid", "cow_code")}),
        (None, {"fields": ("sources", "created", "updated")}),
    )
    inlines = [MilestoneInline]

    def get_inlines(self, request, obj):
        # Each app declares its inline (participations, contributions) in its own admin.
        return [*self.inlines, *declared("admin", "PARTNER_INLINES")]


@admin.register(Milestone)
class MilestoneAdmin(CuratedAdmin):
    list_display = (milestone_date_column, "partner", "kind", "title")
    list_filter = (year_filter("date", "year"), "kind", "partner__region", "date_precision")
    list_select_related = ("partner",)
    search_fields = ("title", "description", "partner__name", "partner__iso3")
    autocomplete_fields = ("partner", "sources")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """API tokens: who has one and until when; deleting one revokes it. The key is never
    stored (only its SHA-256), so tokens are issued by the API or `manage.py issue_token`."""

    list_display = ["user", "created", "expires"]
    list_select_related = ["user"]
    search_fields = ["user__username"]
    readonly_fields = ["user", "created", "expires"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
