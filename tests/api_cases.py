"""The generic API test case: each resource supplies only its data."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient


@dataclass
class Resource:
    """What the generic tests need to know about one API resource."""

    path: str  # e.g. "partners"
    make: Callable  # () -> a saved object
    key: Callable  # obj -> the lookup value in the URL
    fields: set[str]
    create: Callable | None = None  # () -> a valid payload for a curator's POST
    invalid: Callable | None = None  # () -> (payload, field that the 400 names)
    filters: list[tuple[dict, Callable, Callable]] = field(default_factory=list)
    # (query params, obj -> should match, setup -> extra objects)
    bad_filters: list[tuple[dict, str]] = field(default_factory=list)
    model: type | None = None

    def __str__(self):
        return self.path

    @property
    def list_url(self):
        return f"/api/v1/{self.path}/"

    def detail_url(self, obj):
        return f"/api/v1/{self.path}/{self.key(obj)}/"


def count_queries(client: APIClient, url: str) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:500])
    return len(queries), response


def read_csv(response) -> list[dict]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
