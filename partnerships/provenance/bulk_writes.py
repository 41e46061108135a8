"""Writing many rows, and their history, in a few statements whatever their number.

The bulk CSV import writes up to 20,000 records in one request. Django's ``bulk_update``
builds a ``CASE WHEN`` per row and column (its cost grows with the rows squared), and
simple-history's bulk helpers build a historical object per record and per kept link, in
Python. Here:

- :func:`update_rows` sets the changed columns of many rows in one ``UPDATE ... FROM
  unnest(...)`` on PostgreSQL (``bulk_update`` in batches elsewhere);
- :func:`insert_links` inserts many-to-many links in one ``INSERT ... SELECT unnest(...)`` on
  PostgreSQL (``bulk_create`` elsewhere);
- :func:`record_history` writes the history version of each record by copying its stored
  row (``INSERT INTO <history> SELECT ... FROM <table>``), with the change's date, type,
  reason and user: exactly what simple-history records on a save, the values as stored;
- :func:`record_link_history` copies the kept links (sources, roles...) of the versions
  written at one moment, as a save's version keeps them.

Each is one statement per table on PostgreSQL; elsewhere (SQLite, the tests) one per batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.apps import apps
from django.conf import settings
from django.db import connection

from partnerships.provenance.recording import REASON_MAX_LENGTH

BATCH = 500  # ids or rows per statement where the database has no arrays


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _chunks(items: Sequence, size: int = BATCH) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _array(field) -> str:
    """A placeholder for a list of ``field``'s values, typed (PostgreSQL)."""
    return f"%s::{field.db_type(connection)}[]"


def update_rows(model, objects: list, names: list[str]) -> None:
    """Write the fields ``names`` of ``objects`` (saved records of ``model``)."""
    if not objects or not names:
        return
    if not _postgres():
        model._base_manager.bulk_update(objects, names, batch_size=100)
        return
    meta = model._meta
    fields = [meta.get_field(name) for name in names]
    pk = meta.pk
    columns = [pk, *fields]
    values = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for obj in objects]
        for field in columns
    ]
    aliases = ", ".join(f"c{n}" for n in range(len(columns)))
    sets = ", ".join(f"{_quote(f.column)} = v.c{n}" for n, f in enumerate(columns) if n)
    sql = (
        f"UPDATE {_quote(meta.db_table)} SET {sets} "
        f"FROM unnest({', '.join(_array(f) for f in columns)}) AS v({aliases}) "
        f"WHERE {_quote(meta.db_table)}.{_quote(pk.column)} = v.c0"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)


def insert_links(m2m, pairs: list[tuple[int, int]]) -> None:
    """Insert the links (own id, other id) of the many-to-many field ``m2m``."""
    if not pairs:
        return
    through = m2m.remote_field.through
    own = through._meta.get_field(m2m.m2m_field_name())
    other = through._meta.get_field(m2m.m2m_reverse_field_name())
    if not _postgres():
        through.objects.bulk_create(
            [through(**{own.attname: a, other.attname: b}) for a, b in pairs], batch_size=BATCH
        )
        return
    sql = (
        f"INSERT INTO {_quote(through._meta.db_table)} ({_quote(own.column)}, "
        f"{_quote(other.column)}) SELECT * FROM unnest({_array(own)}, {_array(other)})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [[a for a, _ in pairs], [b for _, b in pairs]])


def history_enabled() -> bool:
    return getattr(settings, "SIMPLE_HISTORY_ENABLED", True)


def record_history(model, ids: list, history_type: str, *, date, user=None, reason=None) -> None:
    """One history version of each record ``ids`` of ``model``, as stored now."""
    if not ids or not history_enabled():
        return
    history = model.history.model
    meta, hmeta = model._meta, history._meta
    tracked = [meta.get_field(f.name) for f in history.tracked_fields]
    extra = {
        "history_date": date,
        "history_change_reason": (reason or "")[:REASON_MAX_LENGTH] or None,
        "history_type": history_type,
        "history_user": getattr(user, "pk", None),
    }
    extra_fields = [hmeta.get_field(name) for name in extra]
    params = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(extra_fields, extra.values(), strict=True)
    ]
    if _postgres():
        placeholders = [f"%s::{field.db_type(connection)}" for field in extra_fields]
    else:
        placeholders = ["%s"] * len(extra_fields)
    target = ", ".join(_quote(f.column) for f in [*tracked, *extra_fields])
    select = ", ".join([*(_quote(f.column) for f in tracked), *placeholders])
    head = (
        f"INSERT INTO {_quote(hmeta.db_table)} ({target}) SELECT {select} "
        f"FROM {_quote(meta.db_table)} WHERE {_quote(meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        if _postgres():
            cursor.execute(f"{head} = ANY({_array(meta.pk)})", [*params, list(ids)])
            return
        for chunk in _chunks(list(ids)):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"{head} IN ({marks})", [*params, *chunk])


def record_link_history(model, date) -> None:
    """The kept links of ``model``'s history versions written at ``date``, copied from
    the links as they are now (one statement per kind of link)."""
    if not history_enabled():
        return
    history = model.history.model
    hmeta = history._meta
    for name in getattr(model, "_history_m2m_fields", []):
        m2m = model._meta.get_field(name)
        through = m2m.remote_field.through
        table = apps.get_model(hmeta.app_label, f"{history.__name__}_{name}")
        own = through._meta.get_field(m2m.m2m_field_name())
        copied = list(through._meta.concrete_fields)
        columns = [table._meta.get_field(f.name).column for f in copied]
        record = table._meta.get_field("history")
        date_field = hmeta.get_field("history_date")
        sql = (
            f"INSERT INTO {_quote(table._meta.db_table)} "
            f"({', '.join(_quote(c) for c in [*columns, record.column])}) "
            f"SELECT {', '.join(f't.{_quote(f.column)}' for f in copied)}, "
            f"h.{_quote(hmeta.pk.column)} "
            f"FROM {_quote(through._meta.db_table)} t JOIN {_quote(hmeta.db_table)} h "
            f"ON h.{_quote(model._meta.pk.column)} = t.{_quote(own.column)} "
            f"WHERE h.{_quote(date_field.column)} = %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [date_field.get_db_prep_save(date, connection)])
