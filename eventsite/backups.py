"""Backup and restore of the database and uploaded files, as one .tar.gz.

SQLite is copied with SQLite's online backup API (consistent even while the app writes);
PostgreSQL with pg_dump's custom format and restored with pg_restore in one transaction.
Uploaded files (MEDIA_ROOT) travel in the same archive. A manifest records the engine and the
migration state, and restore refuses an archive made for another engine.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from .errors import DomainError

FORMAT = 1


class BackupError(DomainError):
    code = "backup_failed"


def _engine() -> str:
    return "postgresql" if connection.vendor == "postgresql" else "sqlite"


def _pg_env_and_args() -> tuple[dict[str, str], list[str]]:
    db = connection.settings_dict
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    args = ["-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432),
            "-U", db.get("USER") or "postgres", "-d", db["NAME"]]
    return env, args


def _migration_state() -> dict[str, str]:
    applied = MigrationRecorder(connection).applied_migrations()
    latest: dict[str, str] = {}
    for app, name in sorted(applied):
        latest[app] = name
    return latest


def create_backup(*, output: Path) -> Path:
    """Write database + media to ``output`` (.tar.gz) and return its path."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if _engine() == "sqlite":
            db_file = work / "database.sqlite3"
            source = sqlite3.connect(str(connection.settings_dict["NAME"]))
            target = sqlite3.connect(str(db_file))
            with target:
                source.backup(target)
            source.close()
            target.close()
        else:
            db_file = work / "database.pgdump"
            env, args = _pg_env_and_args()
            result = subprocess.run(["pg_dump", "-Fc", "--no-owner", "-f", str(db_file), *args],
                                    env=env, capture_output=True, text=True)
            if result.returncode != 0:
                raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        manifest = {
            "format": FORMAT,
            "engine": _engine(),
            "created_at": timezone.now().isoformat(),
            "database_file": db_file.name,
            "migrations": _migration_state(),
        }
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2))
        partial = output.with_suffix(output.suffix + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(work / "manifest.json", arcname="manifest.json")
            tar.add(db_file, arcname=db_file.name)
            media = Path(settings.MEDIA_ROOT)
            if media.is_dir():
                tar.add(media, arcname="media")
        partial.replace(output)  # never leave a half-written archive under the real name
    return output


def restore_backup(*, archive: Path) -> dict:
    """Replace the database and media with the archive's content; returns its manifest.

    Stop the app servers first. The current media folder is kept aside, renamed, not deleted.
    """
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"no such archive: {archive}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        try:
            with tarfile.open(archive, "r:gz") as tar:
                tar.extractall(work, filter="data")
            manifest = json.loads((work / "manifest.json").read_text())
        except (tarfile.TarError, OSError, ValueError) as broken:
            raise BackupError(f"not a Kết Nối backup: {broken}") from None
        if manifest.get("format") != FORMAT:
            raise BackupError(f"unsupported backup format {manifest.get('format')!r}")
        if manifest["engine"] != _engine():
            raise BackupError(f"backup is for {manifest['engine']}, this database is {_engine()}")
        db_file = work / manifest["database_file"]
        connection.close()
        if manifest["engine"] == "sqlite":
            source = sqlite3.connect(str(db_file))
            target = sqlite3.connect(str(connection.settings_dict["NAME"]))
            with target:
                source.backup(target)
            source.close()
            target.close()
        else:
            env, args = _pg_env_and_args()
            result = subprocess.run(
                ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", *args, str(db_file)],
                env=env, capture_output=True, text=True,
            )
            if result.returncode != 0:
                raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
        media = Path(settings.MEDIA_ROOT)
        if (work / "media").is_dir():
            if media.exists():
                media.rename(media.with_name(f"{media.name}.replaced-{datetime.now():%Y%m%d-%H%M%S}"))
            shutil.copytree(work / "media", media)
    return manifest
