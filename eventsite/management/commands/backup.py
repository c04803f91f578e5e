from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from eventsite.backups import BackupError, create_backup


class Command(BaseCommand):
    help = "Back up the database and uploaded files into one .tar.gz (default: var/backups/)."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="archive path (.tar.gz)")

    def handle(self, *args, output=None, **options):
        output = output or Path(settings.VAR_DIR) / "backups" / f"ketnoi-{timezone.now():%Y%m%d-%H%M%S}.tar.gz"
        try:
            path = create_backup(output=output)
        except BackupError as error:
            raise CommandError(error.message) from None
        self.stdout.write(self.style.SUCCESS(f"Backup written: {path} ({path.stat().st_size:,} bytes)"))
