"""On SQLite, the search's own index: one FTS5 table with the trigram tokenizer.

Each searched row (every kind of :func:`partnerships.search.kinds.kinds`) is one row of
``search_index``; its rowid packs the kind and the row's primary key, so a row is replaced
or removed by rowid. The text is folded (lower case, no accents: SQLite's trigram tokenizer
folds accents only from 3.45) and split by weight as PostgreSQL weighs it:

``keys``  the codes, acronyms and names matched exactly, each between two ``SEP``
``a``     names, acronyms, codes, titles (one per line)
``b``     the names of related rows (a milestone's partner, a contribution's mission)
``tags``  the cooperation areas it is tagged with and its region's label
``cd``    descriptions, mandates, profiles
``title`` the row's main name as written (not searched: "Did you mean" shows it)

The index is derived data, kept in step with the tables:

* signals replace a row's entry when it is saved, tagged or deleted, and the entries of the
  rows that show a related row's name when that row is saved (a partner renamed);
* :func:`deferred` suspends that during a bulk load and rebuilds once at its end (the
  knowledge loader uses it);
* after every ``migrate`` (and every ``flush``, which tests use) the table is created if
  missing and rebuilt: a changed declaration of what is searched takes effect there, and
  ``manage.py migrate`` is the repair for an index out of step.

With SQLite older than 3.34 (no trigram tokenizer) or without FTS5 the table is not created
and the search falls back to plain matching (:mod:`partnerships.search.sqlite`).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import zlib
from collections.abc import Iterable
from contextlib import contextmanager

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

from partnerships.search.query import SearchKind
from partnerships.search.text import fold

log = logging.getLogger(__name__)

TABLE = "search_index"
MIN_SQLITE = (3, 34, 0)  # the trigram tokenizer
SEP = "\x1f"
KIND_SHIFT = 40  # rowid = kind id << 40 | primary key
CHUNK = 1000

COLUMNS = ("keys", "a", "b", "tags", "cd", "title")
INSERT = f"INSERT INTO {TABLE} (rowid, {', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * 7)})"
CREATE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5("
    "keys, a, b, tags, cd, title UNINDEXED, tokenize = 'trigram')"
)


def supported(using: str = DEFAULT_DB_ALIAS) -> bool:
    """SQLite with the trigram tokenizer: the FTS5 index is used."""
    return connections[using].vendor == "sqlite" and sqlite3.sqlite_version_info >= MIN_SQLITE


def kind_id(kind: SearchKind) -> int:
    """A stable small number per kind (from its name), the high bits of its rowids."""
    return zlib.crc32(kind.name.encode()) & 0x7FFF


def rowid(kind: SearchKind, pk: int) -> int:
    return kind_id(kind) << KIND_SHIFT | pk


def rowid_range(kind: SearchKind) -> tuple[int, int]:
    return rowid(kind, 0), rowid(kind, (1 << KIND_SHIFT) - 1)


def split_rowid(value: int) -> tuple[int, int]:
    return value >> KIND_SHIFT, value & ((1 << KIND_SHIFT) - 1)


# -- documents ----------------------------------------------------------------------------------


def _text(value) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value if v]
    return [str(value)]


def _tag_names(kind: SearchKind, pks: list[int]) -> dict[int, list[str]]:
    """The cooperation areas of these rows, by row (one query)."""
    if not kind.tags or not pks:
        return {}
    relation = kind.model._meta.get_field(kind.tags)
    through = relation.remote_field.through
    own, area = relation.m2m_field_name(), relation.m2m_reverse_field_name()
    found: dict[int, list[str]] = {}
    rows = through.objects.filter(**{f"{own}__in": pks}).values_list(own, f"{area}__name")
    for pk, name in rows:
        found.setdefault(pk, []).append(name)
    return found


def documents(kind: SearchKind, queryset: models.QuerySet) -> Iterable[tuple]:
    """The index rows of these rows of a kind: ``(rowid, keys, a, b, tags, cd, title)``."""
    paths = [f.path for f in kind.fields]
    regions = dict(kind.model._meta.get_field(kind.region).choices) if kind.region else {}
    columns = [kind.region] if kind.region else []
    rows = queryset.order_by("pk").values("pk", *dict.fromkeys([*paths, *columns]))
    batch: list[dict] = []

    def flush():
        tags = _tag_names(kind, [row["pk"] for row in batch])
        for row in batch:
            yield _document(kind, row, tags.get(row["pk"], []), regions)

    for row in rows.iterator(chunk_size=CHUNK):
        batch.append(row)
        if len(batch) == CHUNK:
            yield from flush()
            batch = []
    yield from flush()


def _document(kind: SearchKind, row: dict, tags: list[str], regions: dict) -> tuple:
    keys, a, b, cd = [], [], [], []
    for f in kind.fields:
        values = _text(row[f.path])
        if f.exact:
            keys += values
        if not f.local or f.weight == "B":
            b += values
        elif f.weight == "A":
            a += values
        else:
            cd += values
    if kind.region and row.get(kind.region):
        tags = [*tags, str(regions.get(row[kind.region], ""))]
    title = _text(row[kind.main_field])
    return (
        rowid(kind, row["pk"]),
        "".join(f"{SEP}{fold(k)}{SEP}" for k in keys),
        "\n".join(fold(v) for v in a),
        "\n".join(fold(v) for v in b),
        "\n".join(fold(v) for v in tags),
        "\n".join(fold(v) for v in cd),
        title[0] if title else "",
    )


# -- writing --------------------------------------------------------------------------------


def _write(using: str, kind: SearchKind, pks: Iterable[int], docs: Iterable[tuple]) -> None:
    with connections[using].cursor() as cursor:
        cursor.executemany(
            f"DELETE FROM {TABLE} WHERE rowid = %s", [(rowid(kind, p),) for p in pks]
        )
        cursor.executemany(
            INSERT,
            list(docs),
        )


def reindex(kind: SearchKind, pks: Iterable[int], using: str = DEFAULT_DB_ALIAS) -> None:
    """Replace the entries of these rows (a row gone from the table loses its entry)."""
    if not supported(using) or _deferred(using):
        return  # checked first: on PostgreSQL a save costs no query here
    pks = list(pks)
    if not pks:
        return
    docs = list(documents(kind, kind.model._default_manager.using(using).filter(pk__in=pks)))
    _write(using, kind, pks, docs)


def remove(kind: SearchKind, pks: Iterable[int], using: str = DEFAULT_DB_ALIAS) -> None:
    if not supported(using) or _deferred(using):
        return
    _write(using, kind, pks, [])


def rebuild(using: str = DEFAULT_DB_ALIAS) -> int:
    """Create the table if missing and fill it from every searched table; rows indexed."""
    from partnerships.search.kinds import kinds

    if not supported(using):
        return 0
    connection = connections[using]
    with connection.cursor() as cursor:
        try:
            cursor.execute(CREATE)
        except Exception as exc:  # noqa: BLE001 - SQLite built without FTS5
            log.warning(
                "Search index not created (%s): the search falls back to plain matching.", exc
            )
            return 0
        cursor.execute(f"DELETE FROM {TABLE}")
        count = 0
        for kind in kinds().values():
            docs = documents(kind, kind.model._default_manager.using(using).all())
            batch = []
            for doc in docs:
                batch.append(doc)
                if len(batch) == CHUNK:
                    _insert(cursor, batch)
                    count += len(batch)
                    batch = []
            _insert(cursor, batch)
            count += len(batch)
    return count


def _insert(cursor, docs: list[tuple]) -> None:
    if docs:
        cursor.executemany(
            INSERT,
            docs,
        )


# -- keeping it in step ---------------------------------------------------------------------

_state = threading.local()


def _deferred(using: str) -> bool:
    return getattr(_state, "deferred", {}).get(using, 0) > 0


@contextmanager
def deferred(using: str = DEFAULT_DB_ALIAS):
    """Suspend the per-row updates (a bulk load) and rebuild once when the block succeeds."""
    counts = _state.__dict__.setdefault("deferred", {})
    counts[using] = counts.get(using, 0) + 1
    try:
        yield
    finally:
        counts[using] -= 1
    if not counts[using]:
        rebuild(using)


def _on_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    rebuild(using)


def connect() -> None:
    """Wire the signals that keep the index in step (called once, from the app's ready)."""
    from partnerships.models import CooperationArea
    from partnerships.search.kinds import kinds

    # Once per migrate (or flush), after every app's migrations: sent for this app too.
    post_migrate.connect(
        _on_migrate, sender=apps.get_app_config("partnerships"), dispatch_uid="search_index_rebuild"
    )
    for kind in kinds().values():
        _connect_kind(kind, CooperationArea)


def _connect_kind(kind: SearchKind, area_model) -> None:
    uid = f"search_index_{kind.name}"

    def saved(sender, instance, using=DEFAULT_DB_ALIAS, raw=False, **kwargs):
        reindex(kind, [instance.pk], using)

    def deleted(sender, instance, using=DEFAULT_DB_ALIAS, **kwargs):
        remove(kind, [instance.pk], using)

    post_save.connect(saved, sender=kind.model, weak=False, dispatch_uid=f"{uid}_save")
    post_delete.connect(deleted, sender=kind.model, weak=False, dispatch_uid=f"{uid}_delete")

    if kind.tags:
        relation = kind.model._meta.get_field(kind.tags)

        def tagged(sender, instance, action, reverse, pk_set, using=DEFAULT_DB_ALIAS, **kwargs):
            if action not in ("post_add", "post_remove", "post_clear", "pre_clear"):
                return
            if not reverse:
                reindex(kind, [instance.pk], using)
            elif action == "pre_clear":
                # The rows losing this area are known only before the clear.
                _state.__dict__.setdefault("cleared", {})[(kind.name, instance.pk)] = list(
                    getattr(instance, relation.remote_field.get_accessor_name()).values_list(
                        "pk", flat=True
                    )
                )
            elif action == "post_clear":
                cleared = _state.__dict__.get("cleared", {}).pop((kind.name, instance.pk), [])
                reindex(kind, cleared, using)
            else:
                reindex(kind, pk_set or [], using)

        m2m_changed.connect(
            tagged, sender=relation.remote_field.through, weak=False, dispatch_uid=f"{uid}_tags"
        )

        def area_saved(sender, instance, using=DEFAULT_DB_ALIAS, **kwargs):
            pks = kind.model._default_manager.using(using).filter(**{kind.tags: instance.pk})
            reindex(kind, pks.values_list("pk", flat=True), using)

        post_save.connect(area_saved, sender=area_model, weak=False, dispatch_uid=f"{uid}_area")

    for link in dict.fromkeys(f.path.split("__", 1)[0] for f in kind.fields if not f.local):
        related = kind.model._meta.get_field(link).related_model

        def related_saved(sender, instance, using=DEFAULT_DB_ALIAS, link=link, **kwargs):
            pks = kind.model._default_manager.using(using).filter(**{link: instance.pk})
            reindex(kind, pks.values_list("pk", flat=True), using)

        post_save.connect(related_saved, sender=related, weak=False, dispatch_uid=f"{uid}_{link}")
