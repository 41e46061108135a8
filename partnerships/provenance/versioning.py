"""The dataset version an export names: a release, or the changes since the last one."""

import datetime as dt

from django.db import connections, router
from django.utils import timezone
from django.utils.dateparse import parse_datetime


def last_change():
    """The time of the latest change to any curated fact: additions, edits and deletions
    alike leave a history record, so it is the newest record over all history tables, read
    in one query."""
    from partnerships.provenance.releases import curated_models
    from partnerships.serving.stamp import NOT_READ, remembered_last_change

    remembered = remembered_last_change()  # read with this request's data stamp
    if remembered is not NOT_READ:
        return remembered
    models = list(curated_models())
    # Read where the router sends reads (a replica, when there is one): a visitor's read.
    connection = connections[router.db_for_read(models[0].history.model)]
    tables = [connection.ops.quote_name(m.history.model._meta.db_table) for m in models]
    union = " UNION ALL ".join(f"SELECT MAX(history_date) AS m FROM {table}" for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(m) FROM ({union}) AS latest")  # noqa: S608 - table names
        value = cursor.fetchone()[0]
    if isinstance(value, str):  # SQLite returns the text of the timestamp
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


def dataset_version() -> str:
    """ "1.2.0" when nothing changed since release 1.2.0; "unreleased changes since 1.2.0"
    after it; "unreleased (last change <time>)" before any release."""
    from partnerships.models import Release

    release = Release.objects.order_by("-created").first()
    latest = last_change()
    if release is not None:
        if latest is None or latest <= release.created:
            return release.version
        return f"unreleased changes since {release.version}"
    if latest is None:
        return "empty"
    return f"unreleased (last change {latest.strftime('%Y-%m-%dT%H:%M:%SZ')})"
