"""Form fields for dates that carry their precision.

A curator types a date the way the data files write it: "1995", "1995-11" or "1995-11-28".
The form stores the first day of that unit and its precision; there is no separate
precision control to get wrong.
"""

from django import forms
from django.core.exceptions import ValidationError

from partnerships.dates import format_date, parse_fuzzy_date
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
