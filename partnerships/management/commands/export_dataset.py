"""Write the whole knowledge base to a folder: JSON per kind (loadable by import_dataset and
load_knowledge), a CSV per kind, and a manifest with the version, checksum and counts."""

import csv
import json
from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone

from partnerships.provenance.dataset import checksum, counts, export_records
from partnerships.provenance.versioning import dataset_version


def _flat(value):
    if isinstance(value, list):
        return "; ".join(
            json.dumps(item, ensure_ascii=False, sort_keys=True)
            if isinstance(item, dict)
            else str(item)
            for item in value
        )
    return "" if value is None else value


class Command(BaseCommand):
    help = "Export every fact (JSON per kind with natural keys, CSVs, manifest) to a folder."

    def add_arguments(self, parser):
        parser.add_argument("directory")

    def handle(self, *args, directory, **options):
        root = Path(directory)
        root.mkdir(parents=True, exist_ok=True)
        records = export_records()
        for kind, rows in records.items():
            (root / f"{kind}.json").write_text(
                json.dumps(rows, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                encoding="utf-8",
            )
            csv_dir = root / "csv"
            csv_dir.mkdir(exist_ok=True)
            with (csv_dir / f"{kind}.csv").open("w", newline="", encoding="utf-8") as handle:
                header = list(dict.fromkeys(key for row in rows for key in row))
                writer = csv.writer(handle)
                writer.writerow(header)
                for row in rows:
                    writer.writerow([_flat(row.get(key)) for key in header])
        manifest = {
            "dataset_version": dataset_version(),
            "checksum": checksum(records),
            "counts": counts(records),
            "exported_at": timezone.now().isoformat(),
            "format": "Partnerships KB knowledge files (see data/README.md), as JSON",
        }
        (root / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
        summary = ", ".join(f"{n} {kind}" for kind, n in manifest["counts"].items())
        self.stdout.write(self.style.SUCCESS(f"Exported to {root}: {summary}."))
        self.stdout.write(
            f"Version: {manifest['dataset_version']}; checksum {manifest['checksum']}"
        )
