"""On the day: one meeting (check-in, no-show, outcome) and the live table board."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eventsite.access import STAFF, event_view
from eventsite.errors import DomainError

from ..forms import OutcomeForm
from ..models import Meeting, MeetingTable
from ..queries import board_slot
from ..services import day
from ..services.day import STAFF_ROLES
from ..services.participants import organization_ids_of
from .common import BOARD_ROLES, report_error


def _meeting_for(request, pk: int) -> tuple[Meeting, str | None]:
    meeting = (Meeting.objects.select_related("slot", "table", "buyer", "producer", "request")
               .prefetch_related("request__products", "outcomes").filter(event=request.event, pk=pk).first())
    if meeting is None:
        raise Http404
    side = meeting.side_of(organization_ids_of(request.user, request.event))
    if side is None and not request.event_roles & STAFF_ROLES:
        raise Http404  # other people's meetings do not exist for you
    return meeting, side


@event_view(roles=BOARD_ROLES)
def meeting_detail(request, pk: int):
    meeting, side = _meeting_for(request, pk)
    outcomes = {o.side: o for o in meeting.outcomes.all()}
    mine = outcomes.get(side) if side else None
    mou = any(o.result == o.Result.MOU for o in outcomes.values())
    return render(request, "matchmaking/meeting.html", {
        "m": meeting, "side": side, "outcomes": outcomes.values(),
        "form": OutcomeForm(initial={"result": mine.result, "note": mine.note} if mine else None),
        "mou": mou, "agreement_url": day.agreement_entry_url(meeting, request.event.slug) if mou else None,
        "agreement_params": day.agreement_entry_params(meeting) if mou else None,
    })


def _act(request, pk: int, action, done: str):
    _meeting_for(request, pk)
    try:
        action(event=request.event, meeting_id=pk, user=request.user)
    except DomainError as e:
        report_error(request, e)
    else:
        messages.success(request, done)
    return redirect("matchmaking:meeting", event_slug=request.event.slug, pk=pk)


@event_view(roles=BOARD_ROLES)
@require_POST
def meeting_check_in(request, pk: int):
    return _act(request, pk, day.check_in_meeting, _("Checked in: the meeting is under way."))


@event_view(roles=BOARD_ROLES)
@require_POST
def meeting_no_show(request, pk: int):
    return _act(request, pk, day.report_no_show, _("No-show reported."))


@event_view(roles=BOARD_ROLES)
@require_POST
def meeting_outcome(request, pk: int):
    _meeting_for(request, pk)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the outcomes."))
    else:
        try:
            day.record_outcome(event=request.event, meeting_id=pk, user=request.user, **form.cleaned_data)
        except DomainError as e:
            report_error(request, e)
        else:
            messages.success(request, _("Outcome recorded."))
    return redirect("matchmaking:meeting", event_slug=request.event.slug, pk=pk)


def _board_context(request) -> dict:
    slot = board_slot(request.event)
    tables = list(MeetingTable.objects.filter(event=request.event))
    meetings = {}
    if slot is not None:
        meetings = {m.table_id: m for m in Meeting.objects.filter(slot=slot).select_related("buyer", "producer")}
    return {"slot": slot, "rows": [(t, meetings.get(t.pk)) for t in tables]}


@event_view(roles=STAFF)
def board(request):
    return render(request, "matchmaking/board.html", _board_context(request))


@event_view(roles=STAFF)
def board_rows(request):
    return render(request, "matchmaking/_board_rows.html", _board_context(request))
