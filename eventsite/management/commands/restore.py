from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from eventsite.backups import BackupError, restore_backup


class Command(BaseCommand):
    help = ("Restore the database and every stored file (public and private) from a backup archive. "
            "Stop the app servers first.")

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, archive: Path, yes: bool = False, **options):
        if not yes:
            answer = input(f"Replace the current database and stored files with {archive}? [y/N] ")
            if answer.strip().lower() not in {"y", "yes"}:
                raise CommandError("Restore cancelled.")
        try:
            result = restore_backup(archive=archive)
        except BackupError as error:
            raise CommandError(error.message) from None
        manifest = result.manifest
        self.stdout.write(self.style.SUCCESS(f"Restored backup of {manifest['created_at']} ({manifest['engine']})."))
        for note in result.notes:
            self.stdout.write(note)
