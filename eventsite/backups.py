"""Backup and restore of the database and every stored file, public and private, as one .tar.gz.

SQLite is copied with SQLite's online backup API (consistent even while the app writes); PostgreSQL with
pg_dump's custom format and restored with pg_restore in one transaction. Files travel in the same archive:
``media/`` (the public storage: product and speaker photos) and ``private/`` (the private storage: signed agreement
scans, generated reports, import files, badge sheets), each file with its SHA-256 in ``manifest.json``, checked
again before a restore touches anything.

When a storage alias lives in an S3-compatible object store the files are not copied (they may be many gigabytes
and the store keeps them across machines); the manifest then lists every object (key, size, ETag and version id),
says whether the bucket keeps versions, and ``README.txt`` in the archive and the command's output say what the
store's own versioning must keep for the backup to be complete. Restore then checks that those objects are there.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.core.files.storage import storages
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from .errors import DomainError
from .storage import PARTIAL_PREFIX, local_root

FORMAT = 2  # 1: database + media/ only (still restored); 2: + private/, checksums, object-store listing
# Storage alias → folder in the archive.
ALIASES = {"default": "media", "private": "private"}


class BackupError(DomainError):
    code = "backup_failed"


@dataclass
class BackupResult:
    path: Path
    manifest: dict
    notes: list[str] = field(default_factory=list)


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


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def stored_files(root: Path) -> dict[str, str]:
    """Every complete file under ``root`` (relative POSIX path → SHA-256); files still being written are skipped."""
    found: dict[str, str] = {}
    if not root.is_dir():
        return found
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink() and not path.name.startswith(PARTIAL_PREFIX):
            found[path.relative_to(root).as_posix()] = sha256_of(path)
    return found


def _dump_database(work: Path) -> Path:
    if _engine() == "sqlite":
        db_file = work / "database.sqlite3"
        source = sqlite3.connect(str(connection.settings_dict["NAME"]))
        target = sqlite3.connect(str(db_file))
        with target:
            source.backup(target)
        source.close()
        target.close()
        return db_file
    db_file = work / "database.pgdump"
    env, args = _pg_env_and_args()
    result = subprocess.run(["pg_dump", "-Fc", "--no-owner", "-f", str(db_file), *args],
                            env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return db_file


def _object_store_listing(alias: str) -> dict:
    """Every object under the alias's prefix, with the version the store holds now (when it keeps versions)."""
    storage = storages[alias]
    client = storage.connection.meta.client
    bucket, prefix = storage.bucket_name, storage.location.strip("/")
    status = client.get_bucket_versioning(Bucket=bucket).get("Status", "Disabled")
    objects = []
    if status in {"Enabled", "Suspended"}:
        for page in client.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix):
            objects += [{"key": v["Key"], "size": v["Size"], "etag": v["ETag"].strip('"'),
                         "version_id": v["VersionId"]} for v in page.get("Versions", []) if v["IsLatest"]]
    else:
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            objects += [{"key": o["Key"], "size": o["Size"], "etag": o["ETag"].strip('"'), "version_id": None}
                        for o in page.get("Contents", [])]
    return {"kind": "object_store", "endpoint": storage.endpoint_url or "", "bucket": bucket, "prefix": prefix,
            "versioning": status, "count": len(objects), "bytes": sum(o["size"] for o in objects),
            "objects": sorted(objects, key=lambda o: o["key"])}


def _readme(manifest: dict) -> str:
    lines = [
        "Kết Nối backup",
        f"Made {manifest['created_at']} from a {manifest['engine']} database.",
        "",
        f"{manifest['database_file']}: the whole database.",
    ]
    for alias, folder in ALIASES.items():
        entry = manifest["files"][alias]
        if entry["kind"] == "local":
            lines.append(f"{folder}/: every {alias} stored file ({entry['count']} files, {entry['bytes']:,} bytes); "
                         "SHA-256 of each in manifest.json.")
        else:
            lines += [
                f"{folder}: NOT in this archive. These files are objects in bucket {entry['bucket']!r} under "
                f"{entry['prefix']!r}/ at {entry['endpoint'] or 'AWS S3'} ({entry['count']} objects, "
                f"{entry['bytes']:,} bytes, listed with their version ids in manifest.json).",
                "  The store's own versioning must keep them: turn versioning on for the bucket and keep "
                "noncurrent versions (lifecycle rule) at least as long as you keep this archive; restoring this "
                "archive needs those object versions back in place.",
            ]
    return "\n".join(lines) + "\n"


def _notes(manifest: dict) -> list[str]:
    notes = []
    for alias, folder in ALIASES.items():
        entry = manifest["files"][alias]
        if entry["kind"] != "object_store":
            continue
        notes.append(f"{folder} files are in the object store (bucket {entry['bucket']}, prefix {entry['prefix']}/, "
                     f"{entry['count']} objects), not in the archive: keep the bucket's versioning on and its "
                     "noncurrent versions as long as this archive.")
        if entry["versioning"] != "Enabled":
            notes.append(f"WARNING: versioning is {entry['versioning']} on bucket {entry['bucket']}: an object "
                         "deleted or overwritten after this backup cannot be brought back.")
    return notes


def create_backup(*, output: Path) -> BackupResult:
    """Write the database and every stored file (or, for an object store, the list of objects) to ``output``."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        db_file = _dump_database(work)
        files: dict[str, dict] = {}
        roots: dict[str, Path] = {}
        for alias in ALIASES:
            root = local_root(alias)
            if root is None:
                files[alias] = _object_store_listing(alias)
                continue
            if any(root.is_relative_to(other) or other.is_relative_to(root) for other in roots.values()):
                raise BackupError(f"{root} and {list(roots.values())} overlap: private files must not be kept under "
                                  "MEDIA_ROOT (nginx serves it)")
            roots[alias] = root
            checksums = stored_files(root)
            files[alias] = {"kind": "local", "count": len(checksums),
                            "bytes": sum((root / name).stat().st_size for name in checksums), "sha256": checksums}
        manifest = {
            "format": FORMAT,
            "engine": _engine(),
            "created_at": timezone.now().isoformat(),
            "database_file": db_file.name,
            "database_sha256": sha256_of(db_file),
            "migrations": _migration_state(),
            "files": files,
        }
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
        (work / "README.txt").write_text(_readme(manifest))
        partial = output.with_suffix(output.suffix + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(work / "manifest.json", arcname="manifest.json")
            tar.add(work / "README.txt", arcname="README.txt")
            tar.add(db_file, arcname=db_file.name)
            for alias, root in roots.items():
                for name in files[alias]["sha256"]:
                    tar.add(root / name, arcname=f"{ALIASES[alias]}/{name}")
        partial.replace(output)  # never leave a half-written archive under the real name
    return BackupResult(path=output, manifest=manifest, notes=_notes(manifest))


def _verify_extracted(work: Path, manifest: dict) -> None:
    """Every file the manifest lists is in the archive with its checksum: a damaged archive restores nothing."""
    if "database_sha256" in manifest and sha256_of(work / manifest["database_file"]) != manifest["database_sha256"]:
        raise BackupError("the database file in the archive is damaged (checksum differs)")
    for alias, folder in ALIASES.items():
        entry = manifest.get("files", {}).get(alias, {})
        for name, expected in entry.get("sha256", {}).items():
            path = work / folder / name
            if not path.is_file() or sha256_of(path) != expected:
                raise BackupError(f"{folder}/{name} in the archive is missing or damaged (checksum differs)")


def _restore_database(db_file: Path, engine: str) -> None:
    connection.close()
    if engine == "sqlite":
        source = sqlite3.connect(str(db_file))
        target = sqlite3.connect(str(connection.settings_dict["NAME"]))
        with target:
            source.backup(target)
        source.close()
        target.close()
        return
    env, args = _pg_env_and_args()
    result = subprocess.run(
        ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", *args, str(db_file)],
        env=env, capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")


def _restore_folder(source: Path, target: Path) -> None:
    """Put ``source`` in place of ``target``; the current folder is kept aside, renamed, never deleted."""
    if target.exists():
        target.rename(target.with_name(f"{target.name}.replaced-{datetime.now():%Y%m%d-%H%M%S-%f}"))
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        target.mkdir()


def _missing_objects(alias: str, entry: dict) -> list[str]:
    storage = storages[alias]
    client = storage.connection.meta.client
    missing = []
    for obj in entry.get("objects", []):
        params = {"Bucket": entry["bucket"], "Key": obj["key"]}
        if obj.get("version_id"):
            params["VersionId"] = obj["version_id"]
        try:
            client.head_object(**params)
        except Exception:  # botocore ClientError (404/403): the object (version) is not there
            missing.append(obj["key"])
    return missing


def restore_backup(*, archive: Path) -> BackupResult:
    """Replace the database and the stored files with the archive's content.

    Stop the app servers first. The current file folders are kept aside, renamed, not deleted. For files kept in an
    object store, checks that every object listed in the archive is still there and names the missing ones.
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
        if manifest.get("format") not in {1, FORMAT}:
            raise BackupError(f"unsupported backup format {manifest.get('format')!r}")
        if manifest["engine"] != _engine():
            raise BackupError(f"backup is for {manifest['engine']}, this database is {_engine()}")
        files = manifest.get("files") or {"default": {"kind": "local"}}  # format 1: media/ only
        for alias in files:
            if files[alias]["kind"] == "local" and local_root(alias) is None:
                raise BackupError(f"the archive holds the {ALIASES[alias]} files on disk, but this instance keeps "
                                  "them in an object store: restore with local storage, then copy them to the store")
        _verify_extracted(work, manifest)
        _restore_database(work / manifest["database_file"], manifest["engine"])
        notes = []
        for alias, entry in files.items():
            if entry["kind"] == "local":
                if manifest["format"] == 1 and not (work / ALIASES[alias]).is_dir():
                    continue  # a format-1 archive made without a media folder leaves the current one alone
                _restore_folder(work / ALIASES[alias], local_root(alias))
            else:
                missing = _missing_objects(alias, entry)
                if missing:
                    notes.append(f"{len(missing)} {ALIASES[alias]} objects listed in the backup are missing from "
                                 f"bucket {entry['bucket']}; bring back these versions from the store's versioning: "
                                 + ", ".join(missing[:20]) + (" …" if len(missing) > 20 else ""))
                else:
                    notes.append(f"all {entry['count']} {ALIASES[alias]} objects listed in the backup are in bucket "
                                 f"{entry['bucket']}.")
    return BackupResult(path=archive, manifest=manifest, notes=notes)
