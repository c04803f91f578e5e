"""Issue #16 (drill e): a bulk badge job whose worker died (SIGKILL, OOM, power) never stays "running" forever.

A killed worker leaves the job row as it last wrote it: running, half done, and then silent. Every run renews a
lease on the row as it makes progress (``heartbeat_at``); a job whose lease ran out is failed with a message the
organizer sees on the print page, which stops polling. A run that finds its job already taken over (failed by the
reaper, or claimed by another run) stops without writing over it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from eventsite.models import EventRole
from registration.models import BadgeJob
from registration.services import jobs, tokens
from tests.factories import EventFactory, user_with_role

from .factories_checkin import CheckinRegistrationFactory


@pytest.fixture(autouse=True)
def _fresh_key_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    tokens.forget_cached_keys()
    yield
    tokens.forget_cached_keys()


def left_by_a_killed_worker(event, *, silent_for: timedelta) -> BadgeJob:
    """The row a SIGKILLed worker leaves: running, 50 of 120 done, nothing written for ``silent_for``."""
    job = jobs.start_badge_job(event=event, requested_by=None, layout="a4_8xa7", roles=[], statuses=["approved"],
                               background=False)
    BadgeJob.objects.filter(pk=job.pk).update(status=BadgeJob.Status.RUNNING, total=120, done=50,
                                              created_at=timezone.now() - silent_for)
    return job


def poll(client, job) -> str:
    url = reverse("registration:badge_job", kwargs={"event_slug": job.event.slug, "job_id": job.pk})
    return client.get(url).content.decode()


@pytest.mark.django_db
def test_job_of_a_killed_worker_is_failed_visibly_once_its_lease_runs_out(client, settings):
    settings.KETNOI_JOB_LEASE_SECONDS = 60
    event = EventFactory()
    client.force_login(user_with_role(event, EventRole.Role.ORGANIZER))
    job = left_by_a_killed_worker(event, silent_for=timedelta(hours=1))

    html = poll(client, job)

    job.refresh_from_db()
    assert job.status == BadgeJob.Status.FAILED and job.finished_at is not None
    assert 'hx-trigger="every 1s"' not in html, "the page stops polling"
    assert 'role="alert"' in html and "bị gián đoạn" in html  # the organizer reads why, in Vietnamese
    page = client.get(reverse("registration:badge_print", kwargs={"event_slug": event.slug})).content.decode()
    assert "bị gián đoạn" in page


@pytest.mark.django_db
def test_job_within_its_lease_keeps_running(client, settings):
    settings.KETNOI_JOB_LEASE_SECONDS = 60
    event = EventFactory()
    client.force_login(user_with_role(event, EventRole.Role.ORGANIZER))
    job = left_by_a_killed_worker(event, silent_for=timedelta(seconds=5))

    html = poll(client, job)

    job.refresh_from_db()
    assert job.status == BadgeJob.Status.RUNNING
    assert 'hx-trigger="every 1s"' in html


@pytest.mark.django_db
def test_a_worker_starting_a_job_fails_the_stale_ones_of_every_event(settings):
    settings.KETNOI_JOB_LEASE_SECONDS = 60
    stale = left_by_a_killed_worker(EventFactory(), silent_for=timedelta(minutes=5))
    event = EventFactory()
    CheckinRegistrationFactory(event=event)
    fresh = jobs.start_badge_job(event=event, requested_by=None, layout="a4_8xa7", roles=[], statuses=["approved"],
                                 background=False)

    assert jobs.run_badge_job(fresh.pk).status == BadgeJob.Status.DONE
    stale.refresh_from_db()
    assert stale.status == BadgeJob.Status.FAILED and stale.error


@pytest.mark.django_db
def test_a_run_never_writes_over_a_job_that_was_failed_meanwhile(settings):
    """The task of a job the reaper failed (a slow worker, not a dead one) stops and leaves no file behind."""
    settings.KETNOI_JOB_LEASE_SECONDS = 60
    event = EventFactory()
    CheckinRegistrationFactory(event=event)
    job = left_by_a_killed_worker(event, silent_for=timedelta(hours=1))
    assert jobs.fail_stale_badge_jobs() == 1

    job = jobs.run_badge_job(job.pk)

    assert job.status == BadgeJob.Status.FAILED and not job.file
