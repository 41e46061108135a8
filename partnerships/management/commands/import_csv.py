"""Import participations, contributions or figures from CSV: a preview by default, all rows
or none with --commit."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from partnerships import kinds
from partnerships.provenance.bulk_import import run_import
from partnerships.provenance.csv_files import DELIMITERS, ENCODINGS, CSVFileError, decode


class Command(BaseCommand):
    help = (
        "Import a CSV of participations, contributions or figures (the API's CSV columns). "
        "Without --commit it only previews; with it, any invalid row rejects the whole file."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(kinds.importable()))
        parser.add_argument("file")
        parser.add_argument("--commit", action="store_true", help="Write (default: preview).")
        parser.add_argument(
            "--reason", default="", help="Why (kept in history); required to update records."
        )
        parser.add_argument("--encoding", choices=sorted(ENCODINGS), default="utf-8")
        parser.add_argument(
            "--delimiter",
            choices=sorted(DELIMITERS),
            default="",
            help="Default: detected (comma, semicolon or tab).",
        )

    def handle(self, *args, kind, file, commit, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        try:
            text = decode(path.read_bytes(), options["encoding"])
        except CSVFileError as exc:
            raise CommandError(str(exc)) from None
        if "\x00" in text:
            raise CommandError(f"{path}: NUL characters are not allowed.")
        result = run_import(
            kind, text, commit=commit, reason=options["reason"], delimiter=options["delimiter"]
        )
        for row in result.rows:
            if row.errors:
                self.stdout.write(f"{path.name}:{row.line}: {'; '.join(row.errors)}")
            elif options["verbosity"] > 1 or not commit:
                self.stdout.write(f"{path.name}:{row.line}: {row.action} {row.label}")
                for change in row.changes:
                    self.stdout.write(f"    {change.field}: {change.before} -> {change.after}")
        summary = ", ".join(
            f"{result.count(action)} to {action}" for action in ("create", "update", "unchanged")
        )
        if result.errors:
            raise CommandError(
                f"{len(result.errors)} invalid row(s): nothing was imported. ({summary})"
            )
        if result.file_problems:
            raise CommandError(" ".join(result.file_problems) + " Nothing was imported.")
        if result.committed:
            self.stdout.write(self.style.SUCCESS(f"Imported: {summary.replace('to ', '')}."))
        else:
            self.stdout.write(f"Preview: {summary}. Run again with --commit to import.")
