"""compiletranslations replaces each .mo in one rename, so a process loading a catalog meanwhile (a second test
worker, a server) never reads half a file; unchanged catalogs are not rewritten."""

from __future__ import annotations

import os

import pytest

from eventsite.management.commands.compiletranslations import write_atomically


def test_an_unchanged_catalog_is_left_alone_and_a_changed_one_replaced_whole(tmp_path):
    mo = tmp_path / "django.mo"
    write_atomically(mo, b"first")
    inode = mo.stat().st_ino
    write_atomically(mo, b"first")
    assert mo.stat().st_ino == inode  # not rewritten
    write_atomically(mo, b"second, longer")
    assert mo.read_bytes() == b"second, longer" and mo.stat().st_ino != inode  # a new file renamed over it
    assert [p.name for p in tmp_path.iterdir()] == ["django.mo"]


def test_a_failed_write_keeps_the_old_catalog_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    mo = tmp_path / "django.mo"
    write_atomically(mo, b"old catalog")

    def full_disk(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError):
        write_atomically(mo, b"new catalog")
    assert mo.read_bytes() == b"old catalog"
    assert [p.name for p in tmp_path.iterdir()] == ["django.mo"]
