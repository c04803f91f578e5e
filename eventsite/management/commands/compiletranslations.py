"""Compile every .po catalog to .mo with polib, so setup needs no system gettext."""

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
            catalog.save_as_mofile(str(po_path.with_suffix(".mo")))
            if options["verbosity"] >= 1:
                self.stdout.write(f"compiled {po_path.relative_to(settings.BASE_DIR)} "
                                  f"({catalog.percent_translated()}% translated)")
