"""Real parallel connections on PostgreSQL: many exhibitors try to hold the same booth at once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from booths.models import Booking, BoothSettings
from booths.services import booking as svc
from eventsite.errors import Conflict, DomainError
from tests.factories import EventFactory

from .factories import BoothFactory, HallFactory, exhibitor

THREADS = 24


def _race(jobs, answered=Conflict) -> list[str]:
    """Run ``jobs`` in parallel threads, each on its own connection, released together by a barrier: "won" for a
    job that returns, the error code for an ``answered`` refusal, "error:…" for anything else (a bug that must show
    up in the caller's assertion)."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(job):
        try:
            barrier.wait(timeout=30)
            job()
            result = "won"
        except answered as exc:
            result = exc.code
        except Exception as exc:
            result = f"error:{exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_threads_holding_one_booth_exactly_one_wins():
    event = EventFactory()
    booth = BoothFactory(hall=HallFactory(event=event))
    applications = [exhibitor(event) for _ in range(THREADS)]
    outcomes = _race([lambda a=a: svc.hold_booth(booth_id=booth.pk, application=a) for a in applications])

    assert sorted(outcomes) == ["booth_taken"] * (THREADS - 1) + ["won"]
    assert Booking.objects.filter(booth=booth, status__in=["held", "reserved", "confirmed"]).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_moves_and_holds_onto_one_booth_never_double_book():
    event = EventFactory()
    hall = HallFactory(event=event)
    target = BoothFactory(hall=hall)
    sources = BoothFactory.create_batch(10, hall=hall)
    movers = []
    for booth in sources:
        app = exhibitor(event)
        movers.append(svc.assign_booth(booth_id=booth.pk, application_id=app.pk, event_id=event.pk))
    holders = [exhibitor(event) for _ in range(10)]
    jobs = [lambda b=b: svc.move_booking(booking_id=b.pk, to_booth_id=target.pk, event_id=event.pk) for b in movers]
    jobs += [lambda a=a: svc.hold_booth(booth_id=target.pk, application=a) for a in holders]
    outcomes = _race(jobs)

    assert sorted(outcomes) == ["booth_taken"] * 19 + ["won"]
    assert Booking.objects.filter(booth=target, status__in=["held", "reserved", "confirmed"]).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_holds_on_different_booths_do_not_wait_for_each_other():
    """Locking an application must not lock its event (or organization) row: while one exhibitor's hold is
    still open, another exhibitor can hold another booth. lock_timeout turns a wait into an error."""
    event = EventFactory()
    BoothSettings.objects.create(event=event)  # created up front, as for any event with a plan
    hall = HallFactory(event=event)
    first_booth, second_booth = BoothFactory(hall=hall), BoothFactory(hall=hall)
    first_app, second_app = exhibitor(event), exhibitor(event)
    inside, release = threading.Event(), threading.Event()
    result: dict[str, object] = {}

    def first():
        try:
            with transaction.atomic():
                svc.hold_booth(booth_id=first_booth.pk, application=first_app)
                inside.set()
                release.wait(timeout=60)
        finally:
            connection.close()

    def second():
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '5s'")
                result["booking"] = svc.hold_booth(booth_id=second_booth.pk, application=second_app)
        except Exception as exc:
            result["error"] = repr(exc)
        finally:
            connection.close()

    holder = threading.Thread(target=first)
    holder.start()
    try:
        assert inside.wait(timeout=60)
        other = threading.Thread(target=second)
        other.start()
        other.join(timeout=60)
    finally:
        release.set()
        holder.join(timeout=60)
    assert "error" not in result, result.get("error")
    assert Booking.objects.filter(status="held").count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_exhibitor_racing_for_many_booths_gets_only_its_limit():
    """The limit is guarded by the application's row lock: the insert that counts an exhibitor's bookings runs
    after that lock, so parallel holds by one exhibitor on different booths cannot all pass the count."""
    event = EventFactory()
    BoothSettings.objects.create(event=event, max_booths_per_exhibitor=2)
    booths = BoothFactory.create_batch(THREADS, hall=HallFactory(event=event))
    app = exhibitor(event)
    outcomes = _race([lambda b=b: svc.hold_booth(booth_id=b.pk, application=app) for b in booths],
                     answered=DomainError)

    assert sorted(outcomes) == ["limit_reached"] * (THREADS - 2) + ["won", "won"]
    assert Booking.objects.filter(application=app, status__in=["held", "reserved", "confirmed"]).count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_hold_locks_the_application_before_the_booth():
    """The global lock order (applications, then booths) holds inside hold_booth's single locking statement: while
    it waits for a booth someone else has locked, it already holds the application (PostgreSQL locks in the order
    of the OF list)."""
    import psycopg
    from django.conf import settings

    from booths.models import Booth, ExhibitorApplication

    event = EventFactory()
    booth = BoothFactory(hall=HallFactory(event=event))
    app = exhibitor(event)
    db = settings.DATABASES["default"]
    dsn = dict(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=connection.settings_dict["NAME"])
    with psycopg.connect(**dsn) as holder:
        holder.execute(f"SELECT id FROM {Booth._meta.db_table} WHERE id = %s FOR UPDATE", [booth.pk])
        done = threading.Event()

        def hold():
            try:
                svc.hold_booth(booth_id=booth.pk, application=app)
            finally:
                connection.close()
                done.set()

        worker = threading.Thread(target=hold)
        worker.start()
        deadline = 50
        with psycopg.connect(**dsn) as probe:
            locked = False
            while deadline and not locked:  # wait until the hold is queued behind the booth lock
                deadline -= 1
                try:
                    probe.execute(f"SELECT id FROM {ExhibitorApplication._meta.db_table} WHERE id = %s "
                                  "FOR UPDATE NOWAIT", [app.pk])
                    probe.rollback()
                    threading.Event().wait(0.1)
                except psycopg.errors.LockNotAvailable:
                    probe.rollback()
                    locked = True
        assert locked, "hold_booth waited for the booth without holding the application"
        assert not done.is_set()
        holder.rollback()
    worker.join(timeout=30)
    assert Booking.objects.filter(booth=booth, application=app, status="held").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db
def test_booking_rules_have_no_copy_in_the_database():
    """Hold and cancel run in Python only (issue 17): the migrated database holds no function of the booths app."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT proname FROM pg_proc WHERE proname LIKE 'booths%%'")
        assert cursor.fetchall() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_payments_and_statement_uploads_pay_once():
    """Organizers mark the same fee paid from several browsers while the same statement is uploaded twice at once:
    one payment is recorded, the booking is confirmed once, the statement's lines are stored once."""
    from pathlib import Path

    from booths.models import Payment, PaymentRequest, StatementLine
    from booths.services import fees, reconcile

    event = EventFactory()
    fees.save_payee(event=event, bank_bin="970436", account_number="0011001234567", account_name="SO CONG THUONG",
                    pay_within_days=7)
    app = exhibitor(event)
    booth = BoothFactory(hall=HallFactory(event=event), price=5_000_000)
    booking = svc.reserve_booking(booking_id=svc.hold_booth(booth_id=booth.pk, application=app).pk, application=app)
    request = PaymentRequest.objects.get(booking=booking)
    PaymentRequest.objects.filter(pk=request.pk).update(reference="KNAAAB22")
    data = (Path(__file__).parent / "fixtures" / "vcb_statement.csv").read_bytes()
    jobs = [lambda: fees.mark_paid(request_id=request.pk, event_id=event.pk, amount=5_000_000, note="tiền mặt",
                                   by_user=None) for _ in range(4)]
    jobs += [lambda: reconcile.reconcile_statement(event=event, data=data, filename="a.csv") for _ in range(2)]
    outcomes = _race(jobs, answered=DomainError)

    assert not [o for o in outcomes if o.startswith("error:")], outcomes
    assert Payment.objects.filter(request=request).count() == 1
    assert StatementLine.objects.filter(event=event).count() == 5
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    assert outcomes.count("already_settled") >= 3
