"""Curators' admin for the core facts."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from simple_history.admin import SimpleHistoryAdmin

from partnerships.apps import declared
from partnerships.dates import PERIOD_RULE
from partnerships.forms import PreciseDatesForm, precise_date_fields
from partnerships.models import CooperationArea, Milestone, Partner, Source
from partnerships.provenance.bulk_import import run_import
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


@admin.display(description="start", ordering="covers_from")
def start_display(obj):
    return obj.start_display


@admin.display(description="end", ordering="covers_until")
def end_display(obj):
    return obj.end_display


class CuratedAdmin(SimpleHistoryAdmin):
    """Every curated model: history view, 50 rows a page, timestamps read-only, dates
    typed with their precision ("1995", "1995-11", "1995-11-28"), and a list of deleted
    objects a curator can restore from history."""

    form = PreciseDatesForm
    list_per_page = 50
    readonly_fields = ("created", "updated")
    change_list_template = "admin/curated_change_list.html"

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
        """Put a deleted object back with its last fields and links, under its old id."""
        if request.method != "POST" or not self.has_add_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        history = self.model.history.model
        records = history.objects.filter(id=object_id).order_by("-history_date", "-history_id")
        last = records.first()
        if (
            last is None
            or last.history_type != "-"
            or self.model.objects.filter(pk=object_id).exists()
        ):
            raise Http404("No deleted object with that id.")
        instance = last.instance
        links = {}
        for name in getattr(self.model, "_history_m2m_fields", []):
            for record in records:
                rows = list(getattr(record, name).all())
                if rows:
                    target = self.model._meta.get_field(name).related_model._meta.model_name
                    links[name] = [getattr(row, f"{target}_id") for row in rows]
                    break
        try:
            with transaction.atomic():
                instance.full_clean(validate_unique=True)
                instance._change_reason = "restored from history"
                instance.save(force_insert=True)
                for name, ids in links.items():
                    getattr(instance, name).set(ids)
        except (ValidationError, IntegrityError) as exc:
            messages_text = "; ".join(getattr(exc, "messages", [str(exc)]))
            self.message_user(
                request, f"Could not restore {instance}: {messages_text}", messages.ERROR
            )
            return redirect(f"admin:{opts.app_label}_{opts.model_name}_deleted")
        self.message_user(request, f"Restored {instance}.", messages.SUCCESS)
        return redirect(f"admin:{opts.app_label}_{opts.model_name}_change", instance.pk)

    def get_fields(self, request, obj=None):
        # The form reads a date's precision from the text typed in the date field.
        hidden = {f"{name}_precision" for name in precise_date_fields(self.model)}
        return [f for f in super().get_fields(request, obj) if f not in hidden]


class CSVImportForm(forms.Form):
    file = forms.FileField(required=False, help_text="A UTF-8 CSV file.")
    csv_text = forms.CharField(required=False, widget=forms.HiddenInput)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            try:
                data["csv_text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError("The file is not UTF-8 text.") from None
            data["confirm"] = False
        if not data.get("csv_text"):
            raise forms.ValidationError("Choose a CSV file.")
        return data


class CSVImportMixin:
    """An "Import CSV" page on the change list: preview row by row, then confirm."""

    import_kind = ""

    def get_urls(self):
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}_import_csv"
        view = self.admin_site.admin_view(self.import_csv_view)
        return [path("import-csv/", view, name=name), *super().get_urls()]

    def import_csv_view(self, request):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = CSVImportForm(request.POST or None, request.FILES or None)
        result, text = None, ""
        if request.method == "POST" and form.is_valid():
            text = form.cleaned_data["csv_text"]
            result = run_import(
                self.import_kind, text, commit=form.cleaned_data["confirm"], request=request
            )
            if result.committed:
                self.message_user(
                    request,
                    f"Imported {result.count('create')} new and {result.count('update')} "
                    f"updated {self.model._meta.verbose_name_plural}.",
                    messages.SUCCESS,
                )
                opts = self.model._meta
                return redirect(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            result.count_create = result.count("create")
            result.count_update = result.count("update")
            result.count_unchanged = result.count("unchanged")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Import {self.model._meta.verbose_name_plural} from CSV",
            "form": form,
            "result": result,
            "csv_text": text,
            "kind": self.import_kind,
        }
        return TemplateResponse(request, "admin/csv_import.html", context)


class CuratedInline(admin.TabularInline):
    form = PreciseDatesForm
    extra = 0
    show_change_link = True


@admin.register(Source)
class SourceAdmin(CuratedAdmin):
    list_display = ("key", "title", "publisher", "kind", "tier", "published_display", "url")
    list_filter = ("tier", "kind", "publisher")
    search_fields = ("key", "title", "publisher", "url")
    fieldsets = (
        (None, {"fields": ("key", "title", "publisher", "kind", "tier", "url")}),
        ("Dates", {"fields": ("published", "accessed")}),
        (None, {"fields": ("notes", "created", "updated")}),
    )


@admin.register(CooperationArea)
class CooperationAreaAdmin(CuratedAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}


class MilestoneInline(CuratedInline):
    model = Milestone
    fields = ("date", "kind", "title", "sources")
    autocomplete_fields = ("sources",)


class PartnerForm(PreciseDatesForm):
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
    list_display = ("iso3", "name", "region", "nato_accession_display", "wikidata_qid")
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
    list_display = ("date_display", "partner", "kind", "title")
    list_filter = ("kind", "partner__region", "date_precision")
    list_select_related = ("partner",)
    search_fields = ("title", "description", "partner__name", "partner__iso3")
    autocomplete_fields = ("partner", "sources")
    date_hierarchy = "date"


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
