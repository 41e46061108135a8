"""Load the curated knowledge files into the database: idempotent, atomic, by natural key."""

from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from partnerships import kinds
from partnerships.knowledge import Context, LoadError, files_of, read_rows
from partnerships.models import Partner
from partnerships.provenance.releases import release_from_manifests
from partnerships.search import index as search_index

OUTCOMES = ("created", "updated", "unchanged")


def load_knowledge(root: Path) -> Context:
    """Load every knowledge file under ``root`` in one transaction; LoadError aborts it."""
    ctx = Context()
    # The search index (SQLite) is rebuilt once at the end rather than row by row.
    with transaction.atomic(), search_index.deferred():
        # The kinds in load order (partnerships.kinds): a kind refers only to earlier ones.
        for kind in kinds.loaded():
            rows = [row for path in files_of(root, kind.key) for row in read_rows(path, root)]
            ctx.tally.setdefault(kind.key.replace("_", " "), Counter())
            kind.load(ctx, rows)
    return ctx


class Command(BaseCommand):
    help = (
        "Load the curated knowledge files (data/) into the database. Idempotent: rows are "
        "upserted by natural key and a second run changes nothing. Atomic: one bad row "
        "aborts the whole load with file:line: reason."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--data", default=str(settings.DATA_DIR), help="Folder of the knowledge files."
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load only into an empty knowledge base (first start), so curators' edits "
            "made in the admin are never overwritten by a restart.",
        )

    def handle(self, *args, **options):
        if options["if_empty"] and Partner.objects.exists():
            self.stdout.write("The knowledge base already holds data: not loading the files.")
            return
        root = Path(options["data"]).resolve()
        if not root.is_dir():
            raise CommandError(f"No knowledge folder at {root}.")
        try:
            ctx = load_knowledge(root)
        except LoadError as exc:
            raise CommandError(f"{exc}\nNothing was loaded: the database is unchanged.") from None
        width = max(len(kind) for kind in ctx.tally)
        for kind, counts in ctx.tally.items():
            summary = ", ".join(f"{counts[outcome]} {outcome}" for outcome in OUTCOMES)
            self.stdout.write(f"{kind.ljust(width)}  {summary}")
        for line in release_from_manifests(root):
            self.stdout.write(line)
        changes = sum(c["created"] + c["updated"] for c in ctx.tally.values())
        if changes:
            self.stdout.write(self.style.SUCCESS(f"Loaded: {changes} rows created or updated."))
        else:
            self.stdout.write(
                self.style.SUCCESS("Nothing to change: the database already matches the files.")
            )
