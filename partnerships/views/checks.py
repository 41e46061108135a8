"""Curators' checks: disagreeing figures (reconciliation) and data quality."""

from __future__ import annotations

from django import forms
from django.contrib.admin.views.decorators import staff_member_required
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import render

from missions.models import Mission
from partnerships.models import Partner
from partnerships.provenance.labels import admin_change_url, fact_label, label_paths
from partnerships.provenance.quality import Disagreements, lowest_tier_share, quality_checks
from partnerships.views.common import paginate


class ReconcileForm(forms.Form):
    partner = forms.ModelChoiceField(
        queryset=Partner.objects.only("iso3", "name").order_by("name"),
        to_field_name="iso3",
        required=False,
        empty_label="Any partner",
        label="Partner",
    )
    mission = forms.ModelChoiceField(
        queryset=None,
        to_field_name="slug",
        required=False,
        empty_label="Any mission",
        label="Mission",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        mission = Mission
        self.fields["mission"].queryset = mission.objects.only("slug", "name", "acronym").order_by(
            "name"
        )


def reconcile(request):
    data = request.GET.copy()
    if data.get("partner"):
        data["partner"] = data["partner"].upper()
    form = ReconcileForm(data or None)
    valid = form.is_valid() if form.is_bound else True
    page = None
    if valid:
        chosen = form.cleaned_data if form.is_bound else {}
        # Counted, ordered and paged in the database: only the page's figures are read.
        found = Disagreements(partner=chosen.get("partner"), mission=chosen.get("mission"))
        page = paginate(request, found)
    return render(
        request, "partnerships/reconcile.html", {"form": form, "valid": valid, "page": page}
    )


@staff_member_required
def quality(request):
    """Curators' checks: counts of every check, and one check's items page by page, each
    linking to its admin change page. Staff only: it links into the admin."""
    checks = quality_checks()
    chosen = request.GET.get("check") or next(iter(checks))
    if chosen not in checks:
        raise Http404("No such check.")
    summary = [
        {"key": key, "title": check["title"], "count": check["queryset"].count()}
        for key, check in checks.items()
    ]
    page = paginate(request, checks[chosen]["queryset"], per_page=50)
    shown = list(page)
    if shown:  # the rows each label names, one query per related kind
        prefetch_related_objects(shown, *label_paths(shown[0]))
    reasons = checks[chosen].get("reasons", {})
    items = [
        {
            "label": fact_label(obj),
            "admin_url": admin_change_url(obj),
            "obj": obj,
            "reason": reasons.get(obj.pk, ""),
        }
        for obj in shown
    ]
    return render(
        request,
        "partnerships/quality.html",
        {
            "summary": summary,
            "chosen": chosen,
            "title": checks[chosen]["title"],
            "page": page,
            "items": items,
            "share": lowest_tier_share(),
        },
    )
