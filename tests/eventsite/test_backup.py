"""backup + restore bring back every row and every stored file, public and private (SQLite and PostgreSQL passes).

The restore drill fills an instance through the app's own paths (product photos uploaded on the exhibitor's page,
signed agreement scans attached by the agreements service, reports built by the report task), backs it up, wipes
the database (every table dropped) and both file folders, restores, and compares a dump of every model's rows and
the SHA-256 of every file.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tarfile

import pytest
from django.apps import apps
from django.core import serializers
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from agreements.services import attach_scan, check_scan
from eventsite import reports
from eventsite.models import EventRole, Organization, ReportJob
from tests.agreements.factories import agreement
from tests.agreements.files import jpeg_bytes, pdf_bytes
from tests.factories import EventFactory, OrganizationFactory, UserFactory, user_with_role
from tests.uploads import apply_as_exhibitor, png_bytes, upload_product_photo

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def roots(settings, tmp_path):
    """Both storages on disk in folders of this test: public media and private files."""
    media, private = tmp_path / "media", tmp_path / "private"
    settings.MEDIA_ROOT = media
    settings.PRIVATE_MEDIA_ROOT = private
    settings.STORAGES = {  # the configured (local) backends, in these folders
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": media}},
        "private": {**settings.STORAGES["private"],
                    "OPTIONS": {**settings.STORAGES["private"].get("OPTIONS", {}), "location": private}},
    }
    return media, private


def stored_files(root) -> dict[str, str]:
    """SHA-256 of every file under ``root`` (relative path → digest)."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def every_row() -> list[dict]:
    """Every row of every model, serialized (what dumpdata would write), in a stable order."""
    rows = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        rows += json.loads(serializers.serialize("json", model._base_manager.order_by("pk")))
    return sorted(rows, key=lambda r: (r["model"], str(r["pk"])))


def drop_every_table() -> None:
    """The database wiped: every table of the app dropped (not just emptied)."""
    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in tables:
                cursor.execute(f'DROP TABLE "{table}"')
            cursor.execute("PRAGMA foreign_keys = ON")
        else:
            for table in tables:
                cursor.execute(f'DROP TABLE IF EXISTS "{table}" CASCADE')
    assert connection.introspection.table_names() == []


def fill_instance(client) -> dict:
    """Uploads, agreement scans and reports, each through the code path the app uses."""
    event = EventFactory(slug="hoi-cho-ocop-ca-mau", name="Hội chợ OCOP Cà Mau")
    client.force_login(UserFactory())
    apply_as_exhibitor(client, event)
    photos = [upload_product_photo(client, event, photo=png_bytes((i * 40, 92, 138)), name=f"Mật ong {i}")
              for i in range(2)]
    organizer = user_with_role(event, EventRole.Role.ORGANIZER, email="organizer@example.vn")
    first, second = agreement(event, title="Cung ứng khô cá"), agreement(event, title="Phân phối mật ong")
    attach_scan(agreement=first, actor=organizer,
                scan=check_scan(SimpleUploadedFile("mou-1.pdf", pdf_bytes("MoU 1"), content_type="application/pdf")))
    attach_scan(agreement=second, actor=organizer,
                scan=check_scan(SimpleUploadedFile("mou-2.jpg", jpeg_bytes(), content_type="image/jpeg")))
    jobs = [reports.start(event=event, kind=kind, requested_by=organizer)
            for kind in ("agreements_csv", "agreements_xlsx", "agreements_pdf")]
    jobs = [ReportJob.objects.get(pk=job.pk) for job in jobs]
    assert [job.status for job in jobs] == [ReportJob.Status.DONE] * 3
    return {"event": event, "organizer": organizer, "photos": photos, "agreements": [first, second], "jobs": jobs}


def test_restore_drill_brings_back_every_row_and_every_file(client, roots, tmp_path):
    media, private = roots
    world = fill_instance(client)
    rows_before = every_row()
    files_before = {"media": stored_files(media), "private": stored_files(private)}
    # What the drill is about: photos in public media, scans and reports in private storage.
    assert len([n for n in files_before["media"] if n.startswith("products/")]) == 2
    assert len([n for n in files_before["private"] if n.startswith("agreements/")]) == 2
    assert len([n for n in files_before["private"] if n.startswith("reports/")]) == 3

    archive = tmp_path / "backup.tar.gz"
    out = io.StringIO()
    call_command("backup", output=archive, stdout=out)
    assert "private files: 5" in out.getvalue() and "media files: 2" in out.getvalue()

    drop_every_table()
    shutil.rmtree(media)
    shutil.rmtree(private)

    call_command("restore", archive, yes=True, stdout=io.StringIO())
    assert every_row() == rows_before
    assert {"media": stored_files(media), "private": stored_files(private)} == files_before

    # And the app serves them again: the scan through its permission-checked view, a photo from public media.
    first = world["agreements"][0]
    first.refresh_from_db()
    assert first.scan_sha256
    client.force_login(world["organizer"])
    scan = client.get(reverse("agreements:scan", kwargs={"event_slug": world["event"].slug, "pk": first.pk}))
    assert scan.status_code == 200
    assert hashlib.sha256(b"".join(scan.streaming_content)).hexdigest() == first.scan_sha256
    job = world["jobs"][2]
    report = client.get(reverse("report_download", kwargs={"event_slug": world["event"].slug, "job_id": job.pk}))
    assert report.status_code == 200 and b"".join(report.streaming_content).startswith(b"%PDF")


def test_restore_refuses_a_damaged_archive_and_changes_nothing(client, roots, tmp_path):
    media, private = roots
    OrganizationFactory(name="Hợp tác xã Tân Hưng Đông", tax_code="2001234567")
    (private / "agreements").mkdir(parents=True)
    (private / "agreements" / "mou.pdf").write_bytes(b"%PDF-1.7 signed MoU\n%%EOF")
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())
    # Rewrite the archive with one private file altered, manifest unchanged.
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive, "r:gz") as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read() if member.isfile() else None
            if member.name == "private/agreements/mou.pdf":
                data = b"%PDF-1.7 forged\n%%EOF"
                member.size = len(data)
            target.addfile(member, io.BytesIO(data) if data is not None else None)
    OrganizationFactory(name="Added after the backup", tax_code="2009999999")
    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", damaged, yes=True, stdout=io.StringIO())
    assert Organization.objects.filter(tax_code="2009999999").exists()
    assert (private / "agreements" / "mou.pdf").read_bytes() == b"%PDF-1.7 signed MoU\n%%EOF"


def test_backup_then_restore_keeps_the_replaced_folders_aside(client, roots, tmp_path):
    media, private = roots
    OrganizationFactory(name="Hợp tác xã Tân Hưng Đông", tax_code="2001234567")
    (private / "agreements").mkdir(parents=True)
    (private / "agreements" / "mou.pdf").write_bytes(b"%PDF-1.7 signed MoU\n%%EOF")
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())

    Organization.objects.filter(tax_code="2001234567").delete()
    OrganizationFactory(name="Added after the backup", tax_code="2009999999")
    (private / "agreements" / "mou.pdf").unlink()
    media.mkdir(exist_ok=True)
    (media / "late.png").write_bytes(png_bytes())

    call_command("restore", archive, yes=True, stdout=io.StringIO())
    assert Organization.objects.get(tax_code="2001234567").name == "Hợp tác xã Tân Hưng Đông"
    assert not Organization.objects.filter(tax_code="2009999999").exists()
    assert (private / "agreements" / "mou.pdf").read_bytes() == b"%PDF-1.7 signed MoU\n%%EOF"
    assert not (media / "late.png").exists()
    assert list(media.parent.glob("media.replaced-*")), "the replaced media folder is kept aside"
    assert list(private.parent.glob("private.replaced-*")), "the replaced private folder is kept aside"


def test_backup_skips_files_still_being_written(roots, tmp_path):
    media, private = roots
    (media / "products").mkdir(parents=True)
    (media / "products" / "photo.png").write_bytes(png_bytes())
    (media / "products" / ".upload-abc123.part").write_bytes(b"half a photo")
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())
    with tarfile.open(archive, "r:gz") as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert "media/products/photo.png" in names and not [n for n in names if ".upload-" in n]
    assert list(manifest["files"]["default"]["sha256"]) == ["products/photo.png"]


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
