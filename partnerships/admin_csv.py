"""CSV round trips in the admin: "Export CSV" on a change list and "Import CSV" with a
preview a curator can trust (problems first with their line and field, every update shown
field by field, the delimiter and encoding detected or chosen), then confirm with a reason."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path

from partnerships.provenance.bulk_import import REASON_REQUIRED, run_import
from partnerships.provenance.csv_export import csv_response
from partnerships.provenance.csv_files import DELIMITERS, ENCODINGS, CSVFileError, decode
from partnerships.provenance.recording import REASON_MAX_LENGTH

DETECT = ""


class CSVImportForm(forms.Form):
    file = forms.FileField(required=False, help_text="A CSV file (comma, semicolon or tab).")
    encoding = forms.ChoiceField(
        choices=[
            (DETECT, "UTF-8 (detected)"),
            *[(k, v) for k, v in ENCODINGS.items() if k != "utf-8"],
        ],  # fmt: skip
        required=False,
        help_text="Only when the file was not saved as UTF-8.",
    )
    delimiter = forms.ChoiceField(
        choices=[(DETECT, "detect"), *[(k, v) for k, v in DELIMITERS.items()]],
        required=False,
    )
    reason = forms.CharField(
        required=False,
        max_length=REASON_MAX_LENGTH,  # what history keeps: longer is a form error, not cut
        help_text="Why these changes (kept in history). Required when the file changes "
        "existing records.",
    )
    csv_text = forms.CharField(required=False, widget=forms.HiddenInput, strip=False)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            try:
                data["csv_text"] = decode(upload.read(), data.get("encoding") or "")
            except CSVFileError as exc:
                raise forms.ValidationError(str(exc)) from None
            data["confirm"] = False
        if not data.get("csv_text"):
            raise forms.ValidationError("Choose a CSV file.")
        return data


class CSVImportMixin:
    """ "Import CSV" (preview, then confirm) and the "Export CSV" action on a change list."""

    import_kind = ""
    actions = ["export_csv"]

    def get_urls(self):
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}_import_csv"
        view = self.admin_site.admin_view(self.import_csv_view)
        return [path("import-csv/", view, name=name), *super().get_urls()]

    @admin.action(description="Export CSV (re-importable)", permissions=["view"])
    def export_csv(self, request, queryset):
        return csv_response(self.import_kind, queryset, self.import_kind)

    def import_csv_view(self, request):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = CSVImportForm(request.POST or None, request.FILES or None)
        result, text = None, ""
        opts = self.model._meta
        if request.method == "POST" and form.is_valid():
            text = form.cleaned_data["csv_text"]
            result = run_import(
                self.import_kind,
                text,
                commit=form.cleaned_data["confirm"],
                request=request,
                reason=form.cleaned_data["reason"],
                delimiter=form.cleaned_data["delimiter"],
            )
            if result.committed:
                self.message_user(
                    request,
                    f"Imported {result.count('create')} new and {result.count('update')} "
                    f"updated {opts.verbose_name_plural}.",
                    messages.SUCCESS,
                )
                return redirect(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            if REASON_REQUIRED in result.file_problems:
                # Not a problem of the file: the preview stands, the reason is asked for.
                result.file_problems.remove(REASON_REQUIRED)
                form.add_error("reason", REASON_REQUIRED)
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": f"Import {opts.verbose_name_plural} from CSV",
            "form": form,
            "result": result,
            "updates": [r for r in result.rows if r.action == "update"] if result else [],
            "others": [r for r in result.rows if r.action in ("create", "unchanged")]
            if result and result.valid
            else [],
            "csv_text": text,
            "kind": self.import_kind,
        }
        return TemplateResponse(request, "admin/csv_import.html", context)
