import io
import time
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse

from eventsite.models import EventRole
from eventsite.storage import private_storage
from registration.models import BadgeJob
from registration.services import jobs, pdf, tokens
from tests.factories import EventFactory, user_with_role

from .factories_checkin import CheckinRegistrationFactory
from .test_badges_pdf import decode_qrs, page_count, pdf_text


@pytest.fixture(autouse=True)
def _fresh_key_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    tokens.forget_cached_keys()
    yield
    tokens.forget_cached_keys()


@pytest.mark.django_db
def test_job_filters_by_role_and_status(tmp_path):
    event = EventFactory()
    for _ in range(9):
        CheckinRegistrationFactory(event=event)
    CheckinRegistrationFactory(event=event, role="speaker", full_name="Phan Thanh Tùng")
    CheckinRegistrationFactory(event=event, role="speaker", status="pending", full_name="Không In")
    job = jobs.start_badge_job(event=event, requested_by=None, layout="a4_8xa7", roles=[], statuses=["approved"],
                               background=False)
    job = jobs.run_badge_job(job.pk)
    assert job.status == BadgeJob.Status.DONE and job.total == job.done == 10
    data = job.file.read()
    assert page_count(data, tmp_path) == 2
    speakers = jobs.run_badge_job(jobs.start_badge_job(event=event, requested_by=None, layout="a4_4xa6",
                                                       roles=["speaker"], statuses=["approved"],
                                                       background=False).pk)
    assert speakers.total == 1
    data = speakers.file.read()
    text = pdf_text(data, tmp_path)
    assert "Phan Thanh Tùng" in text and "Không In" not in text
    assert len(decode_qrs(data, tmp_path)) == 1


@pytest.mark.django_db(transaction=True)
def test_background_job_from_the_page_with_progress_and_download(client, tmp_path):
    event = EventFactory()
    for _ in range(12):
        CheckinRegistrationFactory(event=event)
    client.force_login(user_with_role(event, EventRole.Role.ORGANIZER))
    page = reverse("registration:badge_print", kwargs={"event_slug": event.slug})
    assert client.get(page).status_code == 200
    response = client.post(page, {"layout": "a4_8xa7", "status": ["approved"]})
    assert response.status_code == 302
    job = BadgeJob.objects.get()
    poll = reverse("registration:badge_job", kwargs={"event_slug": event.slug, "job_id": job.pk})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        html = client.get(poll).content.decode()
        assert "<progress" in html
        if 'hx-trigger="every 1s"' not in html:  # finished: the partial stops polling
            break
        time.sleep(0.2)
    job.refresh_from_db()
    assert job.status == BadgeJob.Status.DONE, job.error
    html = client.get(poll).content.decode()
    assert "hx-trigger" not in html and "Tải PDF" in html
    download = client.get(reverse("registration:badge_job_download",
                                  kwargs={"event_slug": event.slug, "job_id": job.pk}))
    data = b"".join(download.streaming_content)
    assert page_count(data, tmp_path) == 2


@pytest.mark.django_db
def test_print_page_is_organizer_only(client):
    event = EventFactory()
    client.force_login(user_with_role(event, EventRole.Role.DESK_STAFF))
    assert client.get(reverse("registration:badge_print", kwargs={"event_slug": event.slug})).status_code == 403


@pytest.mark.django_db
def test_job_file_is_private_and_served_only_to_the_events_organizers(client, settings, tmp_path):
    """Issue #16 (5): the sheet of every attendee's signed QR is never under MEDIA_ROOT, and its download is
    organizer-only with the private headers."""
    event = EventFactory()
    for _ in range(3):
        CheckinRegistrationFactory(event=event)
    job = jobs.run_badge_job(jobs.start_badge_job(event=event, requested_by=None, layout="a4_8xa7", roles=[],
                                                  statuses=["approved"], background=False).pk)
    assert job.status == BadgeJob.Status.DONE
    assert [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()] == []
    assert job.file.storage is private_storage() and job.file.storage.exists(job.file.name)
    url = reverse("registration:badge_job_download", kwargs={"event_slug": event.slug, "job_id": job.pk})

    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(user_with_role(event, EventRole.Role.DESK_STAFF))
    assert client.get(url).status_code == 403
    other = EventFactory()
    client.force_login(user_with_role(other, EventRole.Role.ORGANIZER))
    assert client.get(url).status_code == 403
    own_url_elsewhere = reverse("registration:badge_job_download", kwargs={"event_slug": other.slug,
                                                                            "job_id": job.pk})
    assert client.get(own_url_elsewhere).status_code == 404

    client.force_login(user_with_role(event, EventRole.Role.ORGANIZER))
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Content-Disposition"] == f'attachment; filename="badges-a4_8xa7-{job.pk}.pdf"'
    assert page_count(b"".join(response.streaming_content), tmp_path) == 1


@pytest.mark.django_db
def test_job_file_gone_is_404_not_500(client):
    event = EventFactory()
    CheckinRegistrationFactory(event=event)
    job = jobs.run_badge_job(jobs.start_badge_job(event=event, requested_by=None, layout="a6", roles=[],
                                                  statuses=["approved"], background=False).pk)
    job.file.storage.delete(job.file.name)
    client.force_login(user_with_role(event, EventRole.Role.ORGANIZER))
    url = reverse("registration:badge_job_download", kwargs={"event_slug": event.slug, "job_id": job.pk})
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_big_job_is_a_zip_of_pdf_volumes(client, monkeypatch, tmp_path):
    monkeypatch.setattr(pdf, "CHUNK_BADGES", 2)
    monkeypatch.setattr(pdf, "MAX_PAGES_PER_FILE", 2)
    event = EventFactory()
    for _ in range(5):
        CheckinRegistrationFactory(event=event)
    job = jobs.run_badge_job(jobs.start_badge_job(event=event, requested_by=None, layout="a6", roles=[],
                                                  statuses=["approved"], background=False).pk)
    assert job.status == BadgeJob.Status.DONE and job.is_archive
    client.force_login(user_with_role(event, EventRole.Role.ORGANIZER))
    html = client.get(reverse("registration:badge_job", kwargs={"event_slug": event.slug, "job_id": job.pk}))
    assert "ZIP" in html.content.decode()
    response = client.get(reverse("registration:badge_job_download", kwargs={"event_slug": event.slug,
                                                                             "job_id": job.pk}))
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as zf:
        names = zf.namelist()
        assert names == [f"badges-a6-{job.pk}-part-{n:02d}-of-03.pdf" for n in (1, 2, 3)]
        pages = [page_count(zf.read(name), tmp_path) for name in names]
    assert pages == [2, 2, 1]


@pytest.mark.django_db
def test_migration_moves_public_badge_files_to_private_storage(settings):
    from importlib import import_module

    from django.apps import apps

    event = EventFactory()
    public = Path(settings.MEDIA_ROOT) / "badges" / "event-1-job-1-abc.pdf"
    public.parent.mkdir(parents=True)
    public.write_bytes(b"%PDF-1.4 old sheet")
    moved = BadgeJob.objects.create(event=event, status=BadgeJob.Status.DONE, file="badges/event-1-job-1-abc.pdf")
    lost = BadgeJob.objects.create(event=event, status=BadgeJob.Status.DONE, file="badges/gone.pdf")
    migration = import_module("registration.migrations.0008_badge_files_private")
    migration.move_to_private(apps, None)
    moved.refresh_from_db()
    lost.refresh_from_db()
    assert not public.exists()
    assert moved.file.storage is private_storage() and moved.file.read() == b"%PDF-1.4 old sheet"
    assert lost.file.name == ""
