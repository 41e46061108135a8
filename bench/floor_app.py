"""The floor: the benchmark's rows fetched with raw psycopg 3 and serialised with orjson.

A minimal WSGI app (no Django, no framework) served by the same gunicorn settings as the
app. Each endpoint returns the same rows and, as far as the SQL allows, the same shape as
the matching API endpoint, in the fewest queries PostgreSQL needs: what the app could
reach if every layer above the database cost nothing. One connection per worker.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kb_bench \\
        gunicorn --chdir bench floor_app:application
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from urllib.parse import parse_qs

import orjson
import psycopg
from psycopg.types.json import set_json_loads

set_json_loads(orjson.loads)

DSN = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kb_bench")
PAGE_SIZE, MAX_PAGE_SIZE = 50, 500
_conn: psycopg.Connection | None = None


def conn() -> psycopg.Connection:
    global _conn
    if _conn is None or _conn.closed:
        _conn = psycopg.connect(DSN, autocommit=True)
    return _conn


def rows(sql: str, params=()) -> list[dict]:
    with conn().cursor(row_factory=psycopg.rows.dict_row) as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def scalar(sql: str, params=()):
    with conn().cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]


def at_precision(value: dt.date | None, precision: str) -> str | None:
    if value is None:
        return None
    if precision == "year":
        return f"{value.year:04d}"
    if precision == "month":
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


def page_params(query: dict) -> tuple[int, int]:
    page = max(1, int(query.get("page", ["1"])[0]))
    size = min(MAX_PAGE_SIZE, max(1, int(query.get("page_size", [str(PAGE_SIZE)])[0])))
    return size, (page - 1) * size


def paginated(count: int, results: list) -> dict:
    return {"count": count, "next": None, "previous": None, "results": results}


# -- partners ---------------------------------------------------------------------------------

PARTNER_SELECT = """
SELECT p.iso3, p.country AS iso2, p.name, p.other_names, p.region, p.nato_accession,
       p.nato_accession_precision, p.profile, p.wikidata_qid, p.cow_code,
       COALESCE((SELECT json_agg(json_build_object('id', s.id, 'key', s.key, 'title', s.title,
                    'publisher', s.publisher, 'url', s.url) ORDER BY s.publisher, s.title)
                 FROM partnerships_partner_sources ps
                 JOIN partnerships_source s ON s.id = ps.source_id
                 WHERE ps.partner_id = p.id), '[]') AS sources,
       COALESCE((SELECT json_agg(json_build_object('slug', f.slug, 'acronym', f.acronym,
                    'name', f.name, 'start', x.start, 'start_precision', x.start_precision,
                    'status', x.status) ORDER BY f.name)
                 FROM frameworks_participation x
                 JOIN frameworks_framework f ON f.id = x.framework_id
                 WHERE x.partner_id = p.id AND x.covers_from <= %(today)s
                   AND (x.covers_until >= %(today)s OR x.covers_until IS NULL)), '[]')
         AS current_frameworks
FROM partnerships_partner p
"""

IN_FRAMEWORK_ON = """
EXISTS (SELECT 1 FROM frameworks_participation x
        JOIN frameworks_framework f ON f.id = x.framework_id
        WHERE x.partner_id = p.id AND f.slug = %(framework)s AND x.covers_from <= %(as_of)s
          AND (x.covers_until >= %(as_of)s OR x.covers_until IS NULL))
"""


def partner_json(row: dict, today: dt.date) -> dict:
    statuses = {f["status"] for f in row["current_frameworks"]}
    if row["nato_accession"] and row["nato_accession"] <= today:
        status = "ally"
    elif statuses - {"suspended"}:  # the rule of partnerships/status.py
        status = "partner"
    else:
        status = "suspended" if "suspended" in statuses else "former"
    row["status"] = status
    row["nato_accession"] = at_precision(row["nato_accession"], row["nato_accession_precision"])
    for f in row["current_frameworks"]:
        start = dt.date.fromisoformat(f.pop("start")) if f["start"] else None
        f["since"] = at_precision(start, f.pop("start_precision"))
    row["api_url"] = f"/api/v1/partners/{row['iso3']}/"
    row["page_url"] = f"/partners/{row['iso3'].lower()}/"
    return row


def partners(query: dict):
    size, offset = page_params(query)
    today = dt.date.today()
    params = {"today": today, "limit": size, "offset": offset}
    where = ""
    if "framework" in query and "as_of" in query:
        params["framework"] = query["framework"][0]
        params["as_of"] = dt.date.fromisoformat(query["as_of"][0])
        where = "WHERE " + IN_FRAMEWORK_ON
    count = scalar(f"SELECT count(*) FROM partnerships_partner p {where}", params)
    found = rows(
        PARTNER_SELECT + where + " ORDER BY p.name LIMIT %(limit)s OFFSET %(offset)s", params
    )
    return paginated(count, [partner_json(r, today) for r in found])


# -- contributions and figures ------------------------------------------------------------------

CONTRIBUTION_SELECT = """
SELECT c.id, pa.iso3 AS partner, pa.name AS partner_name, m.slug AS mission,
       m.name AS mission_name, c.start, c.start_precision, c."end", c.end_precision,
       c.end_unknown, c.covers_from, c.covers_until, c.description,
       COALESCE((SELECT json_agg(r.slug ORDER BY r.name) FROM missions_contribution_roles cr
                 JOIN missions_role r ON r.id = cr.role_id WHERE cr.contribution_id = c.id),
                '[]') AS roles,
       COALESCE((SELECT json_agg(a.slug) FROM missions_contribution_cooperation_areas ca
                 JOIN partnerships_cooperationarea a ON a.id = ca.cooperationarea_id
                 WHERE ca.contribution_id = c.id), '[]') AS cooperation_areas,
       COALESCE((SELECT json_agg(json_build_object('id', s.id, 'key', s.key, 'title', s.title,
                    'publisher', s.publisher, 'url', s.url))
                 FROM missions_contribution_sources cs
                 JOIN partnerships_source s ON s.id = cs.source_id
                 WHERE cs.contribution_id = c.id), '[]') AS sources,
       COALESCE((SELECT json_agg(json_build_object('id', f.id, 'as_of', f.as_of,
                    'as_of_precision', f.as_of_precision, 'personnel', f.personnel,
                    'measure', f.measure, 'estimate', f.estimate,
                    'source', json_build_object('id', s.id, 'key', s.key, 'title', s.title,
                                                'publisher', s.publisher, 'url', s.url))
                    ORDER BY f.as_of)
                 FROM missions_contributionfigure f
                 JOIN partnerships_source s ON s.id = f.source_id
                 WHERE f.contribution_id = c.id), '[]') AS figures
FROM missions_contribution c
JOIN partnerships_partner pa ON pa.id = c.partner_id
JOIN missions_mission m ON m.id = c.mission_id
"""


def contribution_json(row: dict) -> dict:
    row["start"] = at_precision(row["start"], row["start_precision"])
    row["end"] = at_precision(row["end"], row["end_precision"])
    row["end_state"] = (
        "ended" if row["end"] else ("ended-date-unknown" if row["end_unknown"] else "ongoing")
    )
    figures = row["figures"]
    for f in figures:
        f["as_of"] = at_precision(dt.date.fromisoformat(f["as_of"]), f["as_of_precision"])
    row["latest_figure"] = max(figures, key=lambda f: (f["as_of"], f["id"])) if figures else None
    row["peak_figure"] = (
        max(figures, key=lambda f: (f["personnel"], f["as_of"])) if figures else None
    )
    row["api_url"] = f"/api/v1/contributions/{row['id']}/"
    row["page_url"] = f"/missions/{row['mission']}/"
    return row


def contributions(query: dict):
    size, offset = page_params(query)
    conditions, params = [], {"limit": size, "offset": offset}
    if "partner" in query:
        conditions.append("pa.iso3 = %(partner)s")
        params["partner"] = query["partner"][0].upper()
    if "mission" in query:
        conditions.append("m.slug = %(mission)s")
        params["mission"] = query["mission"][0]
    where = ("WHERE " + " AND ".join(conditions)) if conditions else ""
    joins = (
        "JOIN partnerships_partner pa ON pa.id = c.partner_id "
        "JOIN missions_mission m ON m.id = c.mission_id "
    )
    count = scalar(f"SELECT count(*) FROM missions_contribution c {joins} {where}", params)
    found = rows(
        CONTRIBUTION_SELECT
        + where
        + " ORDER BY pa.name, c.covers_from, c.id LIMIT %(limit)s OFFSET %(offset)s",
        params,
    )
    return paginated(count, [contribution_json(r) for r in found])


FIGURE_SELECT = """
SELECT f.id, f.contribution_id AS contribution, pa.iso3 AS partner, m.slug AS mission,
       f.as_of, f.as_of_precision, f.personnel, f.measure, f.estimate, f.source_id AS source,
       s.key AS source_key, s.title AS source_title, s.publisher AS source_publisher,
       s.url AS source_url, f.notes
FROM missions_contributionfigure f
JOIN missions_contribution c ON c.id = f.contribution_id
JOIN partnerships_partner pa ON pa.id = c.partner_id
JOIN missions_mission m ON m.id = c.mission_id
JOIN partnerships_source s ON s.id = f.source_id
"""


def figures(query: dict):
    size, offset = page_params(query)
    params = {"limit": size, "offset": offset, "contribution": int(query["contribution"][0])}
    count = scalar(
        "SELECT count(*) FROM missions_contributionfigure f "
        "WHERE f.contribution_id = %(contribution)s",
        params,
    )
    found = rows(
        FIGURE_SELECT + "WHERE f.contribution_id = %(contribution)s "
        "ORDER BY f.as_of, f.id LIMIT %(limit)s OFFSET %(offset)s",
        params,
    )
    results = []
    for r in found:
        r["as_of"] = at_precision(r["as_of"], r["as_of_precision"])
        r["source_detail"] = {
            "id": r["source"],
            "key": r.pop("source_key"),
            "title": r.pop("source_title"),
            "publisher": r.pop("source_publisher"),
            "url": r.pop("source_url"),
        }
        r["api_url"] = f"/api/v1/figures/{r['id']}/"
        results.append(r)
    return paginated(count, results)


def figures_csv(query: dict):
    """Every figure as CSV, streamed from a server-side cursor (the API's columns)."""

    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())
    header = [
        "id",
        "contribution",
        "partner",
        "mission",
        "as_of",
        "as_of_precision",
        "personnel",
        "measure",
        "estimate",
        "source",
        "source_url",
    ]
    sql = """
    SELECT f.id, f.contribution_id, pa.iso3, m.slug, f.as_of, f.as_of_precision, f.personnel,
           f.measure, f.estimate, s.title, s.url
    FROM missions_contributionfigure f
    JOIN missions_contribution c ON c.id = f.contribution_id
    JOIN partnerships_partner pa ON pa.id = c.partner_id
    JOIN missions_mission m ON m.id = c.mission_id
    JOIN partnerships_source s ON s.id = f.source_id
    ORDER BY f.as_of, f.id
    """

    def stream():
        yield writer.writerow(header).encode()
        with psycopg.connect(DSN) as c, c.cursor(name="figures_csv") as cur:
            cur.itersize = 2000
            cur.execute(sql)
            while batch := cur.fetchmany(2000):
                yield "".join(
                    writer.writerow(
                        (
                            i,
                            ci,
                            iso,
                            slug,
                            at_precision(d, p),
                            p,
                            n,
                            me,
                            "True" if e else "False",
                            t,
                            u,
                        )
                    )
                    for i, ci, iso, slug, d, p, n, me, e, t, u in batch
                ).encode()

    return stream()


# -- the matrix and search ----------------------------------------------------------------------


def matrix_missions(query: dict):
    """Partners x missions: roles and peak personnel per pair (the API's shape)."""
    slugs = query.get("mission", [])
    partners_ = rows("SELECT id, iso3, name FROM partnerships_partner ORDER BY name")
    where = "WHERE slug = ANY(%(slugs)s)" if slugs else ""
    missions = rows(
        f"SELECT id, slug, acronym, name FROM missions_mission {where} ORDER BY covers_from, name",
        {"slugs": slugs},
    )
    cells = rows(
        f"""
        SELECT c.partner_id, c.mission_id, max(peak.personnel) AS peak,
               array_remove(array_agg(DISTINCT r.name), NULL) AS roles
        FROM missions_contribution c
        LEFT JOIN LATERAL (SELECT max(f.personnel) AS personnel
                           FROM missions_contributionfigure f
                           WHERE f.contribution_id = c.id) peak ON true
        LEFT JOIN missions_contribution_roles cr ON cr.contribution_id = c.id
        LEFT JOIN missions_role r ON r.id = cr.role_id
        {"WHERE c.mission_id = ANY(%(ids)s)" if slugs else ""}
        GROUP BY c.partner_id, c.mission_id
        """,
        {"ids": [m["id"] for m in missions]},
    )
    slug_of = {m["id"]: m["slug"] for m in missions}
    by_partner: dict[int, dict] = {}
    for cell in cells:
        by_partner.setdefault(cell["partner_id"], {})[slug_of[cell["mission_id"]]] = {
            "roles": sorted(cell["roles"]),
            "peak_personnel": cell["peak"],
        }
    return {
        "columns": [{k: m[k] for k in ("slug", "acronym", "name")} for m in missions],
        "rows": [
            {
                "partner": {"iso3": p["iso3"], "name": p["name"]},
                "cells": by_partner.get(p["id"], {}),
            }
            for p in partners_
        ],
    }


def search(query: dict):
    """Full-text over partners, frameworks and missions (an approximation of the app's)."""
    q = query.get("q", [""])[0]
    found = rows(
        """
        WITH q AS (SELECT websearch_to_tsquery('english', %(q)s) AS tsq)
        SELECT * FROM (
          SELECT 'partner' AS kind, p.iso3 AS key, p.name AS title,
                 ts_rank(to_tsvector('english', p.name || ' ' || p.profile), q.tsq) AS rank
          FROM partnerships_partner p, q
          WHERE to_tsvector('english', p.name || ' ' || p.profile) @@ q.tsq
          UNION ALL
          SELECT 'framework', f.slug, f.name,
                 ts_rank(to_tsvector('english', f.name || ' ' || f.description), q.tsq)
          FROM frameworks_framework f, q
          WHERE to_tsvector('english', f.name || ' ' || f.description) @@ q.tsq
          UNION ALL
          SELECT 'mission', m.slug, m.name,
                 ts_rank(to_tsvector('english', m.name || ' ' || m.description), q.tsq)
          FROM missions_mission m, q
          WHERE to_tsvector('english', m.name || ' ' || m.description) @@ q.tsq
        ) hits ORDER BY rank DESC LIMIT 50
        """,
        {"q": q},
    )
    return {"query": q, "count": len(found), "results": found}


ROUTES = {
    "/partners": partners,
    "/contributions": contributions,
    "/figures": figures,
    "/figures.csv": figures_csv,
    "/matrix/missions": matrix_missions,
    "/search": search,
}


def application(environ, start_response):
    route = ROUTES.get(environ["PATH_INFO"].rstrip("/"))
    if route is None:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    query = parse_qs(environ.get("QUERY_STRING", ""))
    try:
        result = route(query)
    except Exception:
        if _conn is not None:
            _conn.close()
        raise
    if route is figures_csv:
        start_response("200 OK", [("Content-Type", "text/csv; charset=utf-8")])
        return result
    body = orjson.dumps(result)
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]
