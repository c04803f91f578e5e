"""Background exports and reports (eventsite/reports.py): the task path on the thread and the database backends,
private files served only to organizers of the event, and safe download headers."""

from __future__ import annotations

import csv
import io
import time

import pytest
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from eventsite import reports
from eventsite.models import EventRole, ReportJob
from registration.models import ImportBatch, Registration
from registration.services import imports
from tests.factories import EventFactory, user_with_role
from tests.registration.factories import RegistrationFactory
from tests.reports import export_via_job, job_url, start_url

Role = EventRole.Role
THREAD = {"default": {"BACKEND": "eventsite.task_backends.ThreadBackend", "QUEUES": ["default"],
                      "OPTIONS": {"THREAD": True}}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def wait_for(predicate, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.mark.django_db
def test_export_from_the_list_page_downloads_privately_with_safe_headers(client):
    event = EventFactory(slug="hoi-cho-ca-mau")
    RegistrationFactory(event=event, full_name="Nguyễn Thị Ánh Tuyết")
    client.force_login(user_with_role(event, Role.ORGANIZER))
    page = client.get(reverse("registration:list", kwargs={"event_slug": event.slug})).content.decode()
    assert 'name="kind" value="registrations_csv"' in page and 'id="report-jobs"' in page
    download = export_via_job(client, event, "registrations_csv")
    assert download["Content-Disposition"].startswith('attachment; filename="registrations-hoi-cho-ca-mau-')
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Cache-Control"] == "private, no-store"
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert [r[0] for r in csv_rows(download.content)[1:]] == ["Nguyễn Thị Ánh Tuyết"]
    # The file is in private storage, not under MEDIA_ROOT where a proxy or DEBUG could serve it.
    from django.conf import settings

    assert download.job.file.storage.location == str(settings.PRIVATE_MEDIA_ROOT)
    assert not str(download.job.file.path).startswith(str(settings.MEDIA_ROOT))


@pytest.mark.django_db
def test_another_events_organizer_gets_neither_the_job_nor_the_file(client):
    event = EventFactory()
    RegistrationFactory(event=event)
    client.force_login(user_with_role(event, Role.ORGANIZER))
    job = export_via_job(client, event, "registrations_xlsx").job
    other_event = EventFactory()
    client.force_login(user_with_role(other_event, Role.ORGANIZER))
    for name in ("report_job", "report_download"):
        assert client.get(job_url(event, job, name)).status_code == 403  # not an organizer of that event
        # Through the event they do organize, the job is simply not there.
        assert client.get(reverse(name, kwargs={"event_slug": other_event.slug, "job_id": job.pk})).status_code == 404
    for role in (Role.DESK_STAFF, Role.EXHIBITOR, Role.BUYER):
        client.force_login(user_with_role(event, role))
        assert client.get(job_url(event, job, "report_download")).status_code == 403
        assert client.post(start_url(event), {"kind": "registrations_csv"}).status_code == 403
    client.logout()
    assert client.get(job_url(event, job, "report_download")).status_code == 302  # to the login page


@pytest.mark.django_db
def test_unfinished_or_unknown_jobs_offer_no_download(client):
    event = EventFactory()
    client.force_login(user_with_role(event, Role.ORGANIZER))
    with TestCase.captureOnCommitCallbacks(execute=False):  # the task never runs: the job stays queued
        response = client.post(start_url(event), {"kind": "agreements_csv"})
    assert response.status_code == 302
    job = ReportJob.objects.get()
    html = client.get(job_url(event, job)).content.decode()
    assert 'hx-trigger="every 1s"' in html and "report_download" not in html
    assert client.get(job_url(event, job, "report_download")).status_code == 404
    assert client.post(start_url(event), {"kind": "../../etc/passwd"}).status_code == 400


@pytest.mark.django_db
def test_a_failing_builder_marks_the_job_failed_with_a_message(client, monkeypatch):
    event = EventFactory()
    from eventsite.apps import ReportKind, collect_report_kinds

    monkeypatch.setitem(collect_report_kinds(), "agreements_csv", ReportKind("x", broken_builder))
    client.force_login(user_with_role(event, Role.ORGANIZER))
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(start_url(event), {"kind": "agreements_csv"}, HTTP_HX_REQUEST="true")
    job = ReportJob.objects.get()
    assert job.status == ReportJob.Status.FAILED and not job.file
    html = client.get(job_url(event, job)).content.decode()
    assert 'role="alert"' in html and job.error in html


def broken_builder(event, params, progress):
    progress(1, 10)
    raise RuntimeError("disk full")


@pytest.mark.django_db(transaction=True)
def test_export_runs_in_a_thread_of_the_web_process(client, settings):
    settings.TASKS = THREAD
    event = EventFactory()
    for i in range(3):
        RegistrationFactory(event=event, full_name=f"Khách {i}")
    client.force_login(user_with_role(event, Role.ORGANIZER))
    response = client.post(start_url(event), {"kind": "registrations_csv"})
    assert response.status_code == 302
    job = ReportJob.objects.get()
    assert wait_for(lambda: ReportJob.objects.get(pk=job.pk).status == ReportJob.Status.DONE)
    job.refresh_from_db()
    assert job.total == 3 and job.done == 3
    data = b"".join(client.get(job_url(event, job, "report_download")).streaming_content)
    assert len(csv_rows(data)) == 4


@pytest.mark.django_db(transaction=True)
def test_export_and_import_run_on_db_worker_in_scale_mode(client, settings):
    settings.TASKS = DATABASE
    event = EventFactory()
    organizer = user_with_role(event, Role.ORGANIZER)
    RegistrationFactory(event=event, full_name="Võ Thị Sáu")
    client.force_login(organizer)
    client.post(start_url(event), {"kind": "registrations_xlsx"})
    job = ReportJob.objects.get()
    assert job.status == ReportJob.Status.QUEUED and DBTaskResult.objects.count() == 1

    batch = imports.start_import(event=event, filename="khach.csv", by=organizer,
                                 data="Họ và tên,Email,Công ty\nLê Văn Tám,tam@hoptac.vn,HTX Tám\n".encode())
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.CHECKING
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0.1")
    job.refresh_from_db()
    batch.refresh_from_db()
    assert job.status == ReportJob.Status.DONE and job.file
    assert batch.status == ImportBatch.Status.PREVIEW and batch.error_count == 0 and not batch.file

    imports.request_confirm(batch=batch, notify=False)
    assert not Registration.objects.filter(email="tam@hoptac.vn").exists()  # queued, not yet saved
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0.1")
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CONFIRMED and batch.total == 1
    assert Registration.objects.filter(event=event, email="tam@hoptac.vn").exists()


def test_report_kinds_come_from_the_apps_in_installed_apps_order():
    """eventsite names no app: each app registers its kinds through its AppConfig (report_kinds)."""
    assert list(reports.KINDS) == ["registrations_csv", "registrations_xlsx", "agreements_csv", "agreements_xlsx",
                                   "agreements_pdf", "official_report_docx", "official_report_pdf"]
    assert reports.KINDS["agreements_pdf"].build.__module__ == "agreements.services.report"
    assert reports.params_from("agreements_pdf", {"lang": "en"}) == {"language": "en"}
    with pytest.raises(reports.UnknownReport):
        reports.params_from("nope", {})
