"""CSV out, one writer for the pages and the API: streamed, naming the dataset version and
the query it answers."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from urllib.parse import urlencode

from django.db import models
from django.http import StreamingHttpResponse

from partnerships.provenance.versioning import dataset_version


class _Echo:
    def write(self, value):
        return value


def csv_lines(rows: Iterable[Iterable]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow(["" if v is None else v for v in row])


def streamed_csv(request, filename: str, header: list[str], rows: Iterable[list]):
    """A streamed CSV response naming the dataset version and the query it answers."""
    response = StreamingHttpResponse(_chain(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response["X-Dataset-Version"] = dataset_version()
    response["X-Query"] = urlencode(sorted(request.GET.lists()), doseq=True)
    return response


def _chain(header, rows):
    yield from csv_lines([header])
    yield from csv_lines(rows)


def cell_value(obj, path: str | Callable):
    if callable(path):
        return path(obj)
    value = obj
    for part in path.split("."):
        value = getattr(value, part, None)
        if value is None:
            return ""
        if callable(value) and not isinstance(value, models.Manager):
            value = value()
    return value
