from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from booths.models import (
    ApplicationStatus,
    Booking,
    BookingStatus,
    BoothKind,
    BoothSettings,
    WaitlistEntry,
    WaitlistStatus,
)
from booths.services import booking as svc
from booths.services.errors import BookingError, BoothBlocked, BoothTaken
from booths.services.state import plan_state
from eventsite.errors import Conflict
from tests.factories import EventFactory

from .factories import ApplicationFactory, BoothFactory, HallFactory, exhibitor

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return EventFactory()


@pytest.fixture
def hall(event):
    return HallFactory(event=event)


def test_hold_then_reserve_then_confirm(event, hall):
    booth = BoothFactory(hall=hall)
    app = exhibitor(event)
    held = svc.hold_booth(booth_id=booth.pk, application=app)
    assert held.status == BookingStatus.HELD
    assert held.hold_expires_at > timezone.now()
    reserved = svc.reserve_booking(booking_id=held.pk, application=app)
    assert reserved.status == BookingStatus.RESERVED
    confirmed = svc.confirm_booking(booking_id=held.pk, event_id=event.pk)
    assert confirmed.status == BookingStatus.CONFIRMED
    assert [s["status"] for s in plan_state(event)] == ["confirmed"]


def test_hold_on_taken_booth_raises_booth_taken(event, hall):
    booth = BoothFactory(hall=hall)
    svc.hold_booth(booth_id=booth.pk, application=exhibitor(event))
    with pytest.raises(BoothTaken) as err:
        svc.hold_booth(booth_id=booth.pk, application=exhibitor(event))
    assert err.value.code == "booth_taken"
    assert err.value.status == 409
    assert Booking.objects.filter(booth=booth).count() == 1


def test_expired_hold_is_released_inside_the_lock_before_a_new_hold(event, hall):
    booth = BoothFactory(hall=hall)
    first = exhibitor(event)
    old = svc.hold_booth(booth_id=booth.pk, application=first, now=timezone.now() - timedelta(hours=1))
    second = exhibitor(event)
    new = svc.hold_booth(booth_id=booth.pk, application=second)
    old.refresh_from_db()
    assert old.status == BookingStatus.EXPIRED
    assert new.application == second
    assert Booking.objects.filter(booth=booth, status__in=["held", "reserved", "confirmed"]).count() == 1


def test_reserve_after_expiry_releases_and_reports_hold_expired(event, hall):
    booth = BoothFactory(hall=hall)
    app = exhibitor(event)
    held = svc.hold_booth(booth_id=booth.pk, application=app, now=timezone.now() - timedelta(hours=1))
    with pytest.raises(Conflict) as err:
        svc.reserve_booking(booking_id=held.pk, application=app)
    assert err.value.code == "hold_expired"
    held.refresh_from_db()
    assert held.status == BookingStatus.EXPIRED


def test_unapproved_application_cannot_hold(event, hall):
    booth = BoothFactory(hall=hall)
    app = ApplicationFactory(event=event, status=ApplicationStatus.SUBMITTED)
    with pytest.raises(BookingError) as err:
        svc.hold_booth(booth_id=booth.pk, application=app)
    assert err.value.code == "not_approved"


def test_booth_limit_per_exhibitor(event, hall):
    BoothSettings.objects.create(event=event, max_booths_per_exhibitor=2)
    booths = BoothFactory.create_batch(3, hall=hall)
    app = exhibitor(event)
    svc.hold_booth(booth_id=booths[0].pk, application=app)
    svc.hold_booth(booth_id=booths[1].pk, application=app)
    with pytest.raises(BookingError) as err:
        svc.hold_booth(booth_id=booths[2].pk, application=app)
    assert err.value.code == "limit_reached"


def test_exhibitor_cannot_reserve_or_cancel_someone_elses_booking(event, hall):
    booth = BoothFactory(hall=hall)
    held = svc.hold_booth(booth_id=booth.pk, application=exhibitor(event))
    other = exhibitor(event)
    with pytest.raises(BookingError) as err:
        svc.reserve_booking(booking_id=held.pk, application=other)
    assert err.value.code == "not_yours"
    with pytest.raises(BookingError):
        svc.cancel_booking(booking_id=held.pk, application=other, event_id=event.pk)


def test_cancel_frees_the_booth_and_offers_it_to_the_waitlist(event, hall):
    booth = BoothFactory(hall=hall, kind=BoothKind.CORNER)
    holder = exhibitor(event)
    waiting = exhibitor(event)
    booking = svc.assign_booth(booth_id=booth.pk, application_id=holder.pk, event_id=event.pk)
    entry = svc.join_waitlist(application=waiting, kind=BoothKind.CORNER)
    svc.cancel_booking(booking_id=booking.pk, application=holder, event_id=event.pk)
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.OFFERED
    assert entry.offer.booth == booth
    assert entry.offer.application == waiting
    assert entry.offer.status == BookingStatus.HELD
    svc.reserve_booking(booking_id=entry.offer.pk, application=waiting)
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.DONE


def test_waitlist_skips_other_booth_types(event, hall):
    booth = BoothFactory(hall=hall, kind=BoothKind.STANDARD)
    holder = exhibitor(event)
    booking = svc.assign_booth(booth_id=booth.pk, application_id=holder.pk, event_id=event.pk)
    svc.join_waitlist(application=exhibitor(event), kind=BoothKind.OUTDOOR)
    svc.vacate_booth(booth_id=booth.pk, event_id=event.pk)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.VACATED
    assert WaitlistEntry.objects.get().status == WaitlistStatus.WAITING
    assert plan_state(event)[0]["status"] == "free"


def test_move_and_swap_keep_one_booking_per_booth(event, hall):
    b1, b2, b3 = BoothFactory.create_batch(3, hall=hall)
    a, b = exhibitor(event), exhibitor(event)
    ka = svc.assign_booth(booth_id=b1.pk, application_id=a.pk, event_id=event.pk)
    kb = svc.hold_booth(booth_id=b2.pk, application=b)
    with pytest.raises(BoothTaken):
        svc.move_booking(booking_id=ka.pk, to_booth_id=b2.pk, event_id=event.pk)
    svc.move_booking(booking_id=ka.pk, to_booth_id=b3.pk, event_id=event.pk)
    svc.swap_bookings(booking_a_id=ka.pk, booking_b_id=kb.pk, event_id=event.pk)
    by_code = {s["code"]: s for s in plan_state(event)}
    assert by_code[b3.code]["application"] == b.pk
    assert by_code[b3.code]["status"] == "held"
    assert by_code[b2.code]["application"] == a.pk
    assert by_code[b2.code]["status"] == "confirmed"
    assert by_code[b1.code]["status"] == "free"


def test_block_refuses_taken_booth_and_blocked_booth_cannot_be_held(event, hall):
    b1, b2 = BoothFactory.create_batch(2, hall=hall)
    svc.hold_booth(booth_id=b1.pk, application=exhibitor(event))
    with pytest.raises(BoothTaken):
        svc.block_booth(booth_id=b1.pk, event_id=event.pk)
    svc.block_booth(booth_id=b2.pk, event_id=event.pk, reason="Cột điện")
    with pytest.raises(BoothBlocked):
        svc.hold_booth(booth_id=b2.pk, application=exhibitor(event))
    svc.unblock_booth(booth_id=b2.pk, event_id=event.pk)
    assert svc.hold_booth(booth_id=b2.pk, application=exhibitor(event)).status == BookingStatus.HELD


def test_database_constraint_rejects_second_active_booking(event, hall):
    booth = BoothFactory(hall=hall)
    a, b = exhibitor(event), exhibitor(event)
    Booking.objects.create(event=event, booth=booth, application=a, status=BookingStatus.CONFIRMED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(event=event, booth=booth, application=b, status=BookingStatus.RESERVED)
    Booking.objects.create(event=event, booth=booth, application=b, status=BookingStatus.CANCELLED)


def test_release_expired_holds_sweeps_and_offers(event, hall):
    booth = BoothFactory(hall=hall)
    old = svc.hold_booth(booth_id=booth.pk, application=exhibitor(event), now=timezone.now() - timedelta(hours=2))
    waiting = exhibitor(event)
    svc.join_waitlist(application=waiting, kind=booth.kind)
    assert svc.release_expired_holds(event_id=event.pk) == 1
    old.refresh_from_db()
    assert old.status == BookingStatus.EXPIRED
    assert Booking.objects.get(booth=booth, status="held").application == waiting


def test_release_expired_holds_command(event, hall):
    from io import StringIO

    from django.core.management import call_command

    booth = BoothFactory(hall=hall)
    svc.hold_booth(booth_id=booth.pk, application=exhibitor(event), now=timezone.now() - timedelta(hours=1))
    out = StringIO()
    call_command("release_expired_holds", stdout=out)
    assert out.getvalue().strip() == "released 1 expired holds"
    assert Booking.objects.get().status == BookingStatus.EXPIRED


def test_hold_refusals_keep_their_order_and_name_what_is_missing(event, hall):
    """The locked path answers in _take's order: blocked, taken, not approved, limit; and tells a booth of
    another event (or none) from an application that does not exist."""
    booth = BoothFactory(hall=hall)
    winner = exhibitor(event)
    svc.hold_booth(booth_id=booth.pk, application=winner)
    unapproved = ApplicationFactory(event=event, status=ApplicationStatus.SUBMITTED)
    with pytest.raises(BoothTaken):  # taken is said before "not approved"
        svc.hold_booth(booth_id=booth.pk, application=unapproved)
    other_event_booth = BoothFactory(hall=HallFactory(event=EventFactory()))
    with pytest.raises(type(other_event_booth).DoesNotExist):
        svc.hold_booth(booth_id=other_event_booth.pk, application=winner)
    gone = exhibitor(event)
    gone_pk = gone.pk
    type(gone).objects.filter(pk=gone_pk).delete()
    gone.pk = gone_pk
    with pytest.raises(type(gone).DoesNotExist):
        svc.hold_booth(booth_id=BoothFactory(hall=hall).pk, application=gone)
    # the refusals changed nothing
    assert Booking.objects.filter(booth=booth).count() == 1


def test_closed_self_service_refuses_a_hold(event, hall):
    BoothSettings.objects.create(event=event, self_service_open=False)
    booth = BoothFactory(hall=hall)
    with pytest.raises(BookingError) as err:
        svc.hold_booth(booth_id=booth.pk, application=exhibitor(event))
    assert err.value.code == "self_service_closed"
    assert not Booking.objects.filter(booth=booth).exists()


def test_limit_counts_expired_holds_as_gone(event, hall):
    BoothSettings.objects.create(event=event, max_booths_per_exhibitor=1, hold_minutes=5)
    first, second = BoothFactory.create_batch(2, hall=hall)
    app = exhibitor(event)
    now = timezone.now()
    svc.hold_booth(booth_id=first.pk, application=app, now=now)
    with pytest.raises(BookingError) as err:
        svc.hold_booth(booth_id=second.pk, application=app, now=now + timedelta(minutes=1))
    assert err.value.code == "limit_reached"
    later = svc.hold_booth(booth_id=second.pk, application=app, now=now + timedelta(minutes=6))
    assert later.booth_id == second.pk
    # and the expired hold on the first booth is released when someone else takes it
    other = svc.hold_booth(booth_id=first.pk, application=exhibitor(event), now=now + timedelta(minutes=6))
    assert Booking.objects.get(booth=first, status=BookingStatus.EXPIRED).application_id == app.pk
    assert other.status == BookingStatus.HELD


def test_cancel_answers_every_refusal_and_closes_a_declined_offer(event, hall):
    """Both paths of cancel_booking (PostgreSQL's one call, SQLite's statements) give the same answers."""
    booth, other_booth = BoothFactory.create_batch(2, hall=hall, kind=BoothKind.CORNER)
    holder, waiting = exhibitor(event), exhibitor(event)
    with pytest.raises(Booking.DoesNotExist):
        svc.cancel_booking(booking_id=0, application=holder, event_id=event.pk)
    held = svc.hold_booth(booth_id=booth.pk, application=holder)
    with pytest.raises(Booking.DoesNotExist):  # another event's id: not found, never cancelled
        svc.cancel_booking(booking_id=held.pk, application=holder, event_id=EventFactory().pk)
    with pytest.raises(BookingError) as err:
        svc.cancel_booking(booking_id=held.pk, application=waiting, event_id=event.pk)
    assert err.value.code == "not_yours"
    cancelled = svc.cancel_booking(booking_id=held.pk, application=holder, event_id=event.pk)
    assert (cancelled.status, cancelled.booth.code, cancelled.application_id) == ("cancelled", booth.code, holder.pk)
    assert Booking.objects.get(pk=held.pk).status == BookingStatus.CANCELLED
    with pytest.raises(BookingError) as err:
        svc.cancel_booking(booking_id=held.pk, application=holder, event_id=event.pk)
    assert err.value.code == "wrong_state"
    # the organizer cancels a waitlist offer that nobody else waits for: the offer closes with it
    assigned = svc.assign_booth(booth_id=other_booth.pk, application_id=holder.pk, event_id=event.pk)
    entry = svc.join_waitlist(application=waiting, kind=BoothKind.CORNER)
    svc.cancel_booking(booking_id=assigned.pk, application=None, event_id=event.pk)
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.OFFERED
    svc.cancel_booking(booking_id=entry.offer_id, application=None, event_id=event.pk)
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.CANCELLED
    assert not Booking.objects.filter(booth=other_booth).active().exists()


def test_hold_answers_missing_rows_and_creates_default_rules(event, hall):
    booth = BoothFactory(hall=hall)
    app = exhibitor(event)
    assert not BoothSettings.objects.filter(event=event).exists()
    with pytest.raises(Booking.booth.field.related_model.DoesNotExist):
        svc.hold_booth(booth_id=0, application=app)
    missing = ApplicationFactory.build(event=event, pk=0)
    with pytest.raises(type(app).DoesNotExist):
        svc.hold_booth(booth_id=booth.pk, application=missing)
    held = svc.hold_booth(booth_id=booth.pk, application=app)
    rules = BoothSettings.objects.get(event=event)
    assert held.hold_expires_at - held.created_at == pytest.approx(timedelta(minutes=rules.hold_minutes),
                                                                   abs=timedelta(seconds=5))


def test_a_hold_on_a_taken_booth_costs_three_statements_and_a_won_hold_six(event, hall,
                                                                            django_assert_num_queries):
    """The race's hot path (bench booths): a losing hold locks the application (its event's rules joined), locks
    the booth and reads the booth's live bookings — nothing else; a winning hold adds the exhibitor's booth count,
    the insert and its activity-log entry. The test's transaction makes the service's own a SAVEPOINT and a RELEASE
    (and a ROLLBACK TO for the loser), counted here too."""
    booth = BoothFactory(hall=hall)
    BoothSettings.objects.create(event=event)
    winner, loser = exhibitor(event), exhibitor(event)
    svc.hold_booth(booth_id=BoothFactory(hall=hall).pk, application=winner)  # content types and caches warm
    with django_assert_num_queries(2 + 6):
        svc.hold_booth(booth_id=booth.pk, application=winner)
    with django_assert_num_queries(3 + 3), pytest.raises(BoothTaken):
        svc.hold_booth(booth_id=booth.pk, application=loser)
