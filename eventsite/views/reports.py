"""Exports and reports of an event, made in the background (eventsite/reports.py): start, poll, download."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from .. import reports
from ..access import ORGANIZER, event_view
from ..models import ReportJob
from ..ratelimit import ratelimit
from ..storage import private_download


@event_view(roles=ORGANIZER)
@ratelimit("report", key="user")
def reports_page(request: HttpRequest) -> HttpResponse:
    """GET: recent files of the event. POST ``kind`` (and the kind's own fields, e.g. list filters in the query
    string): start one; HTMX callers get the job's progress fragment, others this page."""
    event = request.event
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        if kind not in reports.KINDS:
            return HttpResponseBadRequest(_("Unknown export."))
        data = request.GET.copy()
        data.update(request.POST)
        job = reports.start(event=event, kind=kind, requested_by=request.user,
                            params=reports.params_from(kind, data))
        if request.headers.get("HX-Request"):
            return render(request, "eventsite/_report_job.html", {"job": job})
        return redirect(reverse("reports", kwargs={"event_slug": event.slug}))
    return render(request, "eventsite/reports.html", {
        "jobs": reports.recent(event),
        "kinds": [(kind, spec.label) for kind, spec in reports.KINDS.items()],
    })


@event_view(roles=ORGANIZER)
def report_job(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(ReportJob, pk=job_id, event=request.event)
    return render(request, "eventsite/_report_job.html", {"job": job})


@event_view(roles=ORGANIZER)
def report_download(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(ReportJob, pk=job_id, event=request.event, status=ReportJob.Status.DONE)
    if not job.file:
        raise Http404
    return private_download(job.file, job.filename, job.content_type or "application/octet-stream")
