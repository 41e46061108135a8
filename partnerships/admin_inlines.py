"""Bounded change pages: inline rows capped with a link to the rest, and the labels of the
rows they name (autocomplete selections: missions, sources, roles...) read in one query per
field for the whole inline, not one per row; every fact labelled with its dates.

A partner with 144 contributions took 1,093 queries and seconds to open: each inline row's
autocomplete asked the database for its selected option's label, and each many-to-many
field for its value. Here the inline's rows come with their links prefetched, and a
formset gathers every row's selected ids and reads their labels once.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import (
    AutocompleteSelect,
    AutocompleteSelectMultiple,
    RelatedFieldWidgetWrapper,
)
from django.forms.models import BaseInlineFormSet
from django.urls import reverse

from partnerships import kinds
from partnerships.provenance.labels import dated_label, short_date

INLINE_CAP = 50


def source_label(source) -> str:
    """A source as a curator picks it: publisher, date, tier and key, then the full title."""
    date = short_date(source.published, source.published_precision) or "undated"
    return f"{source.publisher} · {date} · {source.tier} · {source.key}: {source.title}"


def label_for(model):
    """How the admin names a row of ``model`` in selects and autocompletes."""
    if model._meta.label_lower == "partnerships.source":
        return source_label
    kind = kinds.of(model)
    if kind and (kind.label_parent or hasattr(model, "covers_from")) and kind.label_paths:
        return dated_label
    return str


def label_queryset(model, queryset):
    """``queryset`` with what its labels read (a fact's partner and mission...)."""
    kind = kinds.of(model)
    if kind and kind.label_paths and label_for(model) is dated_label:
        paths = [kind.label_parent] if kind.label_parent else []
        return queryset.select_related(*paths, *kind.label_paths)
    return queryset


class LabelledAutocompleteMixin:
    """An autocomplete whose selected options are labelled by :func:`label_for`, from
    ``known`` (id -> label, filled for a whole formset at once) when it holds them."""

    known: dict | None = None

    def __deepcopy__(self, memo):
        copy = super().__deepcopy__(memo)
        copy.known = None
        return copy

    def optgroups(self, name, value, attr=None):
        model = self.field.remote_field.model
        selected = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        known = self.known or {}
        missing = selected - set(known)
        if missing:
            label = label_for(model)
            found = label_queryset(model, model._default_manager.using(self.db))
            known = {**known, **{str(o.pk): label(o) for o in found.filter(pk__in=missing)}}
        default = (None, [], 0)
        if not self.is_required and not self.allow_multiple_selected:
            default[1].append(self.create_option(name, "", "", False, 0))
        for pk in sorted(selected & set(known), key=lambda k: known[k]):
            index = len(default[1])
            default[1].append(self.create_option(name, pk, known[pk], selected, index))
        return [default]


class LabelledAutocompleteSelect(LabelledAutocompleteMixin, AutocompleteSelect):
    pass


class LabelledAutocompleteSelectMultiple(LabelledAutocompleteMixin, AutocompleteSelectMultiple):
    pass


class LabelledAutocompleteAdmin:
    """Autocomplete fields labelled by :func:`label_for` (a ModelAdmin or inline mixin)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = LabelledAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None:
            field.label_from_instance = label_for(db_field.related_model)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = LabelledAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


def _widget(field):
    widget = field.widget
    return widget.widget if isinstance(widget, RelatedFieldWidgetWrapper) else widget


class BoundedInlineFormSet(BaseInlineFormSet):
    """At most ``cap`` existing rows (the rest one link away), and the labels of every
    row's autocomplete selections read once per field."""

    cap = INLINE_CAP

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.preload_labels()

    def get_queryset(self):
        if not hasattr(self, "_bounded"):
            rows = super().get_queryset()
            self.total = rows.count()
            rows = list(rows[: self.cap])
            for row in rows:  # each row's label names its parent: the object of the page
                setattr(row, self.fk.name, self.instance)
            self._queryset = rows
            self._bounded = True
        return self._queryset

    @property
    def capped(self) -> bool:
        return self.total > self.cap

    @property
    def rest_url(self) -> str:
        opts = self.model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        return f"{url}?{self.fk.name}__id__exact={self.instance.pk}"

    def preload_labels(self) -> None:
        forms = self.forms
        if not forms:
            return
        for name, field in forms[0].fields.items():
            if not isinstance(_widget(field), LabelledAutocompleteMixin):
                continue
            ids = set()
            for form in forms:
                value = form[name].value()
                values = value if isinstance(value, list | tuple) else [value]
                ids |= {str(v) for v in values if v not in (None, "")}
            model = _widget(field).field.remote_field.model
            label = label_for(model)
            rows = label_queryset(model, model._default_manager.filter(pk__in=ids))
            known = {str(o.pk): label(o) for o in rows}
            for form in forms:
                _widget(form.fields[name]).known = known


class BoundedInline(LabelledAutocompleteAdmin, admin.TabularInline):
    """A tabular inline whose page cost does not grow with its rows."""

    formset = BoundedInlineFormSet
    template = "admin/edit_inline/bounded_tabular.html"
    # Related rows each inline row shows (its FK labels, its links): loaded with the page.
    inline_select_related: tuple[str, ...] = ()

    def get_queryset(self, request):
        links = [f.name for f in self.model._meta.many_to_many if f.name in (self.fields or ())]
        return (
            super()
            .get_queryset(request)
            .select_related(*self.inline_select_related)
            .prefetch_related(*links)
        )


class LabelledAutocompleteJsonView(AutocompleteJsonView):
    """The admin's autocomplete answers, each row labelled by :func:`label_for`."""

    def get_queryset(self):
        return label_queryset(self.model_admin.model, super().get_queryset())

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        result["text"] = label_for(type(obj))(obj)
        return result


def labelled_autocomplete_view(self, request):
    return LabelledAutocompleteJsonView.as_view(admin_site=self)(request)
