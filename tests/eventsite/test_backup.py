"""backup + restore bring back the database rows and the uploaded files (SQLite pass and PostgreSQL pass)."""

from __future__ import annotations

import io
import tarfile

import pytest
from django.core.management import CommandError, call_command

from eventsite.models import Organization
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "agreements").mkdir(parents=True)
    return settings.MEDIA_ROOT


def test_backup_then_restore_brings_back_rows_and_files(media, tmp_path):
    OrganizationFactory(name="Hợp tác xã Tân Hưng Đông", tax_code="2001234567")
    (media / "agreements" / "mou.pdf").write_bytes(b"%PDF-1.7 signed MoU\n%%EOF")
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())

    Organization.objects.filter(tax_code="2001234567").delete()
    OrganizationFactory(name="Added after the backup", tax_code="2009999999")
    (media / "agreements" / "mou.pdf").unlink()

    call_command("restore", archive, yes=True, stdout=io.StringIO())
    assert Organization.objects.get(tax_code="2001234567").name == "Hợp tác xã Tân Hưng Đông"
    assert not Organization.objects.filter(tax_code="2009999999").exists()
    assert (media / "agreements" / "mou.pdf").read_bytes() == b"%PDF-1.7 signed MoU\n%%EOF"
    assert list(media.parent.glob("media.replaced-*")), "the replaced media folder is kept aside"


def test_restore_rejects_an_archive_that_is_not_a_backup(tmp_path):
    bogus = tmp_path / "bogus.tar.gz"
    with tarfile.open(bogus, "w:gz") as tar:
        data = b"hello"
        info = tarfile.TarInfo("readme.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    with pytest.raises(CommandError, match="not a Kết Nối backup"):
        call_command("restore", bogus, yes=True)


def test_restore_rejects_missing_file(tmp_path):
    with pytest.raises(CommandError, match="no such archive"):
        call_command("restore", tmp_path / "nope.tar.gz", yes=True)
