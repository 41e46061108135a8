"""Recent changes across the curated facts, and one object's versions with what changed."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import (
    Q,
    prefetch_related_objects,
)
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from partnerships.forms import BoundedDateField
from partnerships.models import Partner
from partnerships.provenance.diffs import CHANGE_WORDS, VersionDiff
from partnerships.provenance.labels import (
    fact_label,
    history_models,
    label_paths,
    label_records,
    object_page_url,
)
from partnerships.templatetags import kb as kb_tags

HISTORY_PAGE_SIZE = 50


class HistoryForm(forms.Form):
    """Filters of the recent changes, all in the query string."""

    model = forms.ChoiceField(required=False, label="Kind of fact")
    user = forms.CharField(
        required=False, label="Changed by", max_length=150, help_text="A user name."
    )
    since = BoundedDateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = BoundedDateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )
    before = forms.CharField(required=False, widget=forms.HiddenInput)

    # The same answer whether or not the account exists: no one learns who curates.
    NAMES_ARE_FOR_STAFF = (
        "Only curators (staff) can filter by who made a change: the public history names no one."
    )

    def __init__(self, *args, staff: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = staff
        if not staff:
            self.fields["user"].help_text = "For curators (staff) only."
        self.fields["model"].choices = [("", "Every kind")] + [
            (key, str(m._meta.verbose_name_plural).capitalize())
            for key, m in history_models().items()
        ]

    def clean_user(self):
        name = self.cleaned_data["user"].strip()
        if not name:
            return None
        if not self.staff:
            raise forms.ValidationError(self.NAMES_ARE_FOR_STAFF)
        user = get_user_model().objects.filter(username=name).first()
        if user is None:
            raise forms.ValidationError(f"No user is called “{name}”.")
        return user

    def clean_before(self):
        """The cursor of an older page: ``<ISO datetime>~<kind>~<history id>``."""
        text = self.cleaned_data["before"]
        if not text:
            return None
        parts = text.replace(" ", "+").split("~")  # an unencoded "+" arrives as a space
        moment = parse_datetime(parts[0]) if len(parts) == 3 else None
        if moment is None or parts[1] not in history_models() or not parts[2].isdigit():
            raise forms.ValidationError("This page link is damaged; start from the newest.")
        return moment, parts[1], int(parts[2])

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end is before the start.")
        return data


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def recent_changes(data: dict, size: int = HISTORY_PAGE_SIZE) -> tuple[list[dict], bool]:
    """The newest changes across the curated models, ``size`` of them, older than the
    cursor in ``data``: one query per kind (its history table, ordered and limited by its
    date index), merged here. Rows are ordered by (date, kind, history id), newest first."""
    kinds = history_models()
    order = {key: i for i, key in enumerate(kinds)}
    cursor = data.get("before")
    chosen = [data["model"]] if data.get("model") else list(kinds)
    rows = []
    for key in chosen:
        history = kinds[key].history.model
        records = history.objects.all()
        if data.get("user"):
            records = records.filter(history_user=data["user"])
        if data.get("since"):
            records = records.filter(history_date__gte=_day_start(data["since"]))
        if data.get("until"):
            records = records.filter(
                history_date__lt=_day_start(data["until"] + dt.timedelta(days=1))
            )
        if cursor:
            moment, cursor_kind, cursor_id = cursor
            if order[key] < order[cursor_kind]:
                records = records.filter(history_date__lte=moment)
            elif order[key] > order[cursor_kind]:
                records = records.filter(history_date__lt=moment)
            else:
                records = records.filter(
                    Q(history_date__lt=moment) | Q(history_date=moment, history_id__lt=cursor_id)
                )
        for row in records.order_by("-history_date", "-history_id").values(
            "history_id",
            "id",
            "history_date",
            "history_type",
            "history_change_reason",
            "history_user__username",
        )[: size + 1]:
            rows.append({**row, "kind": key})
    rows.sort(key=lambda r: (r["history_date"], order[r["kind"]], r["history_id"]), reverse=True)
    return rows[:size], len(rows) > size


def shown_user(request, username: str | None) -> str:
    """Who made a change, as this viewer may see it: the user name for staff, "a curator"
    for everyone else (the public history does not name curators)."""
    if not username:
        return ""
    return username if request.user.is_staff else "a curator"


def history_list(request):
    form = HistoryForm(request.GET or None, staff=request.user.is_staff)
    valid = form.is_valid() if form.is_bound else True
    rows, more, next_cursor = [], False, ""
    if valid:
        rows, more = recent_changes(form.cleaned_data if form.is_bound else {})
        kinds = history_models()
        by_kind: dict = {}
        for row in rows:
            by_kind.setdefault(row["kind"], []).append(row)
        # Per kind shown: its records (labels from their own state) and which still exist.
        for key, kind_rows in by_kind.items():
            model = kinds[key]
            records = model.history.model.objects.filter(
                history_id__in=[r["history_id"] for r in kind_rows]
            )
            instances = {i.history_id: i for i in label_records(model, records)}
            alive = set(
                model.objects.filter(pk__in=[r["id"] for r in kind_rows]).values_list(
                    "pk", flat=True
                )
            )
            for row in kind_rows:
                instance = instances[row["history_id"]]
                row["label"] = instance.label
                row["kind_label"] = str(model._meta.verbose_name).capitalize()
                row["history_url"] = kb_tags.history_url(instance)
                row["url"] = object_page_url(instance) if row["id"] in alive else row["history_url"]
                row["exists"] = row["id"] in alive
                row["word"] = CHANGE_WORDS.get(row["history_type"], "")
                row["who"] = shown_user(request, row.pop("history_user__username"))
        if more and rows:
            last = rows[-1]
            next_cursor = f"{last['history_date'].isoformat()}~{last['kind']}~{last['history_id']}"
    return render(
        request,
        "partnerships/history_list.html",
        {
            "form": form,
            "valid": valid,
            "rows": rows,
            "more": more,
            "next_cursor": next_cursor,
            "paged": bool(request.GET.get("before")),
        },
        status=200 if valid else 400,
    )


def object_history(request, app_label: str, model_name: str, pk: int):
    """Every version of one object, newest first, each with what changed since the one
    before (:class:`partnerships.provenance.diffs.VersionDiff`): queries constant in the
    number of versions."""
    model = history_models().get(f"{app_label}.{model_name}")
    if model is None:
        raise Http404("No history is kept for this kind.")
    history = model.history.model
    versions = (
        history.objects.filter(id=pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )
    paginator = Paginator(versions, HISTORY_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    if not paginator.count:
        raise Http404("No history of this object.")
    start = page.start_index() - 1
    # One more than shown: the version before the oldest one shown, to diff against.
    records = list(versions[start : start + HISTORY_PAGE_SIZE + 1])
    versions_shown = VersionDiff(model, records, HISTORY_PAGE_SIZE).versions()
    for version in versions_shown:
        user = version["record"].history_user
        version["who"] = shown_user(request, user.get_username() if user else "")

    latest = label_records(model, [records[0]])[0] if page.number == 1 else None
    current = model.objects.filter(pk=pk).first()
    if current is not None:
        prefetch_related_objects([current], *label_paths(model))
    subject = current or latest or label_records(model, [records[0]])[0]
    return render(
        request,
        "partnerships/object_history.html",
        {
            "model": model,
            "kind": str(model._meta.verbose_name),
            "label": fact_label(subject),
            "current": current,
            "page_url": object_page_url(current) if current is not None else "",
            "is_partner": model is Partner,
            "iso3": getattr(subject, "iso3", ""),
            "page": page,
            "versions": versions_shown,
            "admin_url": reverse(
                f"admin:{model._meta.app_label}_{model._meta.model_name}_history", args=[pk]
            )
            if current is not None
            else "",
        },
    )
