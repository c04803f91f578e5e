"""Compile every .po catalog to .mo with polib, so setup needs no system gettext.

Each .mo is replaced atomically (written beside it, then renamed over it) and only when it changes: a process that
loads a catalog while another compiles (two test workers, a server during setup) reads the old file or the new one,
never half of one; Django keeps a catalog it loaded for the life of the process."""

import os
import tempfile
from pathlib import Path

import polib
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand


def catalogs() -> list[Path]:
    roots = [Path(p) for p in settings.LOCALE_PATHS]
    # Only the project's own apps: installed packages ship their compiled catalogs.
    roots += [Path(config.path) / "locale" for config in apps.get_app_configs()
              if Path(config.path).is_relative_to(settings.BASE_DIR) and "site-packages" not in config.path]
    return sorted(po for root in roots if root.is_dir() for po in root.glob("*/LC_MESSAGES/*.po"))


class Command(BaseCommand):
    help = "Compile the project's translation catalogs (.po -> .mo) without msgfmt."

    def handle(self, *args, **options):
        for po_path in catalogs():
            catalog = polib.pofile(str(po_path))
            write_atomically(po_path.with_suffix(".mo"), catalog.to_binary())
            if options["verbosity"] >= 1:
                self.stdout.write(f"compiled {po_path.relative_to(settings.BASE_DIR)} "
                                  f"({catalog.percent_translated()}% translated)")


def write_atomically(path: Path, content: bytes) -> None:
    """Replace ``path`` by ``content`` in one rename (nothing written when it already holds it)."""
    if path.exists() and path.read_bytes() == content:
        return
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
