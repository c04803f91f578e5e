from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from eventsite.backups import ALIASES, BackupError, create_backup


class Command(BaseCommand):
    help = ("Back up the database and every stored file, public and private, into one .tar.gz (default: "
            "var/backups/). Files kept in an object store are listed, not copied: see the output.")

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="archive path (.tar.gz)")

    def handle(self, *args, output=None, **options):
        output = output or Path(settings.VAR_DIR) / "backups" / f"ketnoi-{timezone.now():%Y%m%d-%H%M%S}.tar.gz"
        try:
            result = create_backup(output=output)
        except BackupError as error:
            raise CommandError(error.message) from None
        path = result.path
        self.stdout.write(self.style.SUCCESS(f"Backup written: {path} ({path.stat().st_size:,} bytes)"))
        self.stdout.write(f"  database: {result.manifest['database_file']} ({result.manifest['engine']})")
        for alias, folder in ALIASES.items():
            entry = result.manifest["files"][alias]
            where = "in the archive" if entry["kind"] == "local" else f"in bucket {entry['bucket']} (not copied)"
            self.stdout.write(f"  {folder} files: {entry['count']} ({entry['bytes']:,} bytes) {where}")
        for note in result.notes:
            self.stdout.write(self.style.WARNING(note))
