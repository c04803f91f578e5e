import time

import pytest
from django.urls import reverse

from eventsite.models import EventRole
from registration.models import BadgeJob
from registration.services import jobs, tokens
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
