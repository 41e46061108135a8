"""The data stamp: when the published data last changed, read in one query.

Every curator write leaves a history record (additions, edits and deletions alike) and a
release is a row of its own, so the newest of those times names the state of everything a
reader can see. Responses are validated (ETag, Last-Modified) and cached against it: a
write changes the stamp, and every cached answer is stale at once, without bookkeeping.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools

from django.db import connections, router
from django.utils import timezone
from django.utils.dateparse import parse_datetime

# The stamp query's column name: how a query log tells it apart.
STAMP_MARK = "data_stamp"


@functools.cache
def _stamp_sql(alias: str) -> str:
    from partnerships.models import Release
    from partnerships.provenance.releases import curated_models

    quote = connections[alias].ops.quote_name
    parts = [
        f"SELECT MAX(history_date) AS m FROM {quote(m.history.model._meta.db_table)}"
        for m in curated_models()
    ]
    history = f"SELECT MAX(m) FROM ({' UNION ALL '.join(parts)}) AS latest"
    release = f"SELECT MAX(created) FROM {quote(Release._meta.db_table)}"
    return f"SELECT ({history}) AS {STAMP_MARK}, ({release})"  # noqa: S608 - table names


def _aware(value) -> dt.datetime | None:
    if isinstance(value, str):  # SQLite returns the text of the timestamp
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


# The last change read for the stamp, kept for the rest of the request: the dataset
# version that pages and exports print asks the same question (versioning.last_change).
_last_change: contextvars.ContextVar = contextvars.ContextVar("last_change")


def data_stamp() -> dt.datetime | None:
    """The time of the latest change to any curated fact or release (None: no data).

    Read from the database the reads go to (a replica, when one serves them): a stamp
    newer than the rows read would label old rows as new. The time of the last change to a
    fact is remembered for the request (:func:`remembered_last_change`).
    """
    from partnerships.models import Release

    alias = router.db_for_read(Release) or "default"
    with connections[alias].cursor() as cursor:
        cursor.execute(_stamp_sql(alias))
        history, release = (_aware(v) for v in cursor.fetchone())
    _last_change.set(history)
    return max((v for v in (history, release) if v is not None), default=None)


@contextlib.contextmanager
def request_scope():
    """What :func:`data_stamp` remembers lasts until the end of the request."""
    token = _last_change.set(NOT_READ)
    try:
        yield
    finally:
        _last_change.reset(token)


NOT_READ = object()


def remembered_last_change():
    """The last change to a fact as read for this request's stamp, or NOT_READ."""
    return _last_change.get(NOT_READ)
