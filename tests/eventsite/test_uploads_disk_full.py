"""The uploads disk is full: the upload answers a translated 503, and nothing is half-written.

A real full filesystem, not a simulated error: each test mounts a 64 KiB tmpfs (we are root here and in CI), makes it
the storage's folder, fills it to a few kilobytes of free space and uploads a file larger than that through the
app's own page. Django's FileSystemStorage would leave the first kilobytes of the photo under its real name and the
view would answer 500; eventsite.storage.LocalStorage writes to a hidden temporary file and renames it when
complete, and StorageErrorMiddleware answers 503 with the message. The database row that wanted the file is not
written (the FileField saves its file before the INSERT, inside the service's transaction).

``ulimit -f`` would give EFBIG (a different error, raised by a signal) and a storage test double would not test
the partial file Django leaves behind; a loop device needs an image file and mkfs, a tmpfs does the same job.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from agreements.models import Agreement
from catalog.models import Product
from eventsite import reports
from eventsite.models import EventRole, ReportJob
from tests.agreements.factories import dept, party, party_rows
from tests.factories import DAY1, EventFactory, UserFactory, user_with_role
from tests.services import missing
from tests.uploads import apply_as_exhibitor, product_post

pytestmark = pytest.mark.django_db(transaction=True)


def noisy_png(size: int = 96) -> bytes:
    """A PNG that does not compress: about 3 × size² bytes."""
    import io

    image = Image.frombytes("RGB", (size, size), os.urandom(size * size * 3))
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def free_bytes(path: Path) -> int:
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize


@pytest.fixture
def small_disk(tmp_path):
    """A 64 KiB filesystem of its own, filled to leave ``leave`` bytes; yields (mount point, fill function)."""
    mount = tmp_path / "uploads-disk"
    mount.mkdir()
    if os.geteuid() != 0:
        missing("the disk-full drill mounts a small tmpfs, which needs root (as in CI)")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0755", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        missing(f"the disk-full drill could not mount a small tmpfs: {done.stderr.strip()}")

    def fill(leave: int = 8 * 1024) -> Path:
        filler = mount / "filler.bin"
        filler.write_bytes(b"\0" * max(0, free_bytes(mount) - leave))
        return filler

    try:
        yield mount, fill
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def files_under(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


@pytest.fixture
def on_disk(settings):
    def use(*, media: Path | None = None, private: Path | None = None):
        storages = dict(settings.STORAGES)  # the configured (local) backends, in these folders
        if media is not None:
            settings.MEDIA_ROOT = media
            storages["default"] = {**storages["default"], "OPTIONS": {"location": media}}
        if private is not None:
            storages["private"] = {**storages["private"],
                                   "OPTIONS": {**storages["private"].get("OPTIONS", {}), "location": private}}
        settings.STORAGES = storages

    return use


def test_photo_upload_on_a_full_disk_is_a_translated_503_and_nothing_is_half_written(client, small_disk, on_disk):
    mount, fill = small_disk
    on_disk(media=mount)
    event = EventFactory()
    client.force_login(UserFactory())
    apply_as_exhibitor(client, event)
    photo = noisy_png()
    filler = fill(leave=8 * 1024)
    assert len(photo) > 3 * free_bytes(mount)

    response = product_post(client, event, photo=photo, name="Mật ong rừng U Minh")
    assert response.status_code == 503
    assert response["Retry-After"]
    page = response.content.decode()
    assert "Máy chủ đã hết chỗ lưu tệp tải lên" in page  # Vietnamese by default
    assert not Product.objects.filter(name="Mật ong rừng U Minh").exists()
    assert files_under(mount) == ["filler.bin"], "no partial photo, no temporary file left behind"

    # Room again: the same upload goes through, whole.
    filler.unlink()
    response = product_post(client, event, photo=photo, name="Mật ong rừng U Minh")
    assert response.status_code == 302
    product = Product.objects.get(name="Mật ong rừng U Minh")
    assert (mount / product.photo.name).read_bytes() == photo


def test_htmx_and_json_callers_get_the_message_too(client, small_disk, on_disk):
    mount, fill = small_disk
    on_disk(media=mount)
    event = EventFactory()
    client.force_login(UserFactory())
    apply_as_exhibitor(client, event)
    fill(leave=4 * 1024)
    url = reverse("booths:product_add", kwargs={"event_slug": event.slug})
    data = {"name": "Khô cá", "group": "food", "subgroup": "raw", "stars": 4, "certificate_number": "1",
            "certifying_authority": "province", "certificate_issued_on": "2025-01-10",
            "certificate_expires_on": "2028-01-10"}
    response = client.post(url, {**data, "photo": SimpleUploadedFile("a.png", noisy_png(), "image/png")},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 503 and 'role="alert"' in response.content.decode()
    response = client.post(url, {**data, "photo": SimpleUploadedFile("a.png", noisy_png(), "image/png")},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 503 and response.json()["reason"] == "storage_full"
    assert files_under(mount) == ["filler.bin"]


def test_agreement_scan_on_a_full_private_disk_saves_no_agreement(client, small_disk, on_disk, tmp_path):
    mount, fill = small_disk
    on_disk(private=mount)
    event = EventFactory()
    client.force_login(user_with_role(event, EventRole.Role.ORGANIZER))
    a, b = dept(96), dept(79)
    fill(leave=8 * 1024)
    scan = noisy_png(80)
    post = {"kind": "dept_dept", "title": "Hợp tác thương mại", "signed_at": f"{DAY1:%Y-%m-%d}T10:00",
            "estimated_value": "", "volume": "", "term": "", "ceremony_ref": "", "version": "",
            **party_rows([party(a, "government"), party(b, "government")]),
            "scan": SimpleUploadedFile("bien-ban.png", scan, content_type="image/png")}
    response = client.post(reverse("agreements:new", args=[event.slug]), post)
    assert response.status_code == 503
    assert not Agreement.objects.exists()
    assert files_under(mount) == ["filler.bin"]


def test_report_on_a_full_private_disk_fails_visibly_without_a_file(small_disk, on_disk):
    mount, fill = small_disk
    on_disk(private=mount)
    event = EventFactory()
    organizer = user_with_role(event, EventRole.Role.ORGANIZER)
    fill(leave=0)
    job = reports.start(event=event, kind="agreements_pdf", requested_by=organizer)
    job = ReportJob.objects.get(pk=job.pk)
    assert job.status == ReportJob.Status.FAILED and job.error and not job.file
    assert files_under(mount) == ["filler.bin"]
