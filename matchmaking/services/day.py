"""On the day: check-in at the table, no-shows, and what came of each meeting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from eventsite.access import roles_of
from eventsite.live import broadcast_on_commit
from eventsite.models import Event, EventRole

from ..models import Meeting, MeetingOutcome, MeetingSlot, MeetingTable, Side
from .errors import InvalidRequest, MeetingStateError, NotAParticipant
from .participants import organization_ids_of

CHECK_IN_OPENS = timedelta(minutes=30)  # before the slot starts
CHECK_IN_CLOSES = timedelta(hours=2)  # after the slot ends
STAFF_ROLES = {EventRole.Role.ORGANIZER, EventRole.Role.DESK_STAFF}


def hosted_tables(user, event: Event):
    """The tables ``user`` hosts: those at a booth its exhibitor organization holds (an active booking)."""
    from booths.models import Booking

    if not user.is_authenticated:
        return MeetingTable.objects.none()
    exhibitor_orgs = EventRole.objects.filter(event=event, user=user, role=EventRole.Role.EXHIBITOR,
                                              organization__isnull=False).values("organization_id")
    booths = Booking.objects.active().filter(event=event, application__organization_id__in=exhibitor_orgs)
    return MeetingTable.objects.filter(event=event, booth_id__in=booths.values("booth_id"))


def hosts_table(user, event: Event, table: MeetingTable) -> bool:
    return table.booth_id is not None and hosted_tables(user, event).filter(pk=table.pk).exists()


def tables_run_by(user, event: Event):
    """The tables where ``user`` may check meetings in by badge: all for event staff, else those it hosts."""
    if roles_of(user, event) & STAFF_ROLES:
        return MeetingTable.objects.filter(event=event)
    return hosted_tables(user, event)


def _locked(event: Event, meeting_id: int) -> Meeting:
    meeting = (Meeting.objects.select_for_update().select_related("slot", "table")
               .filter(event=event, pk=meeting_id).first())
    if meeting is None:
        raise InvalidRequest(_("No such meeting."), code="no_meeting")
    return meeting


def _announce(meeting: Meeting) -> None:
    broadcast_on_commit(meeting.event_id, "matchmaking", {"type": "matchmaking.changed", "meeting": meeting.pk,
                                                          "status": meeting.status})


@transaction.atomic
def check_in_meeting(*, event: Event, meeting_id: int, user, now: datetime | None = None) -> Meeting:
    """Either side, or staff, confirms at the table that the meeting is happening. Repeating it is harmless;
    it opens 30 minutes before the slot and closes two hours after it."""
    now = now or timezone.now()
    meeting = _locked(event, meeting_id)
    is_staff = bool(roles_of(user, event) & STAFF_ROLES)
    if (not is_staff and meeting.side_of(organization_ids_of(user, event)) is None
            and not hosts_table(user, event, meeting.table)):
        raise NotAParticipant(_("Only the two sides, the table's host or event staff can check in this meeting."))
    if meeting.status == Meeting.Status.HELD:
        return meeting
    if now < meeting.slot.starts_at - CHECK_IN_OPENS:
        raise MeetingStateError(_("Check-in opens 30 minutes before the meeting."), code="too_early")
    if now > meeting.slot.ends_at + CHECK_IN_CLOSES:
        raise MeetingStateError(_("Check-in for this meeting has closed."), code="too_late")
    meeting.status, meeting.checked_in_at, meeting.checked_in_by = Meeting.Status.HELD, now, user
    meeting.absent_side = ""
    meeting.save(update_fields=["status", "checked_in_at", "checked_in_by", "absent_side"])
    _announce(meeting)
    return meeting


# What a badge scan at a meeting table found (the registration app's scan answers are used for the code itself:
# malformed, forged, wrong_event, revoked, not_approved).
CHECKED_IN = "checked_in"
ALREADY = "already_checked_in"
ELSEWHERE = "elsewhere"  # their meeting in this slot is at another table
NO_MEETING = "no_meeting"  # no meeting for them in this slot
NO_SLOT = "no_slot"  # no slot under way or about to start
NOT_A_PARTICIPANT = "not_a_participant"  # a valid badge, but of nobody taking part in matchmaking
TOO_EARLY = "too_early"
TOO_LATE = "too_late"


@dataclass
class TableScan:
    status: str
    registration: object = None  # registration.Registration of the badge, when it is known
    meeting: Meeting | None = None  # checked in, already in, or (ELSEWHERE) where they should be
    slot: MeetingSlot | None = None
    message: str = ""


def scan_slots(event: Event, now: datetime) -> list[MeetingSlot]:
    """The slots a table scan looks in: the one under way, then the next one if its check-in has opened."""
    slots = MeetingSlot.objects.filter(session__event=event).order_by("starts_at", "pk")
    current = slots.filter(starts_at__lte=now, ends_at__gt=now).first()
    upcoming = slots.filter(starts_at__gt=now, starts_at__lte=now + CHECK_IN_OPENS).first()
    return [slot for slot in (current, upcoming) if slot is not None]


def _with_names(meetings):
    return meetings.select_related("slot", "table", "buyer", "producer")


def check_in_by_badge(*, event: Event, table_id: int, code: str, user, slot_id: int | None = None,
                      now: datetime | None = None) -> TableScan:
    """Someone shows their badge at a meeting table: verify the badge as the gates do, find that person's
    meeting at this table in the slot under way (or about to start, or the one chosen), and check it in
    through ``check_in_meeting`` (same window, a repeat is harmless). Never raises for a bad code.

    Raises ``NotAParticipant`` when ``user`` may not run this table (staff run every table, an exhibitor the
    tables at its booth) and ``InvalidRequest`` for a table or slot not of this event."""
    from checkin.models import ScanStatus
    from checkin.services.checkin import identify_badge

    now = now or timezone.now()
    table = MeetingTable.objects.filter(event=event, pk=table_id).first()
    if table is None:
        raise InvalidRequest(_("No such table."), code="no_table")
    if not tables_run_by(user, event).filter(pk=table.pk).exists():
        raise NotAParticipant(_("Only event staff or the table's host can check in meetings at this table."))
    if slot_id is not None:
        slot = MeetingSlot.objects.filter(session__event=event, pk=slot_id).first()
        if slot is None:
            raise InvalidRequest(_("No such time slot."), code="no_slot")
        slots = [slot]
    else:
        slots = scan_slots(event, now)
    holder = identify_badge(code=code, event=event)
    first = slots[0] if slots else None
    if holder.status != ScanStatus.OK:
        return TableScan(holder.status, holder.registration, slot=first)
    registration = holder.registration
    orgs = organization_ids_of(registration.user, event) if registration.user_id else set()
    if registration.organization_id:
        orgs.add(registration.organization_id)
    if first is None:
        return TableScan(NO_SLOT, registration)
    if not orgs:
        return TableScan(NOT_A_PARTICIPANT, registration, slot=first)
    theirs = Meeting.objects.filter(event=event, slot__in=slots).filter(Q(buyer_id__in=orgs) | Q(producer_id__in=orgs))
    here = {m.slot_id: m for m in theirs.filter(table=table)}
    meeting = next((here[s.pk] for s in slots if s.pk in here), None)
    if meeting is None:
        order = {s.pk: i for i, s in enumerate(slots)}
        elsewhere = sorted(_with_names(theirs), key=lambda m: (order[m.slot_id], m.table.number))
        if elsewhere:
            return TableScan(ELSEWHERE, registration, meeting=elsewhere[0], slot=elsewhere[0].slot)
        return TableScan(NO_MEETING, registration, slot=first)
    try:
        done = check_in_meeting(event=event, meeting_id=meeting.pk, user=user, now=now)
    except MeetingStateError as refused:
        return TableScan(refused.code, registration, meeting=_with_names(Meeting.objects).get(pk=meeting.pk),
                         slot=meeting.slot, message=refused.message)
    shown = _with_names(Meeting.objects).get(pk=done.pk)
    return TableScan(CHECKED_IN if done.checked_in_at == now else ALREADY, registration, meeting=shown,
                     slot=shown.slot)


@transaction.atomic
def report_no_show(*, event: Event, meeting_id: int, user, now: datetime | None = None) -> Meeting:
    """One side reports that the other did not come, once the slot has started and nobody checked in."""
    now = now or timezone.now()
    meeting = _locked(event, meeting_id)
    side = meeting.side_of(organization_ids_of(user, event))
    if side is None:
        raise NotAParticipant(_("Only the two sides can report a no-show."))
    if meeting.status == Meeting.Status.HELD:
        raise MeetingStateError(_("This meeting was checked in, so it took place."), code="already_held")
    if meeting.status == Meeting.Status.NO_SHOW:
        raise MeetingStateError(_("A no-show was already reported for this meeting."), code="already_reported")
    if now < meeting.slot.starts_at:
        raise MeetingStateError(_("You can report a no-show once the meeting should have started."),
                                code="too_early")
    meeting.status = Meeting.Status.NO_SHOW
    meeting.absent_side = Side.PRODUCER if side == Side.BUYER else Side.BUYER
    meeting.no_show_reported_by = user
    meeting.save(update_fields=["status", "absent_side", "no_show_reported_by"])
    _announce(meeting)
    return meeting


@transaction.atomic
def record_outcome(*, event: Event, meeting_id: int, user, result: str, note: str = "") -> MeetingOutcome:
    """After a meeting that took place, each side records where things stand; a later entry replaces its own."""
    meeting = _locked(event, meeting_id)
    side = meeting.side_of(organization_ids_of(user, event))
    if side is None:
        raise NotAParticipant(_("Only the two sides can record the outcome."))
    if meeting.status != Meeting.Status.HELD:
        raise MeetingStateError(_("Record the outcome after the meeting has been checked in."), code="not_held")
    if result not in MeetingOutcome.Result.values:
        raise InvalidRequest(_("Choose one of the outcomes."), code="bad_result")
    outcome, _created = MeetingOutcome.objects.update_or_create(
        meeting=meeting, side=side, defaults={"result": result, "note": (note or "").strip()[:1000],
                                              "recorded_by": user})
    return outcome


def agreement_entry_params(meeting: Meeting) -> dict[str, str]:
    """Parties and products of a meeting, as the agreements entry form reads them."""
    product_ids = sorted(meeting.request.products.values_list("pk", flat=True))
    return {"buyer": str(meeting.buyer_id), "seller": str(meeting.producer_id),
            "products": ",".join(str(pk) for pk in product_ids), "meeting": str(meeting.pk)}


# The agreements entry form, under the name agreed for it ("create") or the one its branch uses ("new").
def agreement_entry_url(meeting: Meeting, event_slug: str) -> str:
    """The agreements module's entry form, prefilled with this meeting's parties and products."""
    base = reverse("agreements:new", kwargs={"event_slug": event_slug})
    return f"{base}?{urlencode(agreement_entry_params(meeting))}"
