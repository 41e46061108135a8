"""The review queue in the admin: what needs a curator across every kind of fact, each
item markable reviewed or dismissed with a note (kept with its history)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from simple_history.admin import SimpleHistoryAdmin

from partnerships import kinds
from partnerships.provenance import review_queue
from partnerships.review import ReviewMark


class MarkForm(forms.Form):
    kind = forms.ChoiceField(choices=[(k.key, k.title) for k in kinds.KINDS])
    object_id = forms.IntegerField(min_value=1)
    finding = forms.CharField(max_length=80)
    version = forms.CharField(max_length=40)
    state = forms.ChoiceField(choices=ReviewMark.State.choices)
    note = forms.CharField(required=False, max_length=2000)

    def clean_finding(self):
        finding = self.cleaned_data["finding"]
        if finding not in review_queue.codes():
            raise forms.ValidationError(f"No check {finding!r}.")
        return finding

    def clean(self):
        data = super().clean()
        model = kinds.model(data["kind"]) if data.get("kind") else None
        object_id = data.get("object_id")
        if model is not None and object_id and not model.objects.filter(pk=object_id).exists():
            raise forms.ValidationError("That fact no longer exists.")
        if data.get("state") == ReviewMark.State.DISMISSED and not data.get("note", "").strip():
            self.add_error("note", "Say why it is not a problem.")
        return data


@admin.register(ReviewMark)
class ReviewMarkAdmin(SimpleHistoryAdmin):
    list_display = ("time", "finding", "kind", "object_id", "state", "user", "note")
    list_filter = ("state", "finding", "kind")
    list_select_related = ("user",)
    search_fields = ("note", "finding")
    readonly_fields = ("kind", "object_id", "finding", "fact_version", "user", "time")
    change_list_template = "admin/review_mark_change_list.html"

    def has_add_permission(self, request):
        return False  # marks are made from the queue, against a finding

    def get_urls(self):
        view = self.admin_site.admin_view(self.queue_view)
        return [path("queue/", view, name="partnerships_reviewmark_queue"), *super().get_urls()]

    def queue_view(self, request):
        if not request.user.has_perm("partnerships.add_reviewmark"):
            raise PermissionDenied
        form = MarkForm(request.POST or None)
        if request.method == "POST":
            if form.is_valid():
                data = form.cleaned_data
                mark = ReviewMark(
                    kind=data["kind"],
                    object_id=data["object_id"],
                    finding=data["finding"],
                    state=data["state"],
                    note=data["note"],
                    fact_version=data["version"],
                    user=request.user,
                )
                mark._history_user = request.user
                mark.save()
                self.message_user(request, f"Marked {mark.state}.", messages.SUCCESS)
                return redirect(reverse("admin:partnerships_reviewmark_queue"))
            self.message_user(
                request,
                "Not marked: " + "; ".join(m for e in form.errors.values() for m in e),
                messages.ERROR,
            )
        findings = review_queue.queue()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Review queue",
            "findings": findings,
            "total": sum(len(f.items) for f in findings),
            "states": ReviewMark.State.choices,
        }
        return TemplateResponse(request, "admin/review_queue.html", context)
