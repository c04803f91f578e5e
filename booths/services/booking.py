"""Booking rules: hold → reserve → confirm, cancel, and the organizer's assign/move/swap/block/vacate.

Never a double booking. Every change that gives a booth to someone runs in one transaction that
first locks the booth row (``select_for_update``), releases an expired hold on it, checks that no
active booking remains, and only then inserts. The partial unique index
``booking_one_active_per_booth`` is the last guard: if two writers still meet, the loser's insert
fails and becomes ``BoothTaken`` (409), never a 500. Lock order is always: applications (by id),
then booths (by id), so two transactions cannot wait on each other in a cycle.
"""

from __future__ import annotations

import weakref
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from eventsite.db import sql_all as _sql_all
from eventsite.db import sql_one as _sql_one
from eventsite.live import broadcast_on_commit

from ..models import (
    ACTIVE_STATUSES,
    ApplicationStatus,
    Booking,
    BookingStatus,
    Booth,
    BoothSettings,
    ExhibitorApplication,
    WaitlistEntry,
    WaitlistStatus,
)
from . import errors
from .state import booth_state

TOPIC = "floorplan"


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _lock_applications(*ids: int) -> dict[int, ExhibitorApplication]:
    # of=("self",): lock the application rows only. Without it PostgreSQL also locks the joined
    # organization and *event* rows, which made every booking of an event wait for every other one.
    rows = (ExhibitorApplication.objects.select_for_update(of=("self",)).select_related("organization", "event")
            .filter(pk__in=sorted(set(ids))).order_by("pk"))
    return {a.pk: a for a in rows}


def _lock_booths(event_id: int, *ids: int) -> dict[int, Booth]:
    rows = Booth.objects.select_for_update().filter(event_id=event_id, pk__in=sorted(set(ids))).order_by("pk")
    found = {b.pk: b for b in rows}
    if len(found) != len(set(ids)):
        raise Booth.DoesNotExist
    return found


def _release_expired(booth: Booth | int, now: datetime) -> bool:
    """Inside the booth lock: an expired hold stops occupying the booth (and closes its waitlist offer)."""
    expired = list(Booking.objects.filter(booth=booth, status=BookingStatus.HELD, hold_expires_at__lte=now)
                   .values_list("pk", flat=True))
    if expired:
        _expire(expired, now)
    return bool(expired)


def _active_on(booth: Booth) -> Booking | None:
    return (Booking.objects.select_related("application__organization")
            .filter(booth=booth, status__in=[s.value for s in (BookingStatus.HELD, BookingStatus.RESERVED,
                                                                BookingStatus.CONFIRMED)]).first())


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
    _release_expired(booth, now)
    if _active_on(booth) is not None:
        raise errors.BoothTaken(booth.code)
    if application.status != ApplicationStatus.APPROVED:
        raise errors.not_approved()
    limit = (rules or BoothSettings.for_event(application.event)).max_booths_per_exhibitor
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

    The hot path of a booking race, so it is a few plain statements rather than ORM queries (whose
    compilation cost more than the database work):

    1. one unlocked read refuses a booth that is plainly taken (most losers of a rush), without a
       transaction or a lock wait;
    2. one statement locks the application, then the booth (``FOR UPDATE OF a, b``: the global lock
       order), and reads the event's rules and whether an expired hold still sits on the booth;
    3. one ``INSERT … SELECT`` takes the booth only if nothing active occupies it and the exhibitor is
       under its limit. It runs after both locks, so its snapshot holds every committed change.

    On PostgreSQL the same steps run inside one function call (``booths_hold_booth``, migration 0002): one
    round trip and no BEGIN/COMMIT of its own when called outside a transaction. Elsewhere (SQLite) they run as
    separate statements in one transaction. Only when the insert declines is the occupancy read again, to say
    why (same rules and order as ``_take``: blocked, taken, not approved, limit). The partial unique index stays
    the last guard (``_translated``).
    """
    now = _now(now)
    if connection.vendor == "postgresql":
        return _hold_in_postgres(booth_id=booth_id, application=application, by_user=by_user, now=now)
    code = ""
    # Only a clean "taken" is answered here (self-service open, booth not blocked); every other case, and every
    # booth that looks free, goes through the locked path below.
    taken = _sql_one(_HOLD_PRECHECK, [application.pk, booth_id, *ACTIVE, BookingStatus.HELD, _db_time(now)])
    if taken is not None:
        raise errors.BoothTaken(taken[0])
    with _translated(lambda: code), transaction.atomic():
        row = _sql_one(_HOLD_LOCK + _for_update(" OF a, b"), [BookingStatus.HELD, _db_time(now), booth_id,
                                                                application.pk])
        if row is None:  # which one is missing: the application, or the booth (in the application's event)?
            if not ExhibitorApplication.objects.filter(pk=application.pk).exists():
                raise ExhibitorApplication.DoesNotExist
            raise Booth.DoesNotExist
        event_id, app_status, org_name, hold_minutes, limit, open_, code, blocked, has_expired = row
        if hold_minutes is None:  # the event has no settings row yet: create the defaults
            rules = BoothSettings.objects.get_or_create(event_id=event_id)[0]
            hold_minutes, limit, open_ = rules.hold_minutes, rules.max_booths_per_exhibitor, rules.self_service_open
        if not open_:
            raise errors.self_service_closed()
        if blocked:
            raise errors.BoothBlocked(code)
        if has_expired:
            _release_expired(booth_id, now)
        approved = app_status == ApplicationStatus.APPROVED
        expires = now + timedelta(minutes=hold_minutes)
        stamp = timezone.now()  # what auto_now(_add) would store
        by_user_id = by_user.pk if by_user is not None else None
        live = [*ACTIVE, BookingStatus.HELD, _db_time(now)]
        inserted = _sql_one(_HOLD_INSERT, [
            event_id, booth_id, application.pk, BookingStatus.HELD, _db_time(expires), _db_time(stamp),
            _db_time(stamp), by_user_id, approved, booth_id, *live, application.pk, *live, limit])
        if inserted is None:  # declined: say why, in _take's order
            rows = _sql_all(_HOLD_OCCUPANCY, [BookingStatus.HELD, _db_time(now), booth_id, application.pk, *ACTIVE])
            if any(booth == booth_id and not gone for _pk, booth, _app, gone in rows):
                raise errors.BoothTaken(code)
            if not approved:
                raise errors.not_approved()
            raise errors.limit_reached(limit)
        return _held(inserted[0], booth_id=booth_id, application=application, event_id=event_id, code=code,
                     exhibitor=org_name, expires=expires, stamp=stamp, by_user_id=by_user_id, now=now)


def _hold_in_postgres(*, booth_id: int, application: ExhibitorApplication, by_user, now: datetime) -> Booking:
    stamp = timezone.now()  # what auto_now(_add) would store
    by_user_id = by_user.pk if by_user is not None else None
    code = ""
    params = [application.pk, booth_id, now, stamp, by_user_id]
    with _translated(lambda: code):
        outcome, pk, event_id, code, exhibitor, expires, limit = _sql_one(_HOLD_CALL, params)
        if outcome == "no_settings":  # the event has no rules row yet: create the defaults, then ask again
            BoothSettings.objects.get_or_create(event_id=application.event_id)
            outcome, pk, event_id, code, exhibitor, expires, limit = _sql_one(_HOLD_CALL, params)
    if outcome == "won":  # committed already unless the caller runs a transaction (then announced at its commit)
        return _held(pk, booth_id=booth_id, application=application, event_id=event_id, code=code,
                     exhibitor=exhibitor, expires=expires, stamp=stamp, by_user_id=by_user_id, now=now)
    if outcome == "taken":
        raise errors.BoothTaken(code)
    if outcome == "blocked":
        raise errors.BoothBlocked(code)
    if outcome == "closed":
        raise errors.self_service_closed()
    if outcome == "not_approved":
        raise errors.not_approved()
    if outcome == "limit":
        raise errors.limit_reached(limit)
    if outcome == "no_application":
        raise ExhibitorApplication.DoesNotExist
    raise Booth.DoesNotExist


def _held(pk: int, *, booth_id: int, application: ExhibitorApplication, event_id: int, code: str, exhibitor: str,
          expires: datetime, stamp: datetime, by_user_id: int | None, now: datetime) -> Booking:
    """The hold just inserted, as a Booking (no read back), announced to plan viewers once committed."""
    booth = _loaded(Booth, id=booth_id, event_id=event_id, code=code, blocked=False)
    booking = Booking(pk=pk, event_id=event_id, booth=booth, application=application,
                      status=BookingStatus.HELD, hold_expires_at=expires, created_at=stamp, updated_at=stamp,
                      created_by_id=by_user_id)
    booking._state.adding = False
    booking._state.db = connection.alias
    broadcast_on_commit(event_id, TOPIC, {"type": "booth.changed", "booths": [booth_state(
        booth, booking, now, exhibitor=exhibitor)]})
    return booking


ACTIVE = tuple(s.value for s in ACTIVE_STATUSES)

# Plain SQL of the two self-service hot paths (hold, cancel). Portable between PostgreSQL and SQLite;
# the row locks are appended only where the backend has them (SQLite serialises writers anyway).
# The application and the booth, locked in that order (the OF list's order), with the event's rules and whether an
# expired hold still sits on the booth. No row: the application or the booth (in its event) does not exist.
_HOLD_LOCK = """
    SELECT a.event_id, a.status, o.name, s.hold_minutes, s.max_booths_per_exhibitor, s.self_service_open,
           b.code, b.blocked,
           EXISTS (SELECT 1 FROM booths_booking k WHERE k.booth_id = b.id AND k.status = %s AND k.hold_expires_at <= %s)
    FROM booths_exhibitorapplication a
    JOIN eventsite_organization o ON o.id = a.organization_id
    JOIN booths_booth b ON b.id = %s AND b.event_id = a.event_id
    LEFT JOIN booths_boothsettings s ON s.event_id = a.event_id
    WHERE a.id = %s"""
# The booth's code if it is taken now (an unexpired hold or a reservation), self-service is open and the booth
# is not blocked: the optimistic refusal before the locked path (no row: take the locked path).
_HOLD_PRECHECK = """
    SELECT b.code FROM booths_booth b
    JOIN booths_exhibitorapplication a ON a.id = %s AND a.event_id = b.event_id
    JOIN booths_boothsettings s ON s.event_id = b.event_id AND s.self_service_open
    WHERE b.id = %s AND NOT b.blocked AND EXISTS (
        SELECT 1 FROM booths_booking k WHERE k.booth_id = b.id AND k.status IN (%s, %s, %s)
        AND NOT (k.status = %s AND k.hold_expires_at <= %s))"""
# Active bookings on the booth (an expired hold flagged) and the exhibitor's own: why an insert was declined.
_HOLD_OCCUPANCY = """
    SELECT id, booth_id, application_id, CASE WHEN status = %s AND hold_expires_at <= %s THEN 1 ELSE 0 END
    FROM booths_booking
    WHERE (booth_id = %s OR application_id = %s) AND status IN (%s, %s, %s)"""
# The hold, only if the exhibitor is approved, nothing live occupies the booth and the exhibitor is under its limit.
_HOLD_INSERT = """
    INSERT INTO booths_booking (event_id, booth_id, application_id, status, hold_expires_at, created_at,
                                updated_at, created_by_id)
    SELECT %s, %s, %s, %s, %s, %s, %s, %s
    WHERE %s
      AND NOT EXISTS (SELECT 1 FROM booths_booking WHERE booth_id = %s AND status IN (%s, %s, %s)
                      AND NOT (status = %s AND hold_expires_at <= %s))
      AND (SELECT COUNT(*) FROM booths_booking WHERE application_id = %s AND status IN (%s, %s, %s)
           AND NOT (status = %s AND hold_expires_at <= %s)) < %s
    RETURNING id"""
# PostgreSQL: all of the above in one call (booths/migrations/0002_hold_booth_function.py).
_HOLD_CALL = "SELECT * FROM booths_hold_booth(%s::bigint, %s::bigint, %s::timestamptz, %s::timestamptz, %s::bigint)"
_CANCEL_CALL = ("SELECT * FROM booths_cancel_booking(%s::bigint, %s::bigint, %s::bigint, %s::timestamptz, "
                "%s::timestamptz)")
# The booking's booth, locked (the booking is read without a lock: the UPDATE below re-checks it).
_CANCEL_BOOTH = """
    SELECT id, code, blocked, kind FROM booths_booth
    WHERE event_id = %s AND id = (SELECT booth_id FROM booths_booking WHERE id = %s AND event_id = %s)"""
# Cancel only if still on that booth, still active and (for an exhibitor) still theirs; say whether the
# booking was a waitlist offer and whether anyone waits for this booth type, so neither is read otherwise.
_CANCEL_UPDATE = """
    UPDATE booths_booking SET status = %s, updated_at = %s
    WHERE id = %s AND booth_id = %s AND application_id = COALESCE(%s, application_id)
      AND (status IN (%s, %s) OR (status = %s AND hold_expires_at > %s))
    RETURNING application_id,
      (SELECT COUNT(*) FROM booths_waitlistentry w WHERE w.offer_id = booths_booking.id AND w.status = %s),
      (SELECT COUNT(*) FROM booths_waitlistentry w WHERE w.event_id = booths_booking.event_id AND w.kind = %s
         AND w.status = %s)"""


def _for_update(of: str = "") -> str:
    return f" FOR UPDATE{of}" if connection.features.has_select_for_update else ""


def _db_time(moment: datetime | None):
    return connection.ops.adapt_datetimefield_value(moment)


def _loaded(model, **values):
    """An instance as if read with ``.only(*values)``: the other fields load on access, never guessed."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(connection.alias, names, [values[n] for n in names])


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


def reserve_booking(*, booking_id: int, application: ExhibitorApplication, now: datetime | None = None) -> Booking:
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
            _announce(booking.event_id, booking)
    if raise_after is not None:  # the release above is committed, then the caller hears why
        raise raise_after
    return booking


def cancel_booking(*, booking_id: int, application: ExhibitorApplication | None = None, event_id: int,
                   now: datetime | None = None) -> Booking:
    """Cancel an active booking: by its exhibitor (pass ``application``) or by the organizer (``None``).

    Locks the booking's booth, then one conditional UPDATE cancels it; only when that changes nothing
    is the booking read again to say why. The application is not locked: cancelling never raises an
    exhibitor's count, and the waitlist offer below skips locked applications, so no lock cycle.
    On PostgreSQL, when nobody waits for this booth type, those steps run as one function call
    (``booths_cancel_booking``, migration 0003)."""
    now = _now(now)
    app_id = application.pk if application is not None else None
    if connection.vendor == "postgresql":
        outcome, booth_id, code, blocked, application_id = _sql_one(
            _CANCEL_CALL, [booking_id, event_id, app_id, now, timezone.now()])
        if outcome == "no_booking":
            raise Booking.DoesNotExist
        if outcome != "waitlist":  # a freed booth to offer: the transaction below does it
            booth = _loaded(Booth, id=booth_id, event_id=event_id, code=code, blocked=blocked)
            if outcome == "unchanged":
                _why_not_cancelled(booking_id, booth, application)
            broadcast_on_commit(event_id, TOPIC, {"type": "booth.changed", "booths": [booth_state(booth, None, now)]})
            return _cancelled(booking_id, booth, application_id)
    with transaction.atomic():
        row = _sql_one(_CANCEL_BOOTH + _for_update(), [event_id, booking_id, event_id])
        if row is None:
            raise Booking.DoesNotExist
        booth = _loaded(Booth, id=row[0], event_id=event_id, code=row[1], blocked=bool(row[2]), kind=row[3])
        done = _sql_one(_CANCEL_UPDATE, [
            BookingStatus.CANCELLED, _db_time(timezone.now()), booking_id, booth.pk, app_id,
            BookingStatus.RESERVED, BookingStatus.CONFIRMED, BookingStatus.HELD, _db_time(now),
            WaitlistStatus.OFFERED, booth.kind, WaitlistStatus.WAITING])
        if done is None:
            _why_not_cancelled(booking_id, booth, application)
        application_id, was_offer, waiting = done
        if was_offer:
            WaitlistEntry.objects.filter(offer_id=booking_id, status=WaitlistStatus.OFFERED).update(
                status=WaitlistStatus.CANCELLED)
        offer = _offer_to_waitlist(booth, now) if waiting else None
        broadcast_on_commit(event_id, TOPIC, {"type": "booth.changed", "booths": [booth_state(booth, offer, now)]})
    return _cancelled(booking_id, booth, application_id)


def _why_not_cancelled(booking_id: int, booth: Booth, application: ExhibitorApplication | None):
    """The cancel changed nothing: raise why."""
    booking = Booking.objects.select_related("booth").get(pk=booking_id)
    if booking.booth_id != booth.pk:  # moved meanwhile: the caller's view of the plan is stale
        raise errors.BoothTaken(booking.booth.code)
    if application is not None and booking.application_id != application.pk:
        raise errors.not_yours()
    raise errors.wrong_state(booking.get_status_display())


def _cancelled(booking_id: int, booth: Booth, application_id: int) -> Booking:
    booking = _loaded(Booking, id=booking_id, event_id=booth.event_id, booth_id=booth.pk,
                      application_id=application_id, status=BookingStatus.CANCELLED)
    booking.booth = booth
    return booking


_warmed: weakref.WeakSet = weakref.WeakSet()


def warm_connection(sender, connection, **kwargs) -> None:
    """``connection_created`` on PostgreSQL: once per physical connection (a pooled one is "created" again at
    every checkout), compile and prepare the hold and cancel calls (``booths_hold_booth``,
    ``booths_cancel_booking``) with ids that match nothing. A booking rush then finds them ready instead of
    every connection compiling and planning them at the same moment (measured: about a third of the rush's
    database CPU). Sent on the raw connection, so it is not one of the request's queries. Before migrations there
    is no function yet: nothing to warm."""
    raw = connection.connection
    if connection.vendor != "postgresql" or raw is None or raw in _warmed:
        return
    _warmed.add(raw)
    import psycopg

    now = timezone.now()
    try:
        with psycopg.Cursor(raw) as cursor:
            for sql, params in ((_HOLD_CALL, [0, 0, now, now, None]), (_CANCEL_CALL, [0, 0, 0, now, now])):
                cursor.execute(sql, params, prepare=True)
    except psycopg.Error:  # not migrated yet (no function, no tables)
        if not raw.autocommit:
            raw.rollback()


# --- Organizer ----------------------------------------------------------------------------------

def confirm_booking(*, booking_id: int, event_id: int, now: datetime | None = None) -> Booking:
    """The organizer confirms a reservation (or an unexpired hold)."""
    now = _now(now)
    with transaction.atomic():
        booking = _lock_booking(booking_id, event_id)
        if booking.status not in (BookingStatus.HELD, BookingStatus.RESERVED) or not booking.is_active(now):
            raise errors.wrong_state(booking.get_status_display())
        booking.status = BookingStatus.CONFIRMED
        booking.hold_expires_at = None
        booking.save(update_fields=["status", "hold_expires_at", "updated_at"])
        WaitlistEntry.objects.filter(offer=booking).update(status=WaitlistStatus.DONE)
        _announce(event_id, booking)
    return booking


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
        _announce(event_id, booking)
    return booking


def move_booking(*, booking_id: int, to_booth_id: int, event_id: int, now: datetime | None = None) -> Booking:
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
        _release_expired(target, now)
        if _active_on(target) is not None:
            raise errors.BoothTaken(target.code)
        booking.booth = target
        with _translated(lambda: target.code), transaction.atomic():
            booking.save(update_fields=["booth", "updated_at"])
        _offer_to_waitlist(source, now)
        _announce(event_id, source, target)
    return booking


def swap_bookings(*, booking_a_id: int, booking_b_id: int, event_id: int,
                  now: datetime | None = None) -> tuple[Booking, Booking]:
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
        _announce(event_id, a, b)
    return a, b


def block_booth(*, booth_id: int, event_id: int, reason: str = "", now: datetime | None = None) -> Booth:
    """Take a free booth off the market (pillar, fire exit, organizer's own use)."""
    now = _now(now)
    with transaction.atomic():
        booth = _lock_booths(event_id, booth_id)[booth_id]
        _release_expired(booth, now)
        if _active_on(booth) is not None:
            raise errors.BoothTaken(booth.code)
        booth.blocked = True
        booth.blocked_reason = reason
        booth.save(update_fields=["blocked", "blocked_reason"])
        _announce(event_id, booth)
    return booth


def unblock_booth(*, booth_id: int, event_id: int, now: datetime | None = None) -> Booth:
    now = _now(now)
    with transaction.atomic():
        booth = _lock_booths(event_id, booth_id)[booth_id]
        booth.blocked = False
        booth.blocked_reason = ""
        booth.save(update_fields=["blocked", "blocked_reason"])
        _offer_to_waitlist(booth, now)
        _announce(event_id, booth)
    return booth


def vacate_booth(*, booth_id: int, event_id: int, now: datetime | None = None) -> Booking | None:
    """The organizer frees a booth whatever its state; the waitlist gets an offer."""
    now = _now(now)
    with transaction.atomic():
        booking0 = _active_on(Booth(pk=booth_id))
        if booking0 is not None:
            _lock_applications(booking0.application_id)
        booth = _lock_booths(event_id, booth_id)[booth_id]
        _release_expired(booth, now)
        booking = _active_on(booth)
        if booking is not None:
            booking.status = BookingStatus.VACATED
            booking.save(update_fields=["status", "updated_at"])
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
