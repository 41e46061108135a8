"""The filter panel's counts beside each value (see partnerships/views/facets.py)."""

from django import template

register = template.Library()


@register.filter
def facet_count(form_field, value):
    """How many rows ``value`` of this filter would give with the other filters kept;
    None when the field has no counts."""
    counts = getattr(form_field, "facet_counts", None)
    if counts is None:
        return None
    return counts.get(str(value), 0)
