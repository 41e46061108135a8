"""Freeze a numbered dataset release with its checksum, counts and changelog."""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from partnerships.provenance.releases import make_release


class Command(BaseCommand):
    help = "Freeze a numbered dataset release: time, checksum, counts, changelog since the last."

    def add_arguments(self, parser):
        parser.add_argument("version", help="e.g. 1.0.0")
        parser.add_argument("--notes", default="", help="What this release is about.")
        parser.add_argument(
            "--manifest",
            metavar="FOLDER",
            help="Also write FOLDER/<version>.json (the manifest load_knowledge releases from).",
        )

    def handle(self, *args, version, notes, manifest=None, **options):
        try:
            release = make_release(version, notes)
        except ValidationError as exc:
            raise CommandError(  # noqa: B904 - the reason is the message
                "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            )
        if manifest:
            folder = Path(manifest)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{version}.json").write_text(
                json.dumps(
                    {
                        "version": release.version,
                        "released": release.release_date.isoformat(),
                        "notes": release.notes,
                        "checksum": release.checksum,
                        "archive_sha256": release.archive_sha256,
                    },
                    indent=1,
                )
                + "\n",
                encoding="utf-8",
            )
        log = release.changelog
        summary = {
            section: sum(len(items) for items in log.get(section, {}).values())
            for section in ("added", "changed", "removed")
        }
        self.stdout.write(
            self.style.SUCCESS(
                f"Released {release.version}: {summary['added']} added, "
                f"{summary['changed']} changed, {summary['removed']} removed "
                f"since {log.get('since') or 'the beginning'}; checksum {release.checksum}."
            )
        )
