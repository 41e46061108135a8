"""On PostgreSQL, what the search (``partnerships/search.py``) needs to stay fast.

``pg_trgm``, and for each searched table: a GIN index over the full-text document of the
row's own fields (the expression ``search.document()`` writes, so the planner uses it), a
GIN trigram index on its name or title (misspellings), and btree ``UPPER()`` indexes on the
codes, acronyms and names matched exactly. ``tests/test_search.py`` checks that each filter
of the search is served by these indexes; change them together with the declared fields.

SQLite has none of these: there the search falls back to plain matching and migrates as is.
"""

from django.db import migrations


def _document(*columns: str) -> str:
    parts = " || ' ' || ".join(
        f"COALESCE(({c})::text, '')" if c == "other_names" else f"COALESCE({c}, '')"
        for c in columns
    )
    return f"to_tsvector('english'::regconfig, {parts})"


# (index name, table, method, expression)
INDEXES = [
    # Full-text documents: every field of the row that the search reads.
    (
        "search_partner_doc",
        "partnerships_partner",
        "gin",
        _document("name", "other_names", "iso3", "country", "profile"),
    ),
    (
        "search_framework_doc",
        "frameworks_framework",
        "gin",
        _document("name", "acronym", "description"),
    ),
    (
        "search_mission_doc",
        "missions_mission",
        "gin",
        _document("name", "acronym", "mandate", "description"),
    ),
    ("search_area_doc", "partnerships_cooperationarea", "gin", _document("name", "description")),
    ("search_milestone_doc", "partnerships_milestone", "gin", _document("title", "description")),
    ("search_source_doc", "partnerships_source", "gin", _document("title", "publisher")),
    # Trigrams of names and titles: typo-tolerant matching and "Did you mean".
    ("search_partner_name_trgm", "partnerships_partner", "gin", "name gin_trgm_ops"),
    ("search_framework_name_trgm", "frameworks_framework", "gin", "name gin_trgm_ops"),
    ("search_mission_name_trgm", "missions_mission", "gin", "name gin_trgm_ops"),
    ("search_area_name_trgm", "partnerships_cooperationarea", "gin", "name gin_trgm_ops"),
    ("search_milestone_title_trgm", "partnerships_milestone", "gin", "title gin_trgm_ops"),
    ("search_source_title_trgm", "partnerships_source", "gin", "title gin_trgm_ops"),
    # Exact codes, acronyms and names in any case (Django's iexact is UPPER(col::text)).
    ("search_partner_name_upper", "partnerships_partner", "btree", "UPPER((name)::text)"),
    ("search_partner_iso3_upper", "partnerships_partner", "btree", "UPPER((iso3)::text)"),
    ("search_partner_country_upper", "partnerships_partner", "btree", "UPPER((country)::text)"),
    ("search_framework_name_upper", "frameworks_framework", "btree", "UPPER((name)::text)"),
    ("search_framework_acronym_upper", "frameworks_framework", "btree", "UPPER((acronym)::text)"),
    ("search_mission_name_upper", "missions_mission", "btree", "UPPER((name)::text)"),
    ("search_mission_acronym_upper", "missions_mission", "btree", "UPPER((acronym)::text)"),
    ("search_area_name_upper", "partnerships_cooperationarea", "btree", "UPPER((name)::text)"),
    # Missions in a region the query names ("Mediterranean").
    ("search_mission_region", "missions_mission", "btree", "region"),
]


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, method, expression in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING {method} (({expression}))"
            if method == "btree" or expression.startswith("to_tsvector")
            else f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING {method} ({expression})"
        )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, *_ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    # pg_trgm stays: other objects of the database may use it.


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0001_initial"),
        ("frameworks", "0001_initial"),
        ("missions", "0001_initial"),
    ]
    operations = [migrations.RunPython(add, remove)]
