"""How a curator's change goes through the admin: with a reason, one version per record,
no version when nothing changed, refused when the record changed meanwhile, errors of
inline rows summarised at the top, deletions confirmed with a reason and undoable.

:class:`ChangeAdminMixin` gives every curated model's admin these; :func:`inline_formset`
gives the inline rows theirs (a reason when a published row changes or goes).
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst

from partnerships.admin_inlines import BoundedInlineFormSet
from partnerships.forms import CuratedForm
from partnerships.provenance.recording import REASON_MAX_LENGTH, recording
from partnerships.provenance.restore import NotRestorable, deleted_record, restore

REASON_FIELD = "change_reason"
REASON_NEEDED = "Say why (kept in history): a reason is required to delete published facts."
DELETED_AT = "deleted_at"  # the undo form's field: the moment of the deletions it undoes


def posted_reason(request) -> str:
    return (request.POST.get(REASON_FIELD) or "").strip()[:REASON_MAX_LENGTH]


def undo_reason(reason: str) -> str:
    return f"undo: {reason}"[:REASON_MAX_LENGTH]


def undo_form(request, url: str, reason: str, label: str, fields: dict | None = None) -> str:
    """The "Undo" button of a deletion's message: a POST to a restore view, with the CSRF
    token and the reason "undo: <the deletion's reason>"."""
    hidden = format_html_join(
        "", '<input type="hidden" name="{}" value="{}">', (fields or {}).items()
    )
    return format_html(
        '<form method="post" action="{}" class="undo-form">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<input type="hidden" name="{}" value="{}">{}'
        'Deleted by mistake? <button type="submit">Undo: {}</button></form>',
        url,
        get_token(request),
        REASON_FIELD,
        undo_reason(reason),
        hidden,
        label,
    )


class CuratedInlineFormSet(BoundedInlineFormSet):
    """Inline rows of a published record (capped, their labels loaded in a fixed number of
    queries): changing or deleting an existing row needs the page's reason, as the
    record's own fields do."""

    def clean(self):
        super().clean()
        if self.instance is None or self.instance.pk is None:
            return
        touched = [
            form
            for form in self.initial_forms
            if form.instance.pk and (form.has_changed() or form in self.deleted_forms)
        ]
        if touched and not (self.data.get(REASON_FIELD) or "").strip():
            raise forms.ValidationError(
                "Say why you change or delete these published rows: give the reason for "
                "the change at the bottom of the page."
            )


class ChangeAdminMixin:
    """Change reason, one version per change, optimistic locking, inline error summary,
    delete with reason and undo. For a SimpleHistoryAdmin over a TimeStampedModel."""

    form = CuratedForm
    delete_confirmation_template = "admin/curated_delete_confirmation.html"
    delete_selected_confirmation_template = "admin/curated_delete_selected_confirmation.html"

    # -- the change form ---------------------------------------------------------------
    def get_fieldsets(self, request, obj=None):
        own = set(CuratedForm.CHANGE_FIELDS)
        fieldsets = [
            (name, {**options, "fields": [f for f in options["fields"] if f not in own]})
            for name, options in super().get_fieldsets(request, obj)
        ]
        return [*fieldsets, ("The change", {"fields": list(CuratedForm.CHANGE_FIELDS)})]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST":
            return super().changeform_view(request, object_id, form_url, extra_context)
        # The record, its links and its inline rows: one version each, with the reason.
        with recording(reason=posted_reason(request), user=request.user):
            return super().changeform_view(request, object_id, form_url, extra_context)

    def log_change(self, request, obj, message):
        if not message:  # nothing changed: no log entry (and no version was written)
            self.message_user(
                request, f"Nothing changed in {obj}: nothing was saved.", messages.INFO
            )
            return None
        return super().log_change(request, obj, message)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if request.method == "POST":
            self._summarise_inline_errors(request, context)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _summarise_inline_errors(self, request, context) -> None:
        lines = []
        for inline in context.get("inline_admin_formsets", []):
            formset = inline.formset
            kind = capfirst(formset.model._meta.verbose_name_plural)
            lines += [(kind, "", error) for error in formset.non_form_errors()]
            for number, form in enumerate(formset.forms, start=1):
                if not form.errors:
                    continue
                row = _row_label(form.instance) if form.instance.pk else f"new row {number}"
                for name, errors in form.errors.items():
                    field = form.fields.get(name)
                    label = f"{field.label}: " if field is not None and field.label else ""
                    lines += [(kind, row, f"{label}{error}") for error in errors]
        if lines:
            self.message_user(
                request,
                format_html(
                    "Nothing was saved: {} inline row error(s) to correct below.<ul>{}</ul>",
                    len(lines),
                    format_html_join(
                        "",
                        "<li>{} {}: {}</li>",
                        [(k, f"({r})" if r else "", e) for k, r, e in lines],
                    ),
                ),
                messages.ERROR,
            )

    # -- deleting ------------------------------------------------------------------------
    def delete_view(self, request, object_id, extra_context=None):
        extra_context = {**(extra_context or {}), "change_reason": posted_reason(request)}
        if request.method != "POST" or not request.POST.get("post"):
            return super().delete_view(request, object_id, extra_context)
        reason = posted_reason(request)
        if not reason:
            # Back to the confirmation, which says why (an empty POST is not a confirmation).
            request.POST = QueryDict()
            extra_context["reason_error"] = REASON_NEEDED
            return super().delete_view(request, object_id, extra_context)
        request._deletion_reason = reason
        with recording(reason=reason, user=request.user):
            return super().delete_view(request, object_id, extra_context)

    def response_delete(self, request, obj_display, obj_id):
        response = super().response_delete(request, obj_display, obj_id)
        opts = self.model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}_restore"
        url = reverse(name, args=[unquote(str(obj_id))])
        reason = getattr(request, "_deletion_reason", "")
        label = f"restore {obj_display} and what was deleted with it"
        self.message_user(request, undo_form(request, url, reason, label), messages.INFO)
        return response

    # -- undoing a bulk deletion -----------------------------------------------------------
    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "deleted/undo/",
                self.admin_site.admin_view(self.undo_deletion_view),
                name=f"{opts.app_label}_{opts.model_name}_undo_deletion",
            ),
            *super().get_urls(),
        ]

    def undo_deletion_view(self, request):
        """Restore every object of this model deleted in one change (a "delete selected"),
        each with what was deleted with it; POST with CSRF and the add permission, like a
        single restore. An object restored meanwhile, or deleted again since, is skipped
        and named."""
        if request.method != "POST" or not self.has_add_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        changelist = f"admin:{opts.app_label}_{opts.model_name}_changelist"
        moment = _moment(request.POST.get(DELETED_AT, ""))
        if moment is None:
            self.message_user(request, "Nothing to undo: no deletion named.", messages.ERROR)
            return redirect(changelist)
        reason = posted_reason(request) or "undo of a deletion"
        ids = list(
            dict.fromkeys(
                self.model.history.model.objects.filter(history_type="-", history_date=moment)
                .order_by("history_id")
                .values_list("id", flat=True)
            )
        )
        back, children, skipped, failed = [], 0, [], []
        for object_id in ids:
            if object_id in {obj.pk for obj in back}:
                continue  # came back with another one (a framework under its parent)
            record = deleted_record(self.model, object_id)
            if record is None or record.history_date != moment:
                why = "already back" if record is None else "deleted again since"
                skipped.append(f"#{object_id} ({why})")
                continue
            try:
                with transaction.atomic():
                    restored = restore(self.model, object_id, reason, request.user)
            except NotRestorable:
                skipped.append(f"#{object_id} (already back)")
                continue
            except (ValidationError, IntegrityError) as exc:
                failed.append(f"#{object_id}: {'; '.join(getattr(exc, 'messages', [str(exc)]))}")
                continue
            own = [obj for obj in restored if isinstance(obj, self.model)]
            back += own
            children += len(restored) - len(own)
        if back:
            with_them = f", with {children} row(s) deleted with them" if children else ""
            self.message_user(
                request,
                f"Restored {len(back)} {opts.verbose_name_plural}{with_them}.",
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                f"Skipped {len(skipped)}: {', '.join(skipped)}.",
                messages.WARNING,
            )
        if failed:
            self.message_user(request, f"Could not restore: {'; '.join(failed)}", messages.ERROR)
        if not (back or skipped or failed):
            self.message_user(request, "Nothing to undo.", messages.INFO)
        return redirect(changelist)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _, name, description = actions["delete_selected"]
            actions["delete_selected"] = (delete_selected_with_reason, name, description)
        return actions


def delete_selected_with_reason(modeladmin, request, queryset):
    """Django's "delete selected" with a required reason, kept in every deletion's history
    record (and in those of what the deletions cascade to), then an undo, as after a
    single deletion: one button restoring everything this change deleted."""
    reason = posted_reason(request)
    error = ""
    if request.POST.get("post") and not reason:
        post = request.POST.copy()
        del post["post"]
        request.POST = post
        error = REASON_NEEDED
    confirmed = bool(request.POST.get("post"))
    ids = list(queryset.values_list("pk", flat=True)) if confirmed else []
    with recording(reason=reason, user=request.user) as change:
        response = delete_selected(modeladmin, request, queryset)
    if response is not None and hasattr(response, "context_data"):
        response.context_data.update({"reason_error": error, "change_reason": reason})
    model = modeladmin.model
    if response is None and ids and not model._base_manager.filter(pk__in=ids).exists():
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_undo_deletion")
        names = opts.verbose_name if len(ids) == 1 else opts.verbose_name_plural
        label = f"restore these {len(ids)} {names} and what was deleted with them"
        fields = {DELETED_AT: change.moment.isoformat()}
        modeladmin.message_user(
            request, undo_form(request, url, reason, label, fields), messages.INFO
        )
    return response


def _moment(text: str) -> dt.datetime | None:
    try:
        moment = parse_datetime(text.strip())
    except ValueError:
        return None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment, dt.UTC)
    return moment


def _row_label(instance) -> str:
    period = getattr(instance, "period_display", "")
    return f"{instance}, {period}" if period else str(instance)
