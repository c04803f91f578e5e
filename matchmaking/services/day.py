"""On the day: check-in at the table, no-shows, and what came of each meeting."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from eventsite.access import roles_of
from eventsite.live import broadcast_on_commit
from eventsite.models import Event, EventRole

from ..models import Meeting, MeetingOutcome, Side
from .errors import InvalidRequest, MeetingStateError, NotAParticipant
from .participants import organization_ids_of

CHECK_IN_OPENS = timedelta(minutes=30)  # before the slot starts
CHECK_IN_CLOSES = timedelta(hours=2)  # after the slot ends
STAFF_ROLES = {EventRole.Role.ORGANIZER, EventRole.Role.DESK_STAFF}


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
    if not is_staff and meeting.side_of(organization_ids_of(user, event)) is None:
        raise NotAParticipant(_("Only the two sides or event staff can check in this meeting."))
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
            "products": ",".join(str(pk) for pk in product_ids)}


# The agreements entry form, under the name agreed for it ("create") or the one its branch uses ("new").
def agreement_entry_url(meeting: Meeting, event_slug: str) -> str:
    """The agreements module's entry form, prefilled with this meeting's parties and products."""
    base = reverse("agreements:new", kwargs={"event_slug": event_slug})
    return f"{base}?{urlencode(agreement_entry_params(meeting))}"
