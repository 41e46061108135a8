"""Short labels of frameworks and missions shown side by side (matrix headers, timeline
lanes, CSV columns): each one unambiguous among its neighbours."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable


def short_labels(items: Iterable) -> dict[int, str]:
    """Each item's acronym, or its name when it has none, by primary key. Items sharing one
    (the NATO-Ukraine Commission and the NATO-Ukraine Council are both "NUC") are told
    apart by the year each began ("NUC 1997", "NUC 2023"), and by their full names when the
    year does not separate them either."""
    items = list(items)
    labels = {item.pk: item.acronym or item.name for item in items}
    for tell_apart in (_with_start_year, _full_name):
        repeated = {label for label, n in Counter(labels.values()).items() if n > 1}
        if not repeated:
            break
        labels = {
            item.pk: tell_apart(item) if labels[item.pk] in repeated else labels[item.pk]
            for item in items
        }
    return labels


def _with_start_year(item) -> str:
    if item.start is None:
        return item.name
    return f"{item.acronym or item.name} {item.start.year}"


def _full_name(item) -> str:
    return item.name


def label_columns(columns: Iterable) -> None:
    """Set ``short_label`` on each column of a matrix (frameworks or missions)."""
    columns = list(columns)
    labels = short_labels(columns)
    for column in columns:
        column.short_label = labels[column.pk]
