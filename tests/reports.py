"""Start a background export or report the way the page does, let the task run, and download the file."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import StreamingHttpResponse
from django.test import TestCase
from django.urls import reverse

from eventsite.models import ReportJob


@dataclass
class Downloaded:
    response: StreamingHttpResponse
    content: bytes
    job: ReportJob

    @property
    def status_code(self) -> int:
        return self.response.status_code

    def __getitem__(self, header: str) -> str:
        return self.response[header]


def start_url(event) -> str:
    return reverse("reports", kwargs={"event_slug": event.slug})


def job_url(event, job, name="report_job") -> str:
    return reverse(name, kwargs={"event_slug": event.slug, "job_id": job.pk})


def export_via_job(client, event, kind: str, query: dict | None = None, data: dict | None = None) -> Downloaded:
    """POST the start form (HTMX), run the task as the test backend does at commit, poll once, download."""
    url = start_url(event)
    if query:
        from urllib.parse import urlencode

        url += "?" + urlencode(query)
    before = set(ReportJob.objects.values_list("pk", flat=True))
    with TestCase.captureOnCommitCallbacks(execute=True):
        started = client.post(url, {"kind": kind, **(data or {})}, HTTP_HX_REQUEST="true")
    assert started.status_code == 200, started.status_code
    (job,) = ReportJob.objects.exclude(pk__in=before)
    assert job.status == ReportJob.Status.DONE, (job.status, job.error)
    poll = client.get(job_url(event, job), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in poll and job_url(event, job, "report_download") in poll
    response = client.get(job_url(event, job, "report_download"))
    assert response.status_code == 200
    return Downloaded(response, b"".join(response.streaming_content), job)
