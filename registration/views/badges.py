"""Badge downloads: the attendee's own badge, any badge for organizers, bulk sheets in the background."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _

from eventsite.access import ORGANIZER, Role, event_view
from eventsite.storage import private_download

from ..models import BadgeJob, BadgeLayout, Registration, RegistrationRole, RegistrationStatus
from ..services import jobs
from ..services.badges import render_badge_pdf
from ..services.tokens import BadgeKeyUnavailable


def _pdf(request: HttpRequest, registration: Registration) -> HttpResponse:
    try:
        content = render_badge_pdf(registration)
    except BadgeKeyUnavailable as error:  # a settings problem for the operator, not a crash for the attendee
        return render(request, "registration/badge_unavailable.html", {"error": error}, status=error.status)
    response = HttpResponse(content, content_type="application/pdf")
    name = slugify(registration.full_name) or "badge"
    response["Content-Disposition"] = f'attachment; filename="badge-{name}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@event_view()
def badge_pdf(request: HttpRequest, registration_id: int) -> HttpResponse:
    """One badge: its owner may download it once approved; organizers may download any."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    registration = get_object_or_404(Registration, pk=registration_id, event=request.event)
    if Role.ORGANIZER in request.event_roles:
        return _pdf(request, registration)
    if registration.user_id != request.user.pk or registration.status != RegistrationStatus.APPROVED:
        raise Http404(_("No badge for you here."))
    return _pdf(request, registration)


@event_view()
def my_badge(request: HttpRequest) -> HttpResponse:
    """The signed-in attendee's badge as PDF; otherwise a page saying why there is none (and how to log in)."""
    registration = None
    if request.user.is_authenticated:
        registration = (
            Registration.objects.filter(event=request.event, user=request.user, status=RegistrationStatus.APPROVED)
            .order_by("-created_at").first()
        )
    if registration is None:
        return render(request, "registration/badge_none.html")
    return _pdf(request, registration)


@event_view(roles=ORGANIZER)
def badge_print(request: HttpRequest) -> HttpResponse:
    """Organizer page: choose layout and whom to print; jobs run in the background with a progress bar."""
    if request.method == "POST":
        layout = request.POST.get("layout", "")
        roles = [r for r in request.POST.getlist("role") if r in RegistrationRole.values]
        statuses = [s for s in request.POST.getlist("status") if s in RegistrationStatus.values]
        if layout not in BadgeLayout.values:
            layout = BadgeLayout.A4_8XA7
        job = jobs.start_badge_job(event=request.event, requested_by=request.user, layout=layout, roles=roles,
                                   statuses=statuses or [RegistrationStatus.APPROVED])
        return redirect(f"{request.path}?job={job.pk}")
    jobs.fail_stale_badge_jobs(event_id=request.event.pk)  # a job whose worker died shows as failed, not running
    jobs_list = BadgeJob.objects.filter(event=request.event).order_by("-created_at")[:10]
    return render(request, "registration/badge_print.html", {
        "layouts": BadgeLayout.choices, "roles": RegistrationRole.choices,
        "statuses": RegistrationStatus.choices, "jobs": jobs_list,
        "current": request.GET.get("job", ""),
    })


@event_view(roles=ORGANIZER)
def badge_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """One job's progress, polled by the print page every second while it is queued or running."""
    jobs.fail_stale_badge_jobs(event_id=request.event.pk)
    job = get_object_or_404(BadgeJob, pk=job_id, event=request.event)
    return render(request, "registration/_badge_job.html", {"job": job})


@event_view(roles=ORGANIZER)
def badge_job_download(request: HttpRequest, job_id: int) -> HttpResponse:
    """The job's file, from private storage, to organizers of its event only, as a private attachment."""
    job = get_object_or_404(BadgeJob, pk=job_id, event=request.event, status=BadgeJob.Status.DONE)
    if not job.file or not job.file.storage.exists(job.file.name):
        raise Http404
    if job.is_archive:
        return private_download(job.file, f"badges-{job.layout}-{job.pk}.zip", "application/zip")
    return private_download(job.file, f"badges-{job.layout}-{job.pk}.pdf", "application/pdf")

