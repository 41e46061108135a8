"""Export the benchmark database (PostgreSQL) to SQLite for Datasette.

    python bench/export_sqlite.py postgres://postgres@127.0.0.1:5432/kb_bench out.sqlite

Copies the tables the benchmark reads under short names (partners, missions,
contributions, figures...), with the same columns, the indexes Django gives PostgreSQL
(foreign keys, unique keys, covers_from / covers_until), and an FTS5 index for search,
so Datasette answers the same questions with an equivalent physical design.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time

import psycopg

TABLES = {
    "partnerships_source": "sources",
    "partnerships_partner": "partners",
    "partnerships_partner_sources": "partner_sources",
    "partnerships_cooperationarea": "cooperation_areas",
    "frameworks_framework": "frameworks",
    "frameworks_participation": "participations",
    "missions_mission": "missions",
    "missions_role": "roles",
    "missions_contribution": "contributions",
    "missions_contribution_roles": "contribution_roles",
    "missions_contribution_sources": "contribution_sources",
    "missions_contribution_cooperation_areas": "contribution_cooperation_areas",
    "missions_contributionfigure": "figures",
}
INDEXES = [
    "CREATE UNIQUE INDEX partners_iso3 ON partners (iso3)",
    "CREATE INDEX partners_name ON partners (name)",
    "CREATE INDEX partner_sources_partner ON partner_sources (partner_id)",
    "CREATE UNIQUE INDEX frameworks_slug ON frameworks (slug)",
    "CREATE INDEX participations_partner ON participations (partner_id)",
    "CREATE INDEX participations_framework ON participations (framework_id)",
    "CREATE INDEX participations_covers_from ON participations (covers_from)",
    "CREATE INDEX participations_covers_until ON participations (covers_until)",
    "CREATE UNIQUE INDEX missions_slug ON missions (slug)",
    "CREATE INDEX missions_covers_from ON missions (covers_from)",
    "CREATE INDEX contributions_partner ON contributions (partner_id)",
    "CREATE INDEX contributions_mission ON contributions (mission_id)",
    "CREATE UNIQUE INDEX contributions_unique ON contributions (partner_id, mission_id, start)",
    "CREATE INDEX contribution_roles_contribution ON contribution_roles (contribution_id)",
    "CREATE INDEX contribution_sources_contribution ON contribution_sources (contribution_id)",
    "CREATE INDEX contribution_areas_contribution "
    "ON contribution_cooperation_areas (contribution_id)",
    "CREATE INDEX figures_contribution ON figures (contribution_id)",
    "CREATE INDEX figures_source ON figures (source_id)",
    "CREATE UNIQUE INDEX figures_unique ON figures (contribution_id, as_of, measure, source_id)",
]
# One search table over the kinds the app searches (Datasette: ?_search=).
SEARCH = """
CREATE TABLE search_index (kind TEXT, key TEXT, title TEXT, body TEXT);
INSERT INTO search_index SELECT 'partner', iso3, name, profile FROM partners;
INSERT INTO search_index SELECT 'framework', slug, name, description FROM frameworks;
INSERT INTO search_index SELECT 'mission', slug, name, description FROM missions;
INSERT INTO search_index SELECT 'source', key, title, notes FROM sources;
CREATE VIRTUAL TABLE search_index_fts USING fts5(
    title, body, content='search_index', content_rowid='rowid', tokenize='porter'
);
INSERT INTO search_index_fts (rowid, title, body) SELECT rowid, title, body FROM search_index;
"""


def sqlite_type(pg_type: str) -> str:
    if pg_type in {"integer", "bigint", "smallint", "boolean"}:
        return "INTEGER"
    if pg_type in {"numeric", "double precision", "real"}:
        return "REAL"
    return "TEXT"


def convert(value):
    if value is None or isinstance(value, int | float | str):
        return value
    if isinstance(value, list | dict):
        import json

        return json.dumps(value)
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def export(dsn: str, path: str) -> None:
    tmp = path + ".tmp"
    if os.path.exists(tmp):
        os.remove(tmp)
    out = sqlite3.connect(tmp)
    out.execute("PRAGMA journal_mode = OFF")
    out.execute("PRAGMA synchronous = OFF")
    with psycopg.connect(dsn) as pg:
        for source, target in TABLES.items():
            started = time.perf_counter()
            columns = pg.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_name = %s ORDER BY ordinal_position",
                [source],
            ).fetchall()
            names = [c for c, _ in columns]
            definition = ", ".join(
                f'"{c}" {sqlite_type(t)}' + (" PRIMARY KEY" if c == "id" else "")
                for c, t in columns
            )
            out.execute(f'CREATE TABLE "{target}" ({definition})')
            insert = f'INSERT INTO "{target}" VALUES ({", ".join("?" for _ in names)})'
            quoted = ", ".join(f'"{c}"' for c in names)
            count = 0
            with pg.cursor(name=f"export_{target}") as cur:
                cur.itersize = 20000
                cur.execute(f'SELECT {quoted} FROM "{source}" ORDER BY 1')
                while batch := cur.fetchmany(20000):
                    out.executemany(insert, [tuple(convert(v) for v in row) for row in batch])
                    count += len(batch)
            out.commit()
            print(f"  {target}: {count} rows in {time.perf_counter() - started:.1f} s")
    for statement in INDEXES:
        out.execute(statement)
    out.executescript(SEARCH)
    out.execute("ANALYZE")
    out.commit()
    out.close()
    os.replace(tmp, path)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    export(sys.argv[1], sys.argv[2])
