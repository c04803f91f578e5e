"""The meeting grid: sessions cut into slots, tables, blocked times, and putting accepted requests on it.

Invariants (checked here, guarded by the database's unique constraints as the last line):
no organization in two meetings of one slot, one meeting per table per slot, the table seats the
party, nobody meets during a time they blocked, and an agreed slot is kept.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from eventsite.live import broadcast_on_commit
from eventsite.models import Event, Organization

from ..models import (
    BlockedTime,
    MatchmakingSettings,
    Meeting,
    MeetingRequest,
    MeetingSession,
    MeetingSlot,
    MeetingTable,
)
from . import optimizer
from .errors import InvalidRequest, NotAParticipant, PlacementError, ScheduleError
from .participants import organization_ids_of, settings_for

MAX_TABLES = 500


def _announce(event: Event) -> None:
    broadcast_on_commit(event.pk, "matchmaking", {"type": "matchmaking.changed", "what": "schedule"})


@transaction.atomic
def create_session(*, event: Event, name: str, starts_at: datetime, ends_at: datetime, slot_minutes: int,
                   ) -> MeetingSession:
    """A session and its slots. Sessions of one event may not overlap, so a slot is the only unit of time
    in which somebody can be double-booked."""
    if not name.strip():
        raise InvalidRequest(_("Give the session a name."), code="no_name")
    if not 5 <= slot_minutes <= 240:
        raise InvalidRequest(_("A slot lasts between 5 and 240 minutes."), code="bad_slot_length")
    if ends_at - starts_at < timedelta(minutes=slot_minutes):
        raise InvalidRequest(_("The session must be at least one slot long."), code="too_short")
    if MeetingSession.objects.filter(event=event, starts_at__lt=ends_at, ends_at__gt=starts_at).exists():
        raise InvalidRequest(_("This session overlaps another meeting session."), code="overlap")
    session = MeetingSession.objects.create(event=event, name=name.strip(), starts_at=starts_at, ends_at=ends_at,
                                            slot_minutes=slot_minutes)
    step = timedelta(minutes=slot_minutes)
    start, slots = starts_at, []
    while start + step <= ends_at:
        slots.append(MeetingSlot(session=session, starts_at=start, ends_at=start + step))
        start += step
    MeetingSlot.objects.bulk_create(slots)
    return session


@transaction.atomic
def add_tables(*, event: Event, count: int | None = None, seats: int = 4, booth_codes: list[str] | None = None,
               booths: list | None = None) -> list[MeetingTable]:
    """Number more tables after the last one; a table may stand at a booth of the event.

    ``booths`` (booths of this event, or their ids) makes one table per booth, in the order given (``count`` is
    then not used). Otherwise ``count`` tables, the first ones at ``booth_codes`` in turn: a code
    that names a booth of this event links the table to it, any other code is kept as free text."""
    from booths.models import Booth

    if booths:
        ids = [getattr(b, "pk", b) for b in booths]
        by_id = Booth.objects.in_bulk([i for i in ids if isinstance(i, int)])
        if len(set(ids)) != len(ids) or any(by_id.get(i) is None or by_id[i].event_id != event.pk for i in ids):
            raise InvalidRequest(_("Choose booths of this event, each once."), code="bad_booth")
        chosen = [by_id[i] for i in ids]
        count = len(chosen)
    else:
        codes = [c.strip()[:20] for c in (booth_codes or [])]
        known = {b.code.casefold(): b for b in Booth.objects.filter(event=event)} if any(codes) else {}
        chosen = [known.get(c.casefold()) or c for c in codes]
    if count is None or not 1 <= count <= MAX_TABLES:
        raise InvalidRequest(_("Add between 1 and %(n)s tables.") % {"n": MAX_TABLES}, code="bad_count")
    if not 2 <= seats <= 20:
        raise InvalidRequest(_("A table has between 2 and 20 seats."), code="bad_seats")
    last = MeetingTable.objects.filter(event=event).aggregate(n=Max("number"))["n"] or 0
    tables = []
    for i in range(count):
        at = chosen[i] if i < len(chosen) else ""
        booth = at if isinstance(at, Booth) else None
        tables.append(MeetingTable(event=event, number=last + i + 1, seats=seats, booth=booth,
                                   booth_code=booth.code if booth else at))
    return MeetingTable.objects.bulk_create(tables)


def _slots_overlapping(event: Event, starts_at: datetime, ends_at: datetime):
    return MeetingSlot.objects.filter(session__event=event, starts_at__lt=ends_at, ends_at__gt=starts_at)


@transaction.atomic
def block_time(*, event: Event, organization: Organization, user, starts_at: datetime, ends_at: datetime,
               reason: str = "", as_organizer: bool = False) -> BlockedTime:
    """A participant marks a time it cannot meet; a meeting already placed then must be moved first."""
    if not as_organizer and organization.pk not in organization_ids_of(user, event):
        raise NotAParticipant(_("You can only block times for your own organization."))
    if ends_at <= starts_at:
        raise InvalidRequest(_("The end must come after the start."), code="bad_range")
    clash = Meeting.objects.filter(event=event, slot__in=_slots_overlapping(event, starts_at, ends_at)).filter(
        Q(buyer=organization) | Q(producer=organization)).select_related("slot").first()
    if clash is not None:
        raise PlacementError(_("You already have a meeting at %(when)s; ask the organizers to move it first.")
                             % {"when": clash.slot}, code="meeting_in_blocked_time")
    return BlockedTime.objects.create(event=event, organization=organization, starts_at=starts_at,
                                      ends_at=ends_at, reason=reason.strip()[:200])


@transaction.atomic
def unblock_time(*, event: Event, blocked_id: int, user, as_organizer: bool = False) -> None:
    blocked = BlockedTime.objects.filter(event=event, pk=blocked_id).first()
    if blocked is None:
        raise InvalidRequest(_("No such blocked time."), code="no_blocked_time")
    if not as_organizer and blocked.organization_id not in organization_ids_of(user, event):
        raise NotAParticipant(_("You can only change your own blocked times."))
    blocked.delete()


def blocked_slot_ids(event: Event, organization_ids) -> dict[int, set[int]]:
    """Per organization, the slots that overlap one of its blocked times (one query)."""
    slots = list(MeetingSlot.objects.filter(session__event=event).values_list("pk", "starts_at", "ends_at"))
    result: dict[int, set[int]] = defaultdict(set)
    for b in BlockedTime.objects.filter(event=event, organization_id__in=organization_ids):
        result[b.organization_id].update(pk for pk, start, end in slots if start < b.ends_at and end > b.starts_at)
    return result


@transaction.atomic
def place_meeting(*, event: Event, request_id: int, slot_id: int, table_id: int,
                  placed_by: str = Meeting.Placement.MANUAL) -> Meeting:
    """Put one accepted request at a slot and table (or move its meeting there), keeping every invariant."""
    request = MeetingRequest.objects.select_for_update().filter(event=event, pk=request_id).first()
    if request is None or request.status != MeetingRequest.Status.ACCEPTED:
        raise PlacementError(_("Only accepted requests can be scheduled."), code="not_accepted")
    slot = MeetingSlot.objects.filter(session__event=event, pk=slot_id).first()
    table = MeetingTable.objects.filter(event=event, pk=table_id).first()
    if slot is None or table is None:
        raise PlacementError(_("Choose a slot and a table of this event."), code="bad_place")
    if request.agreed_slot_id and request.agreed_slot_id != slot.pk:
        raise PlacementError(_("Both sides agreed on %(slot)s; place the meeting then.")
                             % {"slot": request.agreed_slot}, code="agreed_slot")
    if table.seats < request.party_size:
        raise PlacementError(_("%(table)s seats %(seats)s people; this meeting needs %(n)s.")
                             % {"table": table, "seats": table.seats, "n": request.party_size}, code="table_too_small")
    existing = Meeting.objects.filter(request=request).first()
    if existing and existing.status != Meeting.Status.SCHEDULED:
        raise PlacementError(_("This meeting already took place."), code="meeting_done")
    others = Meeting.objects.filter(slot=slot).exclude(request=request)
    if others.filter(table=table).exists():
        raise PlacementError(_("%(table)s is taken at %(slot)s.") % {"table": table, "slot": slot}, code="table_taken")
    parties = {request.buyer_id, request.producer_id}
    if others.filter(Q(buyer_id__in=parties) | Q(producer_id__in=parties)).exists():
        raise PlacementError(_("One of the two sides already has a meeting at %(slot)s.") % {"slot": slot},
                             code="double_booked")
    if BlockedTime.objects.filter(event=event, organization_id__in=parties, starts_at__lt=slot.ends_at,
                                  ends_at__gt=slot.starts_at).exists():
        raise PlacementError(_("One of the two sides blocked this time."), code="blocked_time")
    try:
        with transaction.atomic():
            if existing:
                existing.slot, existing.table = slot, table
                existing.save(update_fields=["slot", "table"])
                meeting = existing
            else:
                meeting = Meeting.objects.create(event=event, request=request, slot=slot, table=table,
                                                 buyer_id=request.buyer_id, producer_id=request.producer_id,
                                                 placed_by=placed_by)
    except IntegrityError:  # a concurrent placement won the table or one of the people
        raise PlacementError(_("Someone else just took this slot or table; choose another."), code="taken")
    _announce(event)
    return meeting


@transaction.atomic
def unplace_meeting(*, event: Event, meeting_id: int) -> None:
    meeting = Meeting.objects.select_for_update().filter(event=event, pk=meeting_id).first()
    if meeting is None:
        raise PlacementError(_("No such meeting."), code="no_meeting")
    if meeting.status != Meeting.Status.SCHEDULED:
        raise PlacementError(_("This meeting already took place."), code="meeting_done")
    meeting.delete()
    _announce(event)


@dataclass
class ScheduleResult:
    placed: int
    unplaced: int
    already: int
    upper_bound: int
    status: str
    seconds: float
    first_fit: int = 0


def build_problem(event: Event) -> tuple[optimizer.Problem, dict[int, MeetingRequest]]:
    """The optimizer's view of the event: accepted requests without a meeting, around the fixed ones."""
    pending = {r.pk: r for r in MeetingRequest.objects.filter(
        event=event, status=MeetingRequest.Status.ACCEPTED, meeting__isnull=True)}
    slots = list(MeetingSlot.objects.filter(session__event=event).order_by("starts_at").values_list("pk", flat=True))
    tables = dict(MeetingTable.objects.filter(event=event).values_list("pk", "seats"))
    people = {r.buyer_id for r in pending.values()} | {r.producer_id for r in pending.values()}
    busy = blocked_slot_ids(event, people)
    taken: dict[int, set[int]] = defaultdict(set)
    for slot_id, table_id, buyer_id, producer_id in Meeting.objects.filter(event=event).values_list(
            "slot_id", "table_id", "buyer_id", "producer_id"):
        taken[slot_id].add(table_id)
        busy[buyer_id].add(slot_id)
        busy[producer_id].add(slot_id)
    reqs = [optimizer.Req(r.pk, r.buyer_id, r.producer_id, r.priority, r.party_size, r.agreed_slot_id)
            for r in pending.values()]
    return optimizer.Problem(reqs, slots, tables, dict(busy), dict(taken)), pending


def schedule_all(*, event: Event, publish: bool = True, time_limit: float = 5.0) -> ScheduleResult:
    """Place every accepted, unplaced request with the CP-SAT optimizer, keep meetings already placed, then
    (by default) publish. Runs under a lock on the event's settings so two organizers cannot run it at once."""
    settings_for(event)
    with transaction.atomic():
        MatchmakingSettings.objects.select_for_update().get(event=event)
        if not MeetingSlot.objects.filter(session__event=event).exists():
            raise ScheduleError(_("Define a meeting session first."), code="no_slots")
        if not MeetingTable.objects.filter(event=event).exists():
            raise ScheduleError(_("Add meeting tables first."), code="no_tables")
        problem, pending = build_problem(event)
        solution = optimizer.solve(problem, time_limit=time_limit)
        try:
            with transaction.atomic():
                Meeting.objects.bulk_create([
                    Meeting(event=event, request_id=rid, slot_id=slot_id, table_id=table_id,
                            buyer_id=pending[rid].buyer_id, producer_id=pending[rid].producer_id,
                            placed_by=Meeting.Placement.OPTIMIZER)
                    for rid, (slot_id, table_id) in sorted(solution.placements.items())
                ], batch_size=500)
        except IntegrityError:  # a meeting was placed by hand while the optimizer ran
            raise ScheduleError(_("The schedule changed while it was being computed; run it again."),
                                code="changed_meanwhile")
        already = Meeting.objects.filter(event=event).count() - len(solution.placements)
        if publish:
            publish_schedule(event=event)
        else:
            _announce(event)
    return ScheduleResult(placed=len(solution.placements), unplaced=len(pending) - len(solution.placements),
                          already=already, upper_bound=solution.upper_bound, status=solution.status,
                          seconds=solution.seconds, first_fit=solution.first_fit)


@transaction.atomic
def publish_schedule(*, event: Event, now: datetime | None = None) -> MatchmakingSettings:
    """Participants see their meetings once the schedule is published; each release bumps the version."""
    config = MatchmakingSettings.objects.select_for_update().get(pk=settings_for(event).pk)
    config.published_at = now or timezone.now()
    config.schedule_version += 1
    config.save(update_fields=["published_at", "schedule_version"])
    broadcast_on_commit(event.pk, "matchmaking", {"type": "matchmaking.changed", "what": "published",
                                                  "version": config.schedule_version})
    return config
