"""Property: whatever sequence of booking operations runs, no booth ever has two active bookings,
no exhibitor exceeds the booth limit, and every refusal is a domain error (never a database error)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booths.models import Booking, BoothKind, BoothSettings
from booths.services import booking as svc
from eventsite.errors import DomainError
from tests.factories import EventFactory

from .factories import BoothFactory, HallFactory, exhibitor

OPS = ["hold", "reserve", "cancel", "cancel_org", "confirm", "move", "swap", "block", "unblock", "vacate",
       "wait", "expire_sweep"]
operation = st.tuples(st.sampled_from(OPS), st.integers(0, 4), st.integers(0, 4), st.integers(0, 30))


class Rollback(Exception):
    pass


@pytest.mark.django_db
@settings(max_examples=45, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(operation, min_size=1, max_size=25))
def test_no_booth_ever_has_two_active_bookings(ops):
    try:
        with transaction.atomic():
            _run(ops)
            raise Rollback
    except Rollback:
        pass


def _run(ops):
    event = EventFactory()
    BoothSettings.objects.create(event=event, max_booths_per_exhibitor=2, hold_minutes=10)
    hall = HallFactory(event=event)
    kinds = [BoothKind.STANDARD, BoothKind.STANDARD, BoothKind.CORNER, BoothKind.CORNER, BoothKind.OUTDOOR]
    booths = [BoothFactory(hall=hall, kind=k) for k in kinds]
    apps = [exhibitor(event) for _ in range(5)]
    start = timezone.now()
    for step, (op, i, j, minutes) in enumerate(ops):
        # time only moves forward; some steps jump past the hold duration so holds expire
        now = start + timedelta(minutes=minutes + step * 3)
        bookings = list(Booking.objects.filter(event=event).order_by("pk"))
        pick = bookings[i % len(bookings)] if bookings else None
        other = bookings[j % len(bookings)] if bookings else None
        try:
            if op == "hold":
                svc.hold_booth(booth_id=booths[j].pk, application=apps[i], now=now)
            elif op == "reserve" and pick:
                svc.reserve_booking(booking_id=pick.pk, application=pick.application, now=now)
            elif op == "cancel" and pick:
                svc.cancel_booking(booking_id=pick.pk, application=apps[j], event_id=event.pk, now=now)
            elif op == "cancel_org" and pick:
                svc.cancel_booking(booking_id=pick.pk, event_id=event.pk, now=now)
            elif op == "confirm" and pick:
                svc.confirm_booking(booking_id=pick.pk, event_id=event.pk, now=now)
            elif op == "move" and pick:
                svc.move_booking(booking_id=pick.pk, to_booth_id=booths[j].pk, event_id=event.pk, now=now)
            elif op == "swap" and pick and other and pick.pk != other.pk:
                svc.swap_bookings(booking_a_id=pick.pk, booking_b_id=other.pk, event_id=event.pk, now=now)
            elif op == "block":
                svc.block_booth(booth_id=booths[j].pk, event_id=event.pk, now=now)
            elif op == "unblock":
                svc.unblock_booth(booth_id=booths[j].pk, event_id=event.pk, now=now)
            elif op == "vacate":
                svc.vacate_booth(booth_id=booths[j].pk, event_id=event.pk, now=now)
            elif op == "wait":
                svc.join_waitlist(application=apps[i], kind=kinds[j])
            elif op == "expire_sweep":
                svc.release_expired_holds(event_id=event.pk, now=now)
        except DomainError:
            pass
        _check_invariants(event, now)


def _check_invariants(event, now):
    rows = list(Booking.objects.filter(event=event).select_related("booth"))
    by_status = Counter(b.booth_id for b in rows if b.status in ("held", "reserved", "confirmed"))
    assert max(by_status.values(), default=0) <= 1, "a booth has two bookings in an active status"
    live = [b for b in rows if b.is_active(now)]
    assert max(Counter(b.booth_id for b in live).values(), default=0) <= 1
    assert max(Counter(b.application_id for b in live).values(), default=0) <= 2, "booth limit exceeded"
    assert not [b for b in live if b.booth.blocked], "a blocked booth is occupied"
