"""Dependencies point one way (docs/architecture.md): the import-linter contracts in pyproject.toml hold, and they
catch a back-import even when it hides inside a function."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["root_packages"]


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    if not LINT_IMPORTS.exists():
        pytest.fail(f"{LINT_IMPORTS} missing: pip install -r requirements-dev.txt")
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(cwd)})


def test_import_contracts_are_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _copy_of_the_project(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package,
                        ignore=shutil.ignore_patterns("__pycache__", "locale", "static", "templates"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


@pytest.mark.parametrize(("module", "back_import", "expected"), [
    ("agenda/views.py", "from agreements.services import ceremony_counts", "agenda.views -> agreements.services"),
    ("matchmaking/services/reports.py", "from agreements.services.entry import counted_filter",
     "matchmaking.services.reports -> agreements.services.entry"),
    ("catalog/queries.py", "import booths.models", "catalog.queries -> booths.models"),
    ("eventsite/reports.py", "from registration.services import exports",
     "eventsite.reports -> registration.services"),
    # The ASGI application knows no app either: the scanners' API goes through Django like every request.
    ("eventsite/asgi.py", "from checkin import api", "eventsite.asgi -> checkin.api"),
])
def test_a_back_import_inside_a_function_breaks_a_contract(tmp_path, module, back_import, expected):
    project = _copy_of_the_project(tmp_path)
    with open(project / module, "a") as source:
        source.write(f"\n\ndef _sneaky():\n    {back_import}  # noqa\n")
    result = lint_imports(project)
    assert result.returncode != 0, result.stdout
    assert expected in result.stdout
