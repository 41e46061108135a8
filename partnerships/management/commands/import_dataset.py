"""Load a folder written by export_dataset into an empty database (a restore)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from partnerships import kinds
from partnerships.knowledge import LoadError
from partnerships.management.commands.load_knowledge import load_knowledge
from partnerships.models import Partner, Source
from partnerships.provenance.dataset import checksum


class ChecksumMismatch(Exception):
    pass


def read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CommandError(f"{path} is missing: not a complete export_dataset folder.") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise CommandError(f"{path} cannot be read as JSON: {exc}") from None


def read_manifest(root: Path) -> dict:
    manifest = read_json(root / "manifest.json")
    if not isinstance(manifest, dict) or not isinstance(manifest.get("checksum"), str):
        raise CommandError(f"{root / 'manifest.json'} names no checksum: not an export.")
    return manifest


def files_checksum(root: Path) -> str:
    """The content checksum of the export's JSON files, computed as export_dataset computed
    it from the database: equal files, equal checksum, before anything is written."""
    return checksum({kind.key: read_json(root / f"{kind.key}.json") for kind in kinds.loaded()})


class Command(BaseCommand):
    help = (
        "Import a dataset exported by export_dataset into an empty database. The files' "
        "content checksum is verified against the manifest first (a mismatch imports "
        "nothing); the load is atomic and validated, and checked again after loading."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory")

    def handle(self, *args, directory, **options):
        root = Path(directory)
        if not root.is_dir():
            raise CommandError(f"{root} is not a folder.")
        if not (root / "manifest.json").exists():
            raise CommandError(f"{root} has no manifest.json: not an export_dataset folder.")
        manifest = read_manifest(root)
        expected = manifest["checksum"]
        found = files_checksum(root)
        if found != expected:
            raise CommandError(
                f"The files' checksum {found} differs from the manifest's {expected}: the "
                "export was changed or damaged. Nothing was imported."
            )
        if Partner.objects.exists() or Source.objects.exists():
            raise CommandError(
                "The database is not empty: import_dataset restores into an empty database. "
                "Use load_knowledge to merge files into an existing one."
            )
        try:
            with transaction.atomic():
                load_knowledge(root)
                got = checksum()
                if got != expected:
                    raise ChecksumMismatch(got)
        except LoadError as exc:
            raise CommandError(f"{exc}\nNothing was imported.") from None
        except ChecksumMismatch as exc:
            raise CommandError(
                f"The loaded data's checksum {exc} differs from the export's {expected}. "
                "Nothing was imported."
            ) from None
        version = manifest.get("dataset_version", "the dataset")
        self.stdout.write(
            self.style.SUCCESS(f"Imported {version}; checksum {expected} matches the export.")
        )
