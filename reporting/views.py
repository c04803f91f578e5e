"""The organizer's official-report page (text form, then DOCX/PDF as background jobs) and the public open data."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from eventsite.access import ORGANIZER, event_view
from eventsite.models import Event, ReportJob
from eventsite.ratelimit import ratelimit

from . import opendata
from .content import build_report, text_for
from .forms import OfficialReportTextForm
from .pdf_report import missing_fonts
from .services import KINDS, save_report_text, start_official_report

GROUPS = (
    (gettext_lazy("Heading"),
     ("parent_body", "issuing_body", "number", "symbol", "place", "date", "subject")),
    (gettext_lazy("Text of the report"), ("opening", "assessment", "proposals")),
    (gettext_lazy("Recipients and signature"), ("recipients", "signer_position", "signer_name")),
)
ACTIONS = {"save": None, "docx": "official_report_docx", "pdf": "official_report_pdf"}


@event_view(roles=ORGANIZER)
@ratelimit("report", key="user")
def official_report(request: HttpRequest) -> HttpResponse:
    """GET: the form with the organizer's text and a preview of the figures. POST: save the text, then (buttons
    "docx"/"pdf") start the file, which appears in the list below when made."""
    event = request.event
    text = text_for(event)
    form = OfficialReportTextForm(request.POST or None, instance=text)
    if request.method == "POST" and form.is_valid():
        save_report_text(form=form, event=event, actor=request.user)
        kind = ACTIONS.get(request.POST.get("action", "save"))
        if kind:
            start_official_report(event=event, kind=kind, requested_by=request.user)
            messages.success(request, _("Saved. The file is being made; it appears below when ready."))
        else:
            messages.success(request, _("Saved."))
        return redirect(reverse("reporting:official_report", kwargs={"event_slug": event.slug}))
    return render(request, "reporting/official_report.html", {
        "form": form,
        "groups": [(legend, [form[name] for name in names]) for legend, names in GROUPS],
        "report": build_report(event, text),
        "jobs": ReportJob.objects.filter(event=event, kind__in=KINDS).order_by("-created_at")[:6],
        "fonts_missing": bool(missing_fonts()),
        "open_data_json": reverse("reporting:open_data_json", kwargs={"event_slug": event.slug}),
        "open_data_csv": reverse("reporting:open_data_csv", kwargs={"event_slug": event.slug}),
    })


@event_view(roles=None)
def open_data(request: HttpRequest, fmt: str) -> HttpResponse:
    """Public figures of a published (or archived) event; drafts are not published, even to their organizers."""
    if request.event.status == Event.Status.DRAFT:
        raise Http404
    data = opendata.open_data(request.event)
    if fmt == "json":
        response = HttpResponse(opendata.as_json(data), content_type="application/json; charset=utf-8")
    else:
        response = HttpResponse(opendata.as_csv(data), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{request.event.slug}-ket-qua.csv"'
    response["Access-Control-Allow-Origin"] = "*"  # the portal may read it from the browser
    response["Cache-Control"] = "public, max-age=300"
    return response

