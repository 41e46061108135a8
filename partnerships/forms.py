"""Form fields for dates that carry their precision.

A curator types a date the way the data files write it: "1995", "1995-11" or "1995-11-28".
The form stores the first day of that unit and its precision; there is no separate
precision control to get wrong.
"""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join

from partnerships.dates import format_date, parse_fuzzy_date
from partnerships.provenance.locking import is_stale, version_of
from partnerships.provenance.recording import REASON_MAX_LENGTH
from partnerships.validation import validate_date_range

DATE_HELP = "Write YYYY, YYYY-MM or YYYY-MM-DD: as precisely as the sources allow."


class BoundedDateField(forms.DateField):
    """A plain date field of a form, within the years 1900 to 2100 like every date here."""

    default_validators = [validate_date_range]


class PreciseDateField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"placeholder": "YYYY[-MM[-DD]]", "size": 12})
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        text = super().to_python(value).strip()
        if not text:
            return None
        try:
            return parse_fuzzy_date(text)
        except ValueError as exc:
            raise ValidationError(str(exc), code="invalid") from None

    def has_changed(self, initial, data):
        """Changed when the date or its precision differs, not when the text does: the
        initial "1995-11" and the value (1995-11-01, month) are the same date."""
        try:
            new = self.to_python(data)
        except ValidationError:
            return True
        if isinstance(initial, dt.date):
            initial = initial.isoformat()
        try:
            old = self.to_python(initial or "")
        except ValidationError:
            return True
        return old != new


def precise_date_fields(model) -> list[str]:
    """The model's date fields that have a ``<name>_precision`` sibling."""
    names = {field.name for field in model._meta.get_fields()}
    return [name for name in names if f"{name}_precision" in names]


class PreciseDatesForm(forms.ModelForm):
    """A model form whose dated fields read and show their precision as text."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._precise = [n for n in precise_date_fields(self._meta.model) if n in self.fields]
        for name in self._precise:
            model_field = self._meta.model._meta.get_field(name)
            help_text = " ".join(filter(None, [str(model_field.help_text), DATE_HELP]))
            self.fields[name] = PreciseDateField(
                required=not model_field.blank,
                label=str(model_field.verbose_name).capitalize(),
                help_text=help_text,
            )
            self.fields.pop(f"{name}_precision", None)
            if self.instance.pk and getattr(self.instance, name):
                self.initial[name] = format_date(
                    getattr(self.instance, name), getattr(self.instance, f"{name}_precision")
                )

    def _post_clean(self):
        for name in self._precise:
            if name in self.cleaned_data:
                date, precision = self.cleaned_data[name] or (None, "")
                self.cleaned_data[name] = date
                setattr(self.instance, f"{name}_precision", precision)
        super()._post_clean()


def _shown(value) -> str:
    """A value of a form field or a model field as a curator reads it."""
    if value is None or value == "" or value == [] or value == ():
        return "—"
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], dt.date):
        return format_date(*value)
    if hasattr(value, "all") and callable(value.all):  # a queryset or a related manager
        value = list(value.all())
    if isinstance(value, list | tuple | set):
        return "; ".join(sorted(str(v) for v in value)) or "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


class CuratedForm(PreciseDatesForm):
    """The admin's form of a curated record.

    - ``change_reason``: why; required when a published (existing) record changes, kept
      in its history.
    - ``seen_version``: the record's version when the form was opened; a save is refused,
      with the stored values beside the curator's, when the record changed since.
    """

    CHANGE_FIELDS = ("change_reason", "seen_version")

    change_reason = forms.CharField(
        label="Reason for the change",
        required=False,
        max_length=REASON_MAX_LENGTH,
        help_text="Required when you change or delete a published fact; optional for a new "
        "one. Kept in its history (e.g. “Corrected the start per the 2010 placemat”).",
    )
    seen_version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["seen_version"] = version_of(self.instance)

    @cached_property
    def changed_data(self):
        """The record's fields that changed (not the reason or the version)."""
        return [
            name
            for name, bound in self._bound_items()
            if name not in self.CHANGE_FIELDS and bound._has_changed()
        ]

    def clean(self):
        data = super().clean()
        if self.instance.pk and self.changed_data:
            self._refuse_stale_write(data)
            if not (data.get("change_reason") or "").strip():
                self.add_error(
                    "change_reason",
                    "Say why you change this published fact: the reason is kept in its history.",
                )
        return data

    def _refuse_stale_write(self, data) -> None:
        seen = self.data.get(self.add_prefix("seen_version"))
        if not is_stale(self.instance, seen):
            return
        # The form was built from the record as stored now: what differs from it is
        # exactly where the curator's values and the stored ones disagree.
        rows = []
        for name in self.changed_data:
            field = self.fields[name]
            stored = self.instance
            if name in getattr(self, "_precise", ()):
                stored_value = (
                    (getattr(stored, name), getattr(stored, f"{name}_precision"))
                    if getattr(stored, name)
                    else None
                )
            else:
                stored_value = getattr(stored, name, None)
            rows.append((field.label or name, _shown(data.get(name)), _shown(stored_value)))
        last = stored.history.order_by("-history_date", "-history_id").first()
        who = ""
        if last is not None:
            who = format_html(
                " It was saved at {} UTC{}{}.",
                f"{last.history_date:%Y-%m-%d %H:%M:%S}",
                format_html(" by {}", last.history_user) if last.history_user else "",
                format_html(" (reason: {})", last.history_change_reason)
                if last.history_change_reason
                else "",
            )
        table = format_html_join(
            "",
            "<li><strong>{}</strong>: yours “{}”; stored now “{}”</li>",
            rows,
        )
        # The next save is made knowing the stored values: it may overwrite them.
        self.data = self.data.copy()
        self.data[self.add_prefix("seen_version")] = version_of(self.instance)
        raise ValidationError(
            format_html(
                "This record was changed by someone else since you opened it (your version "
                "{}, stored {}).{} Nothing was saved. Compare, then save again to keep your "
                "values:<ul>{}</ul>",
                seen,
                version_of(self.instance),
                who,
                table,
            ),
            code="stale",
        )
