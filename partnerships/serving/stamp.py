"""The data stamp: when the published data last changed, read in one query.

Every curator write leaves a history record (additions, edits and deletions alike) and a
release is a row of its own, so the newest of those times names the state of everything a
reader can see. Responses are validated (ETag, Last-Modified) and cached against it: a
write changes the stamp, and every cached answer is stale at once, without bookkeeping.
"""

from __future__ import annotations

import datetime as dt
import functools

from django.db import connections, router
from django.utils import timezone
from django.utils.dateparse import parse_datetime


@functools.cache
def _stamp_sql(alias: str) -> str:
    from partnerships.models import Release
    from partnerships.provenance.releases import curated_models

    quote = connections[alias].ops.quote_name
    parts = [
        f"SELECT MAX(history_date) AS m FROM {quote(m.history.model._meta.db_table)}"
        for m in curated_models()
    ]
    parts.append(f"SELECT MAX(created) AS m FROM {quote(Release._meta.db_table)}")
    return f"SELECT MAX(m) FROM ({' UNION ALL '.join(parts)}) AS latest"  # noqa: S608


def data_stamp() -> dt.datetime | None:
    """The time of the latest change to any curated fact or release (None: no data).

    Read from the database the reads go to (a replica, when one serves them): a stamp
    newer than the rows read would label old rows as new.
    """
    from partnerships.models import Release

    alias = router.db_for_read(Release) or "default"
    with connections[alias].cursor() as cursor:
        cursor.execute(_stamp_sql(alias))
        value = cursor.fetchone()[0]
    if isinstance(value, str):  # SQLite returns the text of the timestamp
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value
