"""Every user-facing string has a Vietnamese translation.

Runs ``makemessages`` on a copy of the source tree (so the working tree is untouched) and
fails on any ``vi`` entry that is empty or fuzzy, naming the file and the string.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

SKIP_DIRS = {".venv", "node_modules", "var", "staticfiles", "test-artifacts", ".git", "media",
             ".pytest_cache", ".ruff_cache", ".hypothesis", "__pycache__"}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    if shutil.which("xgettext") is None:
        from tests.services import missing
        missing("needs GNU gettext (xgettext) to extract strings; `make test` installs it")
    root = Path(settings.BASE_DIR)
    copy = tmp_path_factory.mktemp("src")
    shutil.copytree(root, copy / "src", ignore=lambda d, names: [n for n in names if n in SKIP_DIRS],
                    symlinks=True)
    src = copy / "src"
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "vi", "--no-obsolete",
         "-i", "tests", "-i", "bench", "-i", "node_modules", "-i", "var"],
        cwd=src, check=True, capture_output=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "eventsite.settings", "PYTHONPATH": str(src)},
    )
    return src


def test_translations_vi_complete(extracted):
    catalogs = sorted(extracted.glob("**/locale/vi/LC_MESSAGES/django.po"))
    assert catalogs, "no Vietnamese catalog found"
    problems = []
    for path in catalogs:
        for entry in polib.pofile(str(path)):
            if entry.obsolete:
                continue
            if entry.fuzzy:
                problems.append(f"{path.relative_to(extracted)}: fuzzy: {entry.msgid!r}")
            elif not entry.translated():
                problems.append(f"{path.relative_to(extracted)}: untranslated: {entry.msgid!r}")
    assert not problems, f"{len(problems)} Vietnamese strings missing:\n" + "\n".join(problems[:80])


def test_translations_every_app_catalog_compiles(extracted):
    for path in extracted.glob("**/locale/vi/LC_MESSAGES/django.po"):
        polib.pofile(str(path)).save_as_mofile(str(path.with_suffix(".mo")))
