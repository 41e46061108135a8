"""On PostgreSQL, refuse overlapping periods of one partner in one framework.

An exclusion constraint over the derived coverage dates (inclusive at both ends; an open
end runs for ever). SQLite has no such constraint; there ``Participation.clean`` holds the
rule, as it does everywhere for a clear message.
"""

from django.db import migrations

CONSTRAINT = "participation_no_overlapping_periods"


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE frameworks_participation ADD CONSTRAINT {CONSTRAINT} "
        "EXCLUDE USING gist (partner_id WITH =, framework_id WITH =, "
        "daterange(covers_from, covers_until, '[]') WITH &&)"
    )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE frameworks_participation DROP CONSTRAINT IF EXISTS {CONSTRAINT}"
    )


class Migration(migrations.Migration):
    dependencies = [("frameworks", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
