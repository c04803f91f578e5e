"""Background tasks: the embedded thread backend runs after commit (never on rollback); the database backend
stores the task in the caller's transaction and `db_worker` runs it (the scale-mode path)."""

from __future__ import annotations

import threading
import time

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from registration.models import BadgeJob
from registration.services import jobs, tokens
from registration.tasks import build_badge_pdf, send_registration_email
from tests.factories import EventFactory
from tests.registration.factories_checkin import CheckinRegistrationFactory

THREAD = {"default": {"BACKEND": "eventsite.task_backends.ThreadBackend", "QUEUES": ["default"],
                      "OPTIONS": {"THREAD": True}}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    tokens.forget_cached_keys()
    yield
    tokens.forget_cached_keys()


def wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


class Boom(Exception):
    pass


def refreshed(result):
    result.refresh()
    return result


@task()
def explode(message: str) -> None:
    raise Boom(message)


@pytest.mark.django_db(transaction=True)
def test_thread_backend_runs_a_task_only_after_commit_and_never_on_rollback(settings):
    settings.TASKS = THREAD
    with transaction.atomic():
        registration = CheckinRegistrationFactory(email="an.nguyen@example.vn")
        result = send_registration_email.enqueue(registration_id=registration.pk, kind="decision")
        time.sleep(0.5)  # a thread started now would find no committed registration and send nothing
        assert mail.outbox == [] and result.status == "READY"
    assert wait_for(lambda: len(mail.outbox) == 1)
    assert mail.outbox[0].to == ["an.nguyen@example.vn"]
    assert wait_for(lambda: refreshed(result).status == "SUCCESSFUL")  # TaskResult.refresh(): public API
    assert result.worker_ids and threading.current_thread().name not in result.worker_ids

    with pytest.raises(Boom), transaction.atomic():
        other = CheckinRegistrationFactory(email="rolled.back@example.vn")
        send_registration_email.enqueue(registration_id=other.pk, kind="decision")
        raise Boom
    time.sleep(0.5)
    assert [m.to for m in mail.outbox] == [["an.nguyen@example.vn"]]


@pytest.mark.django_db(transaction=True)
def test_bulk_badge_job_on_the_thread_backend_produces_its_pdf(settings):
    settings.TASKS = THREAD
    event = EventFactory()
    for _ in range(5):
        CheckinRegistrationFactory(event=event)
    job = jobs.start_badge_job(event=event, requested_by=None, layout="a4_8xa7", roles=[], statuses=["approved"])
    assert wait_for(lambda: BadgeJob.objects.get(pk=job.pk).status == BadgeJob.Status.DONE)
    job.refresh_from_db()
    assert job.total == job.done == 5 and job.file.read(5) == b"%PDF-"


@pytest.mark.django_db(transaction=True)
def test_database_backend_enqueues_in_the_transaction_and_db_worker_runs_it(settings):
    settings.TASKS = DATABASE
    event = EventFactory()
    for _ in range(3):
        CheckinRegistrationFactory(event=event)

    with pytest.raises(Boom), transaction.atomic():
        jobs.start_badge_job(event=event, requested_by=None, layout="a4_8xa7", roles=[], statuses=["approved"])
        assert DBTaskResult.objects.count() == 1
        raise Boom
    assert DBTaskResult.objects.count() == 0 and BadgeJob.objects.count() == 0  # no orphan task, no orphan job

    job = jobs.start_badge_job(event=event, requested_by=None, layout="a4_8xa7", roles=[], statuses=["approved"])
    row = DBTaskResult.objects.get()
    assert row.status == "READY" and row.task_path == "registration.tasks.build_badge_pdf"
    assert row.args_kwargs["kwargs"] == {"job_id": job.pk}
    assert BadgeJob.objects.get(pk=job.pk).status == BadgeJob.Status.QUEUED

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0.1")

    row.refresh_from_db()
    job.refresh_from_db()
    assert row.status == "SUCCESSFUL" and row.return_value == BadgeJob.Status.DONE
    assert job.status == BadgeJob.Status.DONE and job.total == 3 and job.file.read(5) == b"%PDF-"
    assert build_badge_pdf.get_result(str(row.id)).status == "SUCCESSFUL"


@pytest.mark.parametrize("thread", [True, False])
@pytest.mark.django_db(transaction=True)
def test_thread_backend_records_and_logs_a_failure_and_never_raises_it(settings, caplog, thread):
    settings.TASKS = {"default": {**THREAD["default"], "OPTIONS": {"THREAD": thread}}}
    with transaction.atomic():  # the commit (the web request) is not disturbed by the failing task
        result = explode.enqueue(message="giấy in hết")
    assert wait_for(lambda: refreshed(result).status == "FAILED")
    assert [e.exception_class for e in result.errors] == [Boom]
    assert "giấy in hết" in result.errors[0].traceback
    assert wait_for(lambda: any(r.levelname == "ERROR" and result.task.module_path in r.getMessage()
                                for r in caplog.records))
    assert explode.get_result(result.id).status == "FAILED"
