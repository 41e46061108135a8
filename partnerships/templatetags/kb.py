"""Template helpers of the analysts' pages: compact periods, flags, citations."""

from django import template
from django.templatetags.static import static

from partnerships.dates import Precision, display_date
from partnerships.status import STATUS_LABELS

register = template.Library()


@register.filter
def years(period) -> str:
    """A period in years, compactly: "1994–2017", "1994–" (ongoing), "1994–?" (ended,
    date unknown), "?–2004" (start not recorded)."""
    start = str(period.start.year) if period.start else "?"
    if period.end:
        end = str(period.end.year)
        return start if end == start else f"{start}–{end}"
    return f"{start}–?" if period.end_unknown else f"{start}–"


@register.filter
def flag_url(partner) -> str:
    """The local flag image of a partner (django-countries' static flags)."""
    code = str(partner.country or "").lower()
    if not code:
        return ""
    try:
        return static(f"flags/{code}.gif")
    except ValueError:  # no such flag in the production manifest (a code with no flag)
        return static("flags/__.gif")


@register.inclusion_tag("partials/cite.html")
def cite(refs):
    """Numbered citations ``[1][3]`` linking to the sources' pages."""
    return {"refs": refs or []}


@register.filter
def status_label(status: str) -> str:
    """The words for a partner's status code (ally, partner, suspended, former)."""
    return STATUS_LABELS.get(status, status)


@register.filter
def history_url(obj) -> str:
    """The page listing an object's history of changes, with each change's diff."""
    from django.urls import reverse

    meta = obj._meta
    return reverse("object-history", args=[meta.app_label, meta.model_name, obj.pk])


@register.filter
def asked(as_of) -> str:
    """An "as of" question in words, at its precision: "2010", "March 2010", "1 March 2010"."""
    if not as_of:
        return ""
    text = str(as_of)
    precision = {4: Precision.YEAR, 7: Precision.MONTH}.get(len(text), Precision.DAY)
    return display_date(as_of.first, precision)


@register.inclusion_tag("partials/certainty_mark.html")
def certainty_mark(row):
    """A mark on a row of an as-of answer that is only possible, with why."""
    return {"certainty": getattr(row, "certainty", None)}
