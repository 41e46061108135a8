"""Freeze a numbered dataset release with its checksum, counts and changelog."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from partnerships.provenance.releases import make_release


class Command(BaseCommand):
    help = "Freeze a numbered dataset release: time, checksum, counts, changelog since the last."

    def add_arguments(self, parser):
        parser.add_argument("version", help="e.g. 1.0.0")
        parser.add_argument("--notes", default="", help="What this release is about.")

    def handle(self, *args, version, notes, **options):
        try:
            release = make_release(version, notes)
        except ValidationError as exc:
            raise CommandError(  # noqa: B904 - the reason is the message
                "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
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
