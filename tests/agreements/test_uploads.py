"""Scans: judged by content, capped in size, hashed, stored once, served only to permitted users as a download."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agreements.models import Agreement
from agreements.services import InvalidScan, attach_scan, check_scan
from agreements.services.uploads import MAX_SCAN_BYTES
from eventsite.activity import history_of
from eventsite.models import EventRole
from tests.factories import EventFactory

from .factories import agreement, member, organizer
from .files import EXE, jpeg_bytes, pdf_bytes, png_bytes


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.AGREEMENTS_PRIVATE_ROOT = str(tmp_path / "private")
    settings.MEDIA_ROOT = str(tmp_path / "media")


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_renamed_executable_is_refused():
    with pytest.raises(InvalidScan) as err:
        check_scan(upload("bien-ban.pdf", EXE))
    assert err.value.code == "scan_type"


def test_oversized_file_is_refused_without_reading_it_all():
    big = upload("big.pdf", b"%PDF-1.4\n" + b"0" * (MAX_SCAN_BYTES + 1) + b"\n%%EOF\n")
    with pytest.raises(InvalidScan) as err:
        check_scan(big)
    assert err.value.code == "scan_too_large"


def test_pdf_named_jpg_is_recognised_as_pdf_and_gets_the_real_extension():
    scan = check_scan(upload("anh-chup.jpg", pdf_bytes(), "image/jpeg"))
    assert scan.content_type == "application/pdf" and scan.extension == "pdf"
    assert scan.original_name == "anh-chup.pdf"


def test_truncated_pdf_and_fake_png_are_refused():
    with pytest.raises(InvalidScan):
        check_scan(upload("cut.pdf", pdf_bytes()[:200]))
    with pytest.raises(InvalidScan):
        check_scan(upload("fake.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 20, "image/png"))


@pytest.mark.parametrize("name,content,ctype", [
    ("bien-ban.pdf", pdf_bytes(), "application/pdf"),
    ("scan.png", png_bytes(), "image/png"),
    ("scan.jpeg", jpeg_bytes(), "image/jpeg"),
])
def test_valid_files_are_accepted_with_sha256(name, content, ctype):
    scan = check_scan(upload(name, content, ctype))
    assert scan.content_type == ctype and scan.sha256 == hashlib.sha256(content).hexdigest()


def test_safe_filename_strips_paths_and_quotes():
    scan = check_scan(upload('../../etc/"bad"\r\nname.exe.pdf', pdf_bytes()))
    assert scan.original_name == "bad___name_exe.pdf"


@pytest.mark.django_db
def test_same_file_is_stored_once_and_download_is_protected(client):
    event = EventFactory()
    a = agreement(event)
    b = agreement(event, title="Khác")
    content = png_bytes()
    attach_scan(agreement=a, actor=None, scan=check_scan(upload("a.png", content, "image/png")))
    attach_scan(agreement=b, actor=None, scan=check_scan(upload("b.png", content, "image/png")))
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.scan.name == b.scan.name and a.scan_sha256 == hashlib.sha256(content).hexdigest()
    assert "media" not in a.scan.path  # outside the public media folder
    assert history_of(a).last().action == "agreements.scan"
    url = reverse("agreements:scan", args=[event.slug, a.pk])

    assert client.get(url).status_code == 302  # anonymous → login
    client.force_login(member(event, EventRole.Role.BUYER))  # a buyer who is not a party
    assert client.get(url).status_code == 404
    party_org = a.parties.get(role="seller").organization
    client.force_login(member(event, EventRole.Role.EXHIBITOR, party_org))
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;") and 'filename="a.png"' in \
        response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff" and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == content
    client.force_login(organizer(event))
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_form_upload_of_renamed_executable_shows_a_translated_error(client):
    event = EventFactory()
    user = organizer(event)
    client.force_login(user)
    from .test_views import form_post

    a = agreement(event)  # parties to reuse
    post = form_post(a, title="Có scan giả")
    post["scan"] = upload("bien-ban.pdf", EXE)
    post["confirm_duplicate"] = "on"
    response = client.post(reverse("agreements:new", args=[event.slug]), post, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    assert "Chỉ nhận tệp PDF, JPEG hoặc PNG" in response.content.decode()
    assert Agreement.objects.count() == 1


@pytest.mark.django_db
def test_valid_pdf_named_jpg_through_the_form_is_stored_and_fingerprinted(client):
    event = EventFactory()
    client.force_login(organizer(event))
    from .test_views import form_post

    a = agreement(event)
    content = pdf_bytes()
    post = form_post(a, title="Có scan thật", confirm_duplicate="on")
    post["scan"] = upload("chup-man-hinh.jpg", content, "image/jpeg")
    response = client.post(reverse("agreements:new", args=[event.slug]), post)
    assert response.status_code == 302
    saved = Agreement.objects.get(title="Có scan thật")
    assert saved.scan_content_type == "application/pdf" and saved.scan.name.endswith(".pdf")
    assert saved.scan_name == "chup-man-hinh.pdf"
    assert saved.scan_sha256 == hashlib.sha256(content).hexdigest()
    assert history_of(saved).get().after["scan_sha256"] == saved.scan_sha256
    assert saved.scan_sha256 in client.get(saved.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_oversized_upload_through_the_form_is_refused(client, settings):
    event = EventFactory()
    client.force_login(organizer(event))
    from .test_views import form_post

    a = agreement(event)
    post = form_post(a, title="Quá lớn", confirm_duplicate="on")
    post["scan"] = upload("lon.pdf", b"%PDF-1.4\n" + b"0" * (MAX_SCAN_BYTES + 10) + b"\n%%EOF\n")
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = None  # let the test client's body through; our own cap must refuse it
    response = client.post(reverse("agreements:new", args=[event.slug]), post, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200 and "Tệp quá lớn: tối đa 10 MB." in response.content.decode()
    assert not Agreement.objects.filter(title="Quá lớn").exists()
