"""Releases from the admin: a curator with the permission previews the changelog since the
last release (each change with who made it and why) and then publishes, with the same
result as ``manage.py release``."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from partnerships.models import Release
from partnerships.provenance.releases import changes_since, make_release

SECTIONS = (("added", "Added"), ("changed", "Changed"), ("removed", "Removed"))


class PublishForm(forms.Form):
    version = forms.RegexField(
        regex=r"^\d+\.\d+(\.\d+)?$",
        max_length=40,
        error_messages={"invalid": "Write a version like 1.0 or 1.2.0."},
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean_version(self):
        version = self.cleaned_data["version"]
        if Release.objects.filter(version=version).exists():
            raise forms.ValidationError(f"Release {version} exists: choose the next number.")
        return version


def preview(until=None) -> dict:
    """The changelog a release made now would carry, with who and why, by section."""
    previous = Release.objects.order_by("-created").first()
    log = changes_since(previous.created if previous else None, until or timezone.now())
    sections = [
        {
            "key": key,
            "title": title,
            "kinds": sorted(log[key].items()),
            "total": sum(len(entries) for entries in log[key].values()),
        }
        for key, title in SECTIONS
    ]
    return {"previous": previous, "sections": sections}


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    list_display = ("version", "release_date", "created_by", "checksum")
    readonly_fields = ("version", "created", "released", "notes", "checksum", "created_by")
    fields = readonly_fields
    change_list_template = "admin/release_change_list.html"

    def has_add_permission(self, request):
        return False  # a release is made by "Preview and publish", never typed in

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def can_publish(self, request) -> bool:
        return request.user.has_perm("partnerships.add_release")

    def changelist_view(self, request, extra_context=None):
        extra = {"can_publish": self.can_publish(request), **(extra_context or {})}
        return super().changelist_view(request, extra)

    def get_urls(self):
        view = self.admin_site.admin_view(self.publish_view)
        return [path("publish/", view, name="partnerships_release_publish"), *super().get_urls()]

    def publish_view(self, request):
        if not self.can_publish(request):
            raise PermissionDenied
        form = PublishForm(request.POST or None)
        if request.method == "POST" and form.is_valid() and form.cleaned_data["confirm"]:
            try:
                release = make_release(
                    form.cleaned_data["version"], form.cleaned_data["notes"], user=request.user
                )
            except ValidationError as exc:
                form.add_error(None, "; ".join(exc.messages))
            else:
                self.message_user(request, f"Published {release}.", messages.SUCCESS)
                return redirect(reverse("admin:partnerships_release_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Preview and publish a release",
            "form": form,
            "previewed": request.method == "POST" and form.is_valid(),
            **preview(),
        }
        return TemplateResponse(request, "admin/release_publish.html", context)
