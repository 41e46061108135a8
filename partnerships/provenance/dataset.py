"""The whole knowledge base as records in the knowledge-file format, by natural key.

One representation serves four jobs: ``export_dataset`` writes it (JSON per kind, plus
CSVs), ``import_dataset`` loads it back through the same loader as ``data/``, a release's
content checksum is computed over it, and a round trip gives the same checksum. Each kind's
rows come from its own exporter, listed in :mod:`partnerships.kinds`.
"""

from __future__ import annotations

import hashlib
import json

from partnerships import kinds


def _sort_key(kind):
    def key(row: dict) -> tuple:
        return tuple("" if row.get(name) is None else str(row[name]) for name in kind.natural_key)

    return key


def export_records() -> dict[str, list[dict]]:
    """Every fact, in load order, each row sorted by its natural key (in Python: databases
    collate text differently, the export must not)."""
    return {kind.key: sorted(kind.export(), key=_sort_key(kind)) for kind in kinds.loaded()}


def canonical_json(records) -> bytes:
    return json.dumps(records, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def checksum(records: dict | None = None) -> str:
    """SHA-256 of the canonical JSON of every fact: equal content, equal checksum."""
    return hashlib.sha256(canonical_json(records or export_records())).hexdigest()


def counts(records: dict) -> dict[str, int]:
    """Rows per kind; a nested kind counted inside its parent's rows."""
    result = {kind: len(rows) for kind, rows in records.items()}
    for kind in kinds.KINDS:
        if kind.nested_in:
            parents = records.get(kind.nested_in, [])
            result[kind.key] = sum(len(row.get(kind.key) or []) for row in parents)
    return result
