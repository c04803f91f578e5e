"""Organizer pages: sessions and tables, placing meetings (by hand or all at once), sheets and the report."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eventsite.access import ORGANIZER, STAFF, event_view
from eventsite.errors import DomainError
from eventsite.numbers import INT32_MAX, NumberError, parse_int

from ..forms import PlaceForm, SessionForm, TablesForm, local
from ..models import Meeting, MeetingRequest, MeetingSession, MeetingSlot, MeetingTable
from ..queries import requests_for
from ..services import exports, reports, scheduling
from ..services.participants import settings_for
from .common import report_error

UNPLACED_SHOWN = 100


def _back(request):
    return redirect("matchmaking:organize", event_slug=request.event.slug)


@event_view(roles=ORGANIZER)
def organize(request):
    event = request.event
    unplaced = requests_for(event).filter(status=MeetingRequest.Status.ACCEPTED, meeting__isnull=True)
    return render(request, "matchmaking/organize.html", {
        "config": settings_for(event),
        "sessions": MeetingSession.objects.filter(event=event).prefetch_related("slots"),
        "tables": MeetingTable.objects.filter(event=event),
        "slots": MeetingSlot.objects.filter(session__event=event),
        "unplaced": unplaced[:UNPLACED_SHOWN], "unplaced_count": unplaced.count(),
        "placed_count": Meeting.objects.filter(event=event).count(),
        "session_form": SessionForm(), "tables_form": TablesForm(event=event),
    })


@event_view(roles=ORGANIZER)
@require_POST
def session_add(request):
    form = SessionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the session: name, date, start, end and slot length are required."))
        return _back(request)
    d = form.cleaned_data
    try:
        session = scheduling.create_session(event=request.event, name=d["name"], starts_at=local(d["day"], d["starts"]),
                                            ends_at=local(d["day"], d["ends"]), slot_minutes=d["slot_minutes"])
    except DomainError as e:
        report_error(request, e)
    else:
        messages.success(request, _("Session “%(name)s” added with %(n)s slots.")
                         % {"name": session.name, "n": session.slots.count()})
    return _back(request)


@event_view(roles=ORGANIZER)
@require_POST
def tables_add(request):
    form = TablesForm(request.POST, event=request.event)
    if not form.is_valid():
        messages.error(request, _("Enter how many tables (1–500) or choose booths of this event, and the seats "
                                  "per table (2–20)."))
        return _back(request)
    d = form.cleaned_data
    codes = [c for c in d["booth_codes"].split(",") if c.strip()]
    try:
        tables = scheduling.add_tables(event=request.event, count=d["count"], seats=d["seats"], booth_codes=codes,
                                       booths=list(d["booths"]))
    except DomainError as e:
        report_error(request, e)
    else:
        messages.success(request, _("%(n)s tables added.") % {"n": len(tables)})
    return _back(request)


@event_view(roles=ORGANIZER)
@require_POST
def place(request):
    form = PlaceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a slot and a table."))
        return _back(request)
    try:
        meeting = scheduling.place_meeting(event=request.event, request_id=form.cleaned_data["request"],
                                           slot_id=form.cleaned_data["slot"], table_id=form.cleaned_data["table"])
    except DomainError as e:
        report_error(request, e)
    else:
        messages.success(request, _("Placed: %(meeting)s.") % {"meeting": meeting})
    return _back(request)


@event_view(roles=ORGANIZER)
@require_POST
def unplace(request, pk: int):
    try:
        scheduling.unplace_meeting(event=request.event, meeting_id=pk)
    except DomainError as e:
        report_error(request, e)
    else:
        messages.success(request, _("The meeting went back to the unplaced list."))
    return redirect("matchmaking:meetings", event_slug=request.event.slug)


@event_view(roles=ORGANIZER)
@require_POST
def schedule_all(request):
    try:
        result = scheduling.schedule_all(event=request.event, publish=True)
    except DomainError as e:
        report_error(request, e)
    else:
        messages.success(request, _(
            "Schedule published: %(placed)s meetings placed now, %(already)s already placed, %(unplaced)s could not "
            "be placed (upper bound for this run: %(bound)s).") % {
            "placed": result.placed, "already": result.already, "unplaced": result.unplaced,
            "bound": result.upper_bound})
    return _back(request)


@event_view(roles=ORGANIZER)
@require_POST
def publish(request):
    config = scheduling.publish_schedule(event=request.event)
    messages.success(request, _("Schedule published (version %(v)s).") % {"v": config.schedule_version})
    return _back(request)


@event_view(roles=ORGANIZER)
def meetings(request):
    qs = (Meeting.objects.filter(event=request.event).select_related("slot", "table", "buyer", "producer")
          .order_by("slot__starts_at", "table__number"))
    return render(request, "matchmaking/meetings.html", {"meetings": qs})


@event_view(roles=STAFF)
def table_sheets(request):
    """Every table's sheet, one per page; ``?table=<number>`` prints one table only."""
    event = request.event
    tables = MeetingTable.objects.filter(event=event)
    meetings_qs = (Meeting.objects.filter(event=event).select_related("slot", "table", "buyer", "producer")
                   .order_by("table__number", "slot__starts_at"))
    suffix = ""
    if request.GET.get("table", ""):
        try:
            number = parse_int(request.GET["table"], minimum=1, maximum=INT32_MAX)
        except NumberError:
            raise Http404 from None
        tables, meetings_qs = tables.filter(number=number), meetings_qs.filter(table__number=number)
        if not tables.exists():
            raise Http404
        suffix = f"-{number}"
    pdf = exports.table_sheets_pdf(event=event, tables=tables, meetings=meetings_qs)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="tables-{event.slug}{suffix}.pdf"'
    return response


@event_view(roles=ORGANIZER)
def report(request):
    by_kind, total = reports.tally_meetings(event=request.event, by="kind")
    by_group, _total = reports.tally_meetings(event=request.event, by="group")
    return render(request, "matchmaking/report.html", {"by_kind": by_kind, "by_group": by_group, "total": total})
