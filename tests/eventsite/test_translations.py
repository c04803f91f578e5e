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


def test_translations_one_wording_per_string_across_apps():
    """Django merges every app's catalog: when two apps translate the same msgid differently, one silently
    wins on the other's pages ("Next" once read "Trang sau" on the agenda). Use a context (pgettext) when
    the meaning differs, one wording when it doesn't."""
    root = Path(settings.BASE_DIR)
    seen: dict[tuple, dict[str, list[str]]] = {}
    for path in sorted(root.glob("*/**/LC_MESSAGES/django.po")):
        if {".venv", "node_modules"} & set(path.parts):
            continue
        for entry in polib.pofile(str(path)):
            if entry.msgstr and not entry.obsolete:
                seen.setdefault((entry.msgctxt, entry.msgid), {}).setdefault(entry.msgstr, []).append(
                    str(path.relative_to(root)).split("/")[0])
    clashes = {key: wordings for key, wordings in seen.items() if len(wordings) > 1}
    assert not clashes, "\n".join(f"{key}: {wordings}" for key, wordings in clashes.items())
