"""On the day: one meeting (check-in, no-show, outcome) and the live table board."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from eventsite.access import STAFF, event_view
from eventsite.errors import DomainError
from eventsite.models import EventRole
from eventsite.numbers import id_or_none

from .. import hooks
from ..forms import OutcomeForm
from ..models import Meeting, MeetingSlot, MeetingTable
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


def _agreements_of(request, meeting: Meeting) -> list:
    """The agreements entered from this meeting that this person may see (agreements' own visibility rule,
    provided by the agreements app through matchmaking/hooks.py)."""
    return hooks.meeting_agreements(event=request.event, user=request.user, roles=request.event_roles,
                                    meeting=meeting)


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
        "agreements": _agreements_of(request, meeting),
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


# --- check-in at a table by badge QR -------------------------------------------------------------------------

TABLE_CHECKIN_ROLES = STAFF | {EventRole.Role.EXHIBITOR}  # an exhibitor runs the tables at its own booth

# The big word of each answer (never colour alone) and its colour family.
SCAN_WORDS = {
    day.CHECKED_IN: (gettext_lazy("CHECKED IN"), "ok"),
    day.ALREADY: (pgettext_lazy("meeting table", "ALREADY CHECKED IN"), "warn"),
    day.ELSEWHERE: (gettext_lazy("WRONG TABLE"), "warn"),
    day.NO_MEETING: (gettext_lazy("NO MEETING HERE"), "bad"),
    day.NO_SLOT: (gettext_lazy("NO MEETING NOW"), "warn"),
    day.NOT_A_PARTICIPANT: (gettext_lazy("NO MEETING HERE"), "bad"),
    day.TOO_EARLY: (gettext_lazy("TOO EARLY"), "warn"),
    day.TOO_LATE: (gettext_lazy("CHECK-IN CLOSED"), "bad"),
    "malformed": (gettext_lazy("INVALID CODE"), "bad"),
    "forged": (gettext_lazy("FORGED CODE"), "bad"),
    "revoked": (gettext_lazy("REVOKED BADGE"), "bad"),
    "wrong_event": (gettext_lazy("WRONG EVENT"), "bad"),
    "not_approved": (gettext_lazy("NOT APPROVED"), "warn"),
}


def _table_scan_context(scan) -> dict:
    word, tone = SCAN_WORDS.get(scan.status, (scan.status, "bad"))
    return {"scan": scan, "word": word, "tone": tone}


@event_view(roles=TABLE_CHECKIN_ROLES)
def table_checkin(request):
    """Desk staff, organizers or a table's host scan badges at one table: the holder's meeting there is
    checked in. GET shows the page; POST (a scan) answers with the result box, or the whole page without JS."""
    event = request.event
    is_staff = bool(request.event_roles & STAFF_ROLES)
    tables = list(day.tables_run_by(request.user, event))
    if not tables and not is_staff:
        raise PermissionDenied  # an exhibitor without a table at its booth
    source = request.POST if request.method == "POST" else request.GET
    by_id = {t.pk: t for t in tables}
    table_id, slot_id = id_or_none(source.get("table")), id_or_none(source.get("slot"))
    table = by_id.get(table_id) if table_id is not None else (tables[0] if tables else None)
    slots = list(MeetingSlot.objects.filter(session__event=event).order_by("starts_at", "pk"))
    slot = next((s for s in slots if s.pk == slot_id), None)
    context = {"tables": tables, "table": table, "slots": slots, "slot": slot, "is_staff": is_staff}
    if request.method == "POST":
        if table is None:
            context["error"] = _("Choose one of your tables.")
        else:
            try:
                scan = day.check_in_by_badge(event=event, table_id=table.pk, code=request.POST.get("code", "")[:400],
                                             user=request.user, slot_id=slot.pk if slot else None)
            except DomainError as e:
                context["error"] = e.message or str(e)
            else:
                context.update(_table_scan_context(scan))
    shown_slots = [slot] if slot else day.scan_slots(event, timezone.now())
    context["shown_slots"] = shown_slots
    context["meetings"] = (list(Meeting.objects.filter(table=table, slot__in=shown_slots)
                                .select_related("slot", "buyer", "producer").order_by("slot__starts_at"))
                           if table else [])
    if request.method == "POST" and request.headers.get("X-Requested-With") == "fetch":
        # The answer box and the table's meetings as they stand now.
        response = render(request, "matchmaking/_table_scan_answer.html", context,
                          status=400 if "error" in context else 200)
        response["X-Scan-Status"] = context["scan"].status if "scan" in context else "error"
        return response
    return render(request, "matchmaking/table_checkin.html", context,
                  status=400 if "error" in context else 200)
