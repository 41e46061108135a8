"""On PostgreSQL, the full-text index of contributions, now searched (``partnerships.search``).

The expression is the document ``search.postgres.document(["description"])`` writes, as in
migration 0002_search, so the planner uses it. SQLite's search index is not a migration: it
is derived data, created and rebuilt after every migrate (``partnerships.search.index``).
"""

from django.db import migrations

INDEX = "search_contribution_doc"
EXPRESSION = "to_tsvector('english'::regconfig, COALESCE(description, ''))"


def add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON missions_contribution USING gin (({EXPRESSION}))"
        )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0006_merge_20261202_0436"),
        ("missions", "0006_merge_0005_certain_spans_0005_citable_coverage"),
    ]
    operations = [migrations.RunPython(add, remove)]
