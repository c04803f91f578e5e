"""A participant's own meetings: the page, PDF and iCal, and the times they cannot meet."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eventsite.access import event_view
from eventsite.errors import DomainError

from ..forms import BlockedTimeForm, local
from ..models import BlockedTime
from ..queries import meetings_of
from ..services import day, exports, scheduling
from ..services.participants import settings_for
from .common import PARTICIPANTS, is_organizer, participant_or_403, report_error


def _my_meetings(request, me):
    published = settings_for(request.event).published_at is not None
    meetings = list(meetings_of(request.event, {me.organization.pk})) if published else []
    return published, meetings


@event_view(roles=PARTICIPANTS)
def my_schedule(request):
    me = participant_or_403(request)
    published, meetings = _my_meetings(request, me)
    rows = [{"m": m, "other": m.producer if m.buyer_id == me.organization.pk else m.buyer} for m in meetings]
    blocked = BlockedTime.objects.filter(event=request.event, organization=me.organization)
    return render(request, "matchmaking/schedule.html", {
        "me": me, "rows": rows, "published": published, "blocked": blocked, "form": BlockedTimeForm(),
        "hosts_tables": day.hosted_tables(request.user, request.event).exists(),
    })


@event_view(roles=PARTICIPANTS)
def schedule_pdf(request):
    me = participant_or_403(request)
    _published, meetings = _my_meetings(request, me)
    pdf = exports.personal_schedule_pdf(event=request.event, organization=me.organization, meetings=meetings)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="meetings-{request.event.slug}.pdf"'
    return response


@event_view(roles=PARTICIPANTS)
def schedule_ics(request):
    me = participant_or_403(request)
    _published, meetings = _my_meetings(request, me)
    body = exports.schedule_ics(event=request.event, organization=me.organization, meetings=meetings,
                                host=request.get_host().split(":")[0])
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meetings-{request.event.slug}.ics"'
    return response


@event_view(roles=PARTICIPANTS)
@require_POST
def blocked_add(request):
    me = participant_or_403(request)
    form = BlockedTimeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a date, a start and an end time."))
    else:
        data = form.cleaned_data
        try:
            scheduling.block_time(event=request.event, organization=me.organization, user=request.user,
                                  starts_at=local(data["day"], data["starts"]),
                                  ends_at=local(data["day"], data["ends"]),
                                  reason=data["reason"])
        except DomainError as e:
            report_error(request, e)
        else:
            messages.success(request, _("Blocked time added."))
    return redirect("matchmaking:schedule", event_slug=request.event.slug)


@event_view(roles=PARTICIPANTS)
@require_POST
def blocked_delete(request, pk: int):
    try:
        scheduling.unblock_time(event=request.event, blocked_id=pk, user=request.user,
                                as_organizer=is_organizer(request))
    except DomainError as e:
        report_error(request, e)
    else:
        messages.success(request, _("Blocked time removed."))
    return redirect("matchmaking:schedule", event_slug=request.event.slug)
