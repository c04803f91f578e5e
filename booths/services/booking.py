"""Booking rules: hold → reserve → confirm, cancel, and the organizer's assign/move/swap/block/vacate.

Never a double booking. Every change that gives a booth to someone runs in one transaction that
first locks the booth row (``select_for_update``), releases an expired hold on it, checks that no
active booking remains, and only then inserts. The partial unique index
``booking_one_active_per_booth`` is the last guard: if two writers still meet, the loser's insert
fails and becomes ``BoothTaken`` (409), never a 500. Lock order is always: applications (by id),
then booths (by id), so two transactions cannot wait on each other in a cycle.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from eventsite.activity import build_entry, log_action, log_many
from eventsite.apps import PeriodicRun
from eventsite.live import broadcast_on_commit

from ..models import (
    ACTIVE_STATUSES,
    ApplicationStatus,
    Booking,
    BookingStatus,
    Booth,
    BoothSettings,
    ExhibitorApplication,
    PaymentRequest,
    PaymentStatus,
    WaitlistEntry,
    WaitlistStatus,
)
from . import errors
from . import payment_requests as fees
from .state import booth_state

TOPIC = "floorplan"


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


# What the booking rules read of a locked application: its state, its exhibitor's name (the activity log's note,
# the plan) and its event's booking rules. Only these columns are read and compiled into the statement, which on
# the race's hot path costs more CPU than the row lock itself (bench booths).
_APPLICATION_FIELDS = ("status", "event_id", "organization_id", "organization__name", "event__id",
                       *(f"event__booth_settings__{f.name}" for f in BoothSettings._meta.concrete_fields))


def _in_lock_order(rows, ids: list[int]):
    """Rows locked in id order (the global lock order); a single row needs no ORDER BY."""
    return rows.order_by("pk") if len(ids) > 1 else rows.order_by()


def _lock_applications(*ids: int) -> dict[int, ExhibitorApplication]:
    # of=("self",): lock the application rows only. Without it PostgreSQL also locks the joined
    # organization and *event* rows, which made every booking of an event wait for every other one.
    ids = sorted(set(ids))
    rows = (ExhibitorApplication.objects.select_for_update(of=("self",))
            .select_related("organization", "event", "event__booth_settings").only(*_APPLICATION_FIELDS)
            .filter(pk__in=ids))
    return {a.pk: a for a in _in_lock_order(rows, ids)}


def _lock_booths(event_id: int, *ids: int) -> dict[int, Booth]:
    ids = sorted(set(ids))
    rows = _in_lock_order(Booth.objects.select_for_update().filter(event_id=event_id, pk__in=ids), ids)
    found = {b.pk: b for b in rows}
    if len(found) != len(ids):
        raise Booth.DoesNotExist
    return found


def _release_expired(booth: Booth | int, now: datetime) -> bool:
    """Inside the booth lock: an expired hold stops occupying the booth (and closes its waitlist offer)."""
    expired = list(Booking.objects.filter(booth=booth, status=BookingStatus.HELD, hold_expires_at__lte=now)
                   .values_list("pk", flat=True))
    if expired:
        _expire(expired, now)
    return bool(expired)


def _holding(booth: Booth):
    """The booth's bookings in a held, reserved or confirmed state (the partial unique index allows one), with
    their exhibitor's name; an expired hold among them until it is released."""
    return Booking.objects.select_related("application__organization").filter(
        booth=booth, status__in=ACTIVE)


def _active_on(booth: Booth) -> Booking | None:
    return _holding(booth).first()


# What the rules and the plan read of a booth's occupant (its state, its exhibitor's name); other columns load on use.
_OCCUPANT_FIELDS = ("event_id", "booth_id", "status", "hold_expires_at", "application",
                    "application__organization", "application__organization__name")


def _occupant(booth: Booth, now: datetime) -> Booking | None:
    """Inside the booth lock: the booking occupying ``booth`` now, after releasing an expired hold on it (which
    stops occupying the booth and closes its waitlist offer). One statement when nothing expired."""
    rows = list(_holding(booth).only(*_OCCUPANT_FIELDS).order_by())
    expired = [b.pk for b in rows if b.status == BookingStatus.HELD and b.hold_expires_at <= now]
    if expired:
        _expire(expired, now)
    return next((b for b in rows if b.pk not in expired), None)


def _rules(application: ExhibitorApplication) -> BoothSettings:
    """The event's booking rules, read with the application's lock (``_lock_applications`` joins them) or, for an
    event without a settings row yet, created with the defaults."""
    try:
        return application.event.booth_settings
    except BoothSettings.DoesNotExist:
        return BoothSettings.for_event(application.event)


def _active_count(application: ExhibitorApplication, now: datetime) -> int:
    return Booking.objects.filter(application=application).active(now).count()


def _announce(event_id: int, *bookings_or_booths) -> None:
    """Tell plan viewers (after commit). A booking passed in is the booth's current occupant; for a
    booth passed alone, its occupant is read again."""
    booths = []
    for item in bookings_or_booths:
        if isinstance(item, Booking):
            booths.append(booth_state(item.booth, item))
        else:
            booths.append(booth_state(item, _active_on(item)))
    broadcast_on_commit(event_id, TOPIC, {"type": "booth.changed", "booths": booths})


def _take(*, booth: Booth, application: ExhibitorApplication, status: str, expires: datetime | None,
          by_user, now: datetime, rules: BoothSettings | None = None) -> Booking:
    """Give ``booth`` (already locked) to ``application`` (already locked).

    No savepoint around the insert: should the unique index still refuse it, the IntegrityError aborts
    the caller's (outermost or savepoint) atomic block and ``_translated`` turns it into BoothTaken."""
    if booth.blocked:
        raise errors.BoothBlocked(booth.code)
    if _occupant(booth, now) is not None:
        raise errors.BoothTaken(booth.code)
    if application.status != ApplicationStatus.APPROVED:
        raise errors.not_approved()
    limit = (rules or _rules(application)).max_booths_per_exhibitor
    if _active_count(application, now) >= limit:
        raise errors.limit_reached(limit)
    return Booking.objects.create(event_id=booth.event_id, booth=booth, application=application,
                                  status=status, hold_expires_at=expires, created_by=by_user)


class _translated:
    """Wrap a service's atomic block: a unique-index refusal (a race the row lock did not prevent,
    e.g. on a backend without row locks) becomes BoothTaken for the booth being taken."""

    def __init__(self, booth_code_of):
        self.booth_code_of = booth_code_of

    def __enter__(self):
        return self

    def __exit__(self, kind, error, tb):
        if kind is not None and issubclass(kind, IntegrityError):
            raise errors.BoothTaken(self.booth_code_of()) from None
        return False


def _offer_to_waitlist(booth: Booth, now: datetime) -> Booking | None:
    """A booth just became free: offer it (as a long hold) to the first waiting exhibitor for its type.

    Applications are locked with SKIP LOCKED because the booth is already locked: waiting for an
    application here could invert the lock order; a busy exhibitor is simply skipped this time.
    """
    if booth.blocked:
        return None
    entries = list(WaitlistEntry.objects.filter(event_id=booth.event_id, kind=booth.kind,
                                                status=WaitlistStatus.WAITING).order_by("created_at", "pk"))
    if not entries:
        return None
    rules = BoothSettings.for_event(booth.event)
    for entry in entries:
        locked = (ExhibitorApplication.objects.select_for_update(skip_locked=True, of=("self",)).select_related("event")
                  .filter(pk=entry.application_id, status=ApplicationStatus.APPROVED).first())
        if locked is None or _active_count(locked, now) >= rules.max_booths_per_exhibitor:
            continue
        booking = _take(booth=booth, application=locked, status=BookingStatus.HELD,
                        expires=now + timedelta(minutes=rules.offer_minutes), by_user=None, now=now, rules=rules)
        entry.status = WaitlistStatus.OFFERED
        entry.offer = booking
        entry.save(update_fields=["status", "offer"])
        return booking
    return None


# --- Exhibitor self-service ---------------------------------------------------------------------

def hold_booth(*, booth_id: int, application: ExhibitorApplication, by_user=None,
               now: datetime | None = None) -> Booking:
    """Hold a free booth for ``BoothSettings.hold_minutes``; an expired hold counts as free.

    One transaction: lock the application, then the booth (the global lock order), check the event's rules,
    then ``_take`` (blocked, taken, not approved, over the limit, in that order) inserts the hold. The partial
    unique index stays the last guard (``_translated``). The same code runs on SQLite and PostgreSQL.
    """
    now = _now(now)
    code = ""
    with _translated(lambda: code), transaction.atomic():
        locked = _lock_applications(application.pk).get(application.pk)
        if locked is None:
            raise ExhibitorApplication.DoesNotExist
        booth = _lock_booths(locked.event_id, booth_id)[booth_id]
        code = booth.code
        rules = _rules(locked)
        if not rules.self_service_open:
            raise errors.self_service_closed()
        booking = _take(booth=booth, application=locked, status=BookingStatus.HELD,
                        expires=now + timedelta(minutes=rules.hold_minutes), by_user=by_user, now=now, rules=rules)
        _log("booths.hold", booking, by_user, after={"booth": booth.code, "expires": booking.hold_expires_at})
        _announce(booth.event_id, booking)
    return booking


ACTIVE = tuple(s.value for s in ACTIVE_STATUSES)


def _log(action: str, booking: Booking, actor, *, booth: Booth | None = None, before: dict | None = None,
         after: dict | None = None) -> None:
    """One activity-log entry for a booking change, written in the change's transaction. It is filed under the
    booth (``booking.booth`` unless given), whose page organizers read; the booking and its exhibitor are named."""
    booth = booth or booking.booth
    log_action(action=action, obj=booth, event=booking.event_id, actor=actor, before=before,
               after={**(after or {}), "booking": booking.pk}, note=_exhibitor(booking))


def _exhibitor(booking: Booking) -> str:
    application = booking.application
    return application.organization.name if application is not None else ""


def _expire(booking_ids: list[int], now: datetime) -> None:
    Booking.objects.filter(pk__in=booking_ids).update(status=BookingStatus.EXPIRED, updated_at=now)
    WaitlistEntry.objects.filter(offer__in=booking_ids, status=WaitlistStatus.OFFERED).update(
        status=WaitlistStatus.CANCELLED)


def _lock_booking(booking_id: int, event_id: int) -> Booking:
    """Lock a booking in the global order: its application, its booth, then the booking row itself."""
    first = Booking.objects.get(pk=booking_id, event_id=event_id)
    _lock_applications(first.application_id)
    _lock_booths(event_id, first.booth_id)
    booking = Booking.objects.select_for_update(of=("self",)).select_related("booth", "application").get(pk=booking_id)
    if booking.booth_id != first.booth_id:  # moved meanwhile: the caller's view of the plan is stale
        raise errors.BoothTaken(booking.booth.code)
    return booking


def reserve_booking(*, booking_id: int, application: ExhibitorApplication, now: datetime | None = None,
                    by_user=None) -> Booking:
    """Turn one's own unexpired hold into a reservation (the organizer then confirms it)."""
    now = _now(now)
    with transaction.atomic():
        booking = _lock_booking(booking_id, application.event_id)
        if booking.application_id != application.pk:
            raise errors.not_yours()
        if booking.status != BookingStatus.HELD:
            raise errors.wrong_state(booking.get_status_display())
        if booking.hold_expires_at <= now:
            _release_expired(booking.booth, now)
            _offer_to_waitlist(booking.booth, now)
            _announce(booking.event_id, booking.booth)
            raise_after = errors.hold_expired()
        else:
            raise_after = None
            booking.status = BookingStatus.RESERVED
            booking.hold_expires_at = None
            booking.save(update_fields=["status", "hold_expires_at", "updated_at"])
            WaitlistEntry.objects.filter(offer=booking).update(status=WaitlistStatus.DONE)
            _log("booths.reserve", booking, by_user, before={"status": BookingStatus.HELD},
                 after={"status": booking.status, "booth": booking.booth.code})
            fees.open_request(booking, now=now, by_user=by_user)
            _announce(booking.event_id, booking)
    if raise_after is not None:  # the release above is committed, then the caller hears why
        raise raise_after
    return booking


def cancel_booking(*, booking_id: int, application: ExhibitorApplication | None = None, event_id: int,
                   now: datetime | None = None, by_user=None) -> Booking:
    """Cancel an active booking: by its exhibitor (pass ``application``) or by the organizer (``None``).

    Locks the booking in the global order (application, booth, booking), cancels it, closes a waitlist offer
    it was, and offers the freed booth to the first exhibitor waiting for its type."""
    now = _now(now)
    with transaction.atomic():
        booking = _lock_booking(booking_id, event_id)
        if application is not None and booking.application_id != application.pk:
            raise errors.not_yours()
        live = booking.status in (BookingStatus.RESERVED, BookingStatus.CONFIRMED) or (
            booking.status == BookingStatus.HELD and booking.hold_expires_at > now)
        if not live:
            raise errors.wrong_state(booking.get_status_display())
        before = booking.status
        booking.status = BookingStatus.CANCELLED
        booking.save(update_fields=["status", "updated_at"])
        WaitlistEntry.objects.filter(offer=booking, status=WaitlistStatus.OFFERED).update(
            status=WaitlistStatus.CANCELLED)
        _log("booths.cancel", booking, by_user, before={"status": before, "booth": booking.booth.code},
             after={"status": booking.status})
        fees.close_requests(booking, status=PaymentStatus.CANCELLED, by_user=by_user)
        offer = _offer_to_waitlist(booking.booth, now)
        broadcast_on_commit(event_id, TOPIC, {"type": "booth.changed", "booths": [
            booth_state(booking.booth, offer, now)]})
    return booking


# --- Organizer ----------------------------------------------------------------------------------

def confirm_booking(*, booking_id: int, event_id: int, now: datetime | None = None, by_user=None) -> Booking:
    """The organizer confirms a reservation (or an unexpired hold)."""
    now = _now(now)
    with transaction.atomic():
        booking = _lock_booking(booking_id, event_id)
        confirm_locked(booking, now=now, by_user=by_user)
    return booking


def confirm_locked(booking: Booking, *, now: datetime, by_user=None, reason: str = "") -> Booking:
    """Confirm ``booking``, already locked by the caller (see :func:`confirm_locked_many`)."""
    confirm_locked_many([booking], now=now, by_user=by_user, reason=reason)
    return booking


def confirm_locked_many(bookings: list[Booking], *, now: datetime, by_user=None, reason: str = "") -> None:
    """Confirm ``bookings`` (one event's), already locked by the caller (``confirm_booking``, or the fees service
    when fees are paid or waived, one or a statement's worth at once): each must be a live hold or a reservation.
    A confirmed priced booth owes its price: a request is opened where none is. The writes are the same for one
    booking or many (one UPDATE, one waitlist UPDATE, one log INSERT, one announcement)."""
    if not bookings:
        return
    for booking in bookings:
        if booking.status not in (BookingStatus.HELD, BookingStatus.RESERVED) or not booking.is_active(now):
            raise errors.wrong_state(booking.get_status_display())
    before = {b.pk: b.status for b in bookings}
    ids = [b.pk for b in bookings]
    Booking.objects.filter(pk__in=ids).update(status=BookingStatus.CONFIRMED, hold_expires_at=None, updated_at=now)
    WaitlistEntry.objects.filter(offer__in=ids).update(status=WaitlistStatus.DONE)
    for booking in bookings:
        booking.status, booking.hold_expires_at, booking.updated_at = BookingStatus.CONFIRMED, None, now
    extra = {"reason": reason} if reason else {}
    log_many(build_entry(action="booths.confirm", obj=b.booth, event=b.event_id, actor=by_user,
                         before={"status": before[b.pk]},
                         after={"status": b.status, "booth": b.booth.code, **extra, "booking": b.pk},
                         note=_exhibitor(b)) for b in bookings)
    fees.open_requests(bookings, now=now, by_user=by_user)
    _announce(bookings[0].event_id, *bookings)


def _lock_bookings(event_id: int, booking_ids) -> dict[int, Booking]:
    """Lock many bookings in the global order: their applications, their booths, then the booking rows."""
    ids = sorted(set(booking_ids))
    first = {pk: (app, booth) for pk, app, booth in Booking.objects.filter(pk__in=ids, event_id=event_id)
             .values_list("pk", "application_id", "booth_id")}
    if len(first) != len(ids):
        raise Booking.DoesNotExist
    _lock_applications(*(app for app, _booth in first.values()))
    _lock_booths(event_id, *(booth for _app, booth in first.values()))
    rows = {b.pk: b for b in Booking.objects.select_for_update(of=("self",))
            .select_related("booth", "application__organization").filter(pk__in=ids).order_by("pk")}
    for pk, booking in rows.items():
        if booking.booth_id != first[pk][1]:  # moved meanwhile: the caller's view of the plan is stale
            raise errors.BoothTaken(booking.booth.code)
    return rows


def assign_booth(*, booth_id: int, application_id: int, event_id: int, by_user=None,
                 status: str = BookingStatus.CONFIRMED, now: datetime | None = None) -> Booking:
    """The organizer gives a free booth to an approved exhibitor (the booth limit still applies)."""
    now = _now(now)
    code = ""
    with _translated(lambda: code), transaction.atomic():
        app = _lock_applications(application_id).get(application_id)
        if app is None or app.event_id != event_id:
            raise ExhibitorApplication.DoesNotExist
        booth = _lock_booths(event_id, booth_id)[booth_id]
        code = booth.code
        booking = _take(booth=booth, application=app, status=status, expires=None, by_user=by_user, now=now)
        _log("booths.assign", booking, by_user, after={"status": booking.status, "booth": booth.code,
                                                      "exhibitor": app.organization.name})
        if booking.status in (BookingStatus.RESERVED, BookingStatus.CONFIRMED):
            fees.open_request(booking, now=now, by_user=by_user)
        _announce(event_id, booking)
    return booking


def move_booking(*, booking_id: int, to_booth_id: int, event_id: int, now: datetime | None = None,
                 by_user=None) -> Booking:
    """Move an active booking to a free booth, keeping its status."""
    now = _now(now)
    with transaction.atomic():
        booking = Booking.objects.get(pk=booking_id, event_id=event_id)
        _lock_applications(booking.application_id)
        booths = _lock_booths(event_id, booking.booth_id, to_booth_id)
        booking = Booking.objects.select_for_update(of=("self",)).select_related("booth").get(pk=booking_id)
        if not booking.is_active(now):
            raise errors.wrong_state(booking.get_status_display())
        source, target = booths[booking.booth_id], booths[to_booth_id]
        if source.pk == target.pk:
            return booking
        if target.blocked:
            raise errors.BoothBlocked(target.code)
        if _occupant(target, now) is not None:
            raise errors.BoothTaken(target.code)
        booking.booth = target
        with _translated(lambda: target.code), transaction.atomic():
            booking.save(update_fields=["booth", "updated_at"])
        for booth in (source, target):
            _log("booths.move", booking, by_user, booth=booth, before={"booth": source.code},
                 after={"booth": target.code})
        _offer_to_waitlist(source, now)
        _announce(event_id, source, target)
    return booking


def swap_bookings(*, booking_a_id: int, booking_b_id: int, event_id: int,
                  now: datetime | None = None, by_user=None) -> tuple[Booking, Booking]:
    """Two exhibitors exchange booths. Each booking row stays on its booth (so the one-active-per-booth
    index is never violated, even for an instant) and exchanges its exhibitor and state instead."""
    now = _now(now)
    with transaction.atomic():
        a0 = Booking.objects.get(pk=booking_a_id, event_id=event_id)
        b0 = Booking.objects.get(pk=booking_b_id, event_id=event_id)
        _lock_applications(a0.application_id, b0.application_id)
        _lock_booths(event_id, a0.booth_id, b0.booth_id)
        a = Booking.objects.select_for_update(of=("self",)).select_related("booth").get(pk=booking_a_id)
        b = Booking.objects.select_for_update(of=("self",)).select_related("booth").get(pk=booking_b_id)
        for booking in (a, b):
            if not booking.is_active(now):
                raise errors.wrong_state(booking.get_status_display())
        fields = ("application_id", "status", "hold_expires_at", "created_by_id")
        values_a = [getattr(a, f) for f in fields]
        for f in fields:
            setattr(a, f, getattr(b, f))
        for f, v in zip(fields, values_a, strict=True):
            setattr(b, f, v)
        for booking in (a, b):
            booking.save(update_fields=["application", "status", "hold_expires_at", "created_by", "updated_at"])
        fees.swap_requests(a, b)
        for booking, other in ((a, b), (b, a)):  # each booth's row now holds the other exhibitor
            _log("booths.swap", booking, by_user, before={"application": other.application_id},
                 after={"application": booking.application_id, "booth": booking.booth.code})
        _announce(event_id, a, b)
    return a, b


def block_booth(*, booth_id: int, event_id: int, reason: str = "", now: datetime | None = None,
                by_user=None) -> Booth:
    """Take a free booth off the market (pillar, fire exit, organizer's own use)."""
    now = _now(now)
    with transaction.atomic():
        booth = _lock_booths(event_id, booth_id)[booth_id]
        if _occupant(booth, now) is not None:
            raise errors.BoothTaken(booth.code)
        booth.blocked = True
        booth.blocked_reason = reason
        booth.save(update_fields=["blocked", "blocked_reason"])
        log_action(action="booths.block", obj=booth, actor=by_user, after={"blocked": True, "reason": reason})
        _announce(event_id, booth)
    return booth


def unblock_booth(*, booth_id: int, event_id: int, now: datetime | None = None, by_user=None) -> Booth:
    now = _now(now)
    with transaction.atomic():
        booth = _lock_booths(event_id, booth_id)[booth_id]
        before = {"blocked": booth.blocked, "reason": booth.blocked_reason}
        booth.blocked = False
        booth.blocked_reason = ""
        booth.save(update_fields=["blocked", "blocked_reason"])
        log_action(action="booths.unblock", obj=booth, actor=by_user, before=before, after={"blocked": False})
        _offer_to_waitlist(booth, now)
        _announce(event_id, booth)
    return booth


def vacate_booth(*, booth_id: int, event_id: int, now: datetime | None = None, by_user=None) -> Booking | None:
    """The organizer frees a booth whatever its state; the waitlist gets an offer."""
    now = _now(now)
    with transaction.atomic():
        booking0 = _active_on(Booth(pk=booth_id))
        if booking0 is not None:
            _lock_applications(booking0.application_id)
        booth = _lock_booths(event_id, booth_id)[booth_id]
        booking = _occupant(booth, now)
        if booking is not None:
            before = booking.status
            booking.status = BookingStatus.VACATED
            booking.save(update_fields=["status", "updated_at"])
            _log("booths.vacate", booking, by_user, before={"status": before, "booth": booth.code},
                 after={"status": booking.status})
            fees.close_requests(booking, status=PaymentStatus.CANCELLED, by_user=by_user)
        _offer_to_waitlist(booth, now)
        _announce(event_id, booth)
    return booking


def release_expired_holds(*, event_id: int, now: datetime | None = None) -> int:
    """Sweep: release every expired hold of the event (each under its booth's lock) and offer the booths."""
    now = _now(now)
    booth_ids = list(Booking.objects.filter(event_id=event_id, status=BookingStatus.HELD, hold_expires_at__lte=now)
                     .values_list("booth_id", flat=True))
    released = 0
    for booth_id in booth_ids:
        with transaction.atomic():
            booth = _lock_booths(event_id, booth_id)[booth_id]
            if _release_expired(booth, now):
                released += 1
                _offer_to_waitlist(booth, now)
                _announce(event_id, booth)
    return released


def release_unpaid(*, booking_id: int, event_id: int, now: datetime | None = None, by_user=None) -> bool:
    """An unpaid reservation past its payment deadline frees its booth: the booking becomes "released: not
    paid in time", its request "expired", and the booth is offered to the waitlist like any freed booth.

    Only reservations (not organizer-confirmed bookings) are released, and only while the request is still
    open and past due when re-read under the locks: a payment recorded meanwhile wins."""
    now = _now(now)
    with transaction.atomic():
        booking = _lock_booking(booking_id, event_id)
        request = (PaymentRequest.objects.select_for_update().filter(
            booking=booking, status=PaymentStatus.OPEN, due_at__lte=now).first())
        if booking.status != BookingStatus.RESERVED or request is None:
            return False
        booking.status = BookingStatus.UNPAID
        booking.save(update_fields=["status", "updated_at"])
        _log("booths.release_unpaid", booking, by_user, before={"status": BookingStatus.RESERVED},
             after={"status": booking.status, "booth": booking.booth.code, "reference": request.reference,
                    "due": request.due_at})
        fees.close_requests(booking, status=PaymentStatus.EXPIRED, by_user=by_user)
        offer = _offer_to_waitlist(booking.booth, now)
        broadcast_on_commit(event_id, TOPIC, {"type": "booth.changed", "booths": [
            booth_state(booking.booth, offer, now)]})
    return True


def release_unpaid_reservations(*, event_id: int, now: datetime | None = None) -> int:
    """Sweep (task queue or ``manage.py release_unpaid_reservations``): release every reservation of the event
    whose payment deadline has passed, each in its own transaction under its locks."""
    now = _now(now)
    booking_ids = list(PaymentRequest.objects.filter(
        event_id=event_id, status=PaymentStatus.OPEN, due_at__lte=now, booking__status=BookingStatus.RESERVED)
        .values_list("booking_id", flat=True))
    return sum(release_unpaid(booking_id=pk, event_id=event_id, now=now) for pk in booking_ids)


def events_with_unpaid_due(*, now: datetime | None = None) -> list[int]:
    """The events that have a reservation past its payment deadline."""
    return list(PaymentRequest.objects.filter(
        status=PaymentStatus.OPEN, due_at__lte=_now(now), booking__status=BookingStatus.RESERVED)
        .values_list("event_id", flat=True).distinct())


def release_all_unpaid_reservations(*, now: datetime | None = None) -> int:
    """The sweep over every event with a reservation past its payment deadline (``manage.py periodic``,
    ``release_unpaid_reservations``); how many reservations it released."""
    now = _now(now)
    return sum(release_unpaid_reservations(event_id=event_id, now=now) for event_id in events_with_unpaid_due(now=now))


def periodic_release_unpaid(*, site: str = "") -> PeriodicRun:
    """The ``release_unpaid`` periodic job (booths/apps.py)."""
    return PeriodicRun(f"released {release_all_unpaid_reservations()} unpaid reservations")


def join_waitlist(*, application: ExhibitorApplication, kind: str) -> WaitlistEntry:
    """Wait for a booth of ``kind``; the first one to free up is offered automatically."""
    if application.status != ApplicationStatus.APPROVED:
        raise errors.not_approved()
    with transaction.atomic():
        _lock_applications(application.pk)
        entry = WaitlistEntry.objects.filter(application=application, kind=kind,
                                             status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED]).first()
        return entry or WaitlistEntry.objects.create(event_id=application.event_id, application=application,
                                                     kind=kind)


def leave_waitlist(*, application: ExhibitorApplication, entry_id: int) -> None:
    WaitlistEntry.objects.filter(pk=entry_id, application=application, status=WaitlistStatus.WAITING).update(
        status=WaitlistStatus.CANCELLED)
