"""Load a folder written by export_dataset into an empty database (a restore)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from partnerships.knowledge import LoadError
from partnerships.management.commands.load_knowledge import load_knowledge
from partnerships.models import Partner, Source
from partnerships.provenance.dataset import checksum


class Command(BaseCommand):
    help = (
        "Import a dataset exported by export_dataset into an empty database, through the "
        "knowledge loader (atomic, validated), and check the content checksum."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory")

    def handle(self, *args, directory, **options):
        root = Path(directory)
        manifest_path = root / "manifest.json"
        if not manifest_path.exists():
            raise CommandError(f"{root} has no manifest.json: not an export_dataset folder.")
        if Partner.objects.exists() or Source.objects.exists():
            raise CommandError(
                "The database is not empty: import_dataset restores into an empty database. "
                "Use load_knowledge to merge files into an existing one."
            )
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        try:
            load_knowledge(root)
        except LoadError as exc:
            raise CommandError(f"{exc}\nNothing was imported.") from None
        got = checksum()
        if got != manifest["checksum"]:
            raise CommandError(
                f"Imported, but the checksum differs: {got} != {manifest['checksum']}."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {manifest['dataset_version']}; checksum {got} matches the export."
            )
        )
