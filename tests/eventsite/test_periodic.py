"""The one scheduler (eventsite/periodic.py, ``manage.py periodic``): every app's periodic job runs, on its interval,
idempotently, and one failing job neither stops the others nor hides its failure."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from booths.models import BookingStatus, PaymentRequest
from booths.services import booking as booking_svc
from booths.services import fees
from eventsite import periodic
from eventsite.apps import PeriodicJob, PeriodicRun, collect_periodic_jobs
from tests.agreements.followup_helpers import followed
from tests.booths.factories import BoothFactory, HallFactory, exhibitor
from tests.factories import EventFactory


def test_apps_register_their_periodic_jobs():
    jobs = collect_periodic_jobs()
    assert set(jobs) == {"followup", "release_unpaid"}
    assert (jobs["followup"].every, jobs["release_unpaid"].every) == (600, 300)


def test_schedule_runs_each_job_on_its_interval():
    ran: list[str] = []
    fast = PeriodicJob("fast", "fast", lambda site: PeriodicRun(""), every=10)
    slow = PeriodicJob("slow", "slow", lambda site: PeriodicRun(""), every=60)
    schedule = periodic.Schedule([fast, slow])
    assert schedule.tick(1000.0, lambda job: ran.append(job.key)) == ["fast", "slow"]  # all due at the start
    assert schedule.tick(1009.0, lambda job: ran.append(job.key)) == []
    assert schedule.tick(1010.0, lambda job: ran.append(job.key)) == ["fast"]
    assert schedule.tick(1060.0, lambda job: ran.append(job.key)) == ["fast", "slow"]
    assert ran == ["fast", "slow", "fast", "fast", "slow"]


def unpaid_reservation_past_due():
    event = EventFactory()
    fees.save_payee(event=event, bank_bin="970436", account_number="0011001234567",
                    account_name="SO CONG THUONG TINH CA MAU", pay_within_days=7)
    app = exhibitor(event)
    held = booking_svc.hold_booth(booth_id=BoothFactory(hall=HallFactory(event=event), price=2_000_000).pk,
                                  application=app)
    booking = booking_svc.reserve_booking(booking_id=held.pk, application=app)
    PaymentRequest.objects.filter(booking=booking).update(due_at=timezone.now() - timedelta(minutes=1))
    return booking


@pytest.mark.django_db
def test_periodic_command_runs_every_job_once_and_a_second_run_does_nothing(
        mailoutbox, django_capture_on_commit_callbacks):
    booking = unpaid_reservation_past_due()
    followed(EventFactory(), days=40)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("periodic", site="http://example.test", verbosity=0)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.UNPAID  # release_unpaid ran
    assert sorted(m.to[0] for m in mailoutbox) == ["ban@htx.vn", "mua@sieuthi.vn"]  # followup ran
    assert "http://example.test/e/" in mailoutbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        call_command("periodic", site="http://example.test", verbosity=0)
    assert len(mailoutbox) == 2


def test_a_failing_job_does_not_stop_the_others_and_fails_the_run(monkeypatch, capsys):
    ran: list[str] = []

    def broken(site):
        raise ConnectionError("database restarting")

    jobs = {"broken": PeriodicJob("broken", "broken", broken), "fine": PeriodicJob(
        "fine", "fine", lambda site: ran.append(site) or PeriodicRun("ok"))}
    monkeypatch.setattr(periodic, "collect_periodic_jobs", lambda: jobs)
    with pytest.raises(CommandError, match="broken"):
        call_command("periodic", site="http://x.test/")
    assert ran == ["http://x.test"]
    assert "database restarting" in capsys.readouterr().err


@pytest.mark.django_db
def test_only_and_list(monkeypatch, capsys):
    booking = unpaid_reservation_past_due()
    call_command("periodic", "--list")
    listed = capsys.readouterr().out
    assert "followup" in listed and "release_unpaid" in listed
    booking.refresh_from_db()
    assert booking.status == BookingStatus.RESERVED  # --list runs nothing
    call_command("periodic", only=["release_unpaid"], verbosity=1)
    assert "released 1 unpaid reservations" in capsys.readouterr().out
    with pytest.raises(CommandError, match="unknown periodic job nope"):
        call_command("periodic", only=["nope"])


def test_loop_retries_a_failed_job_at_its_next_interval_and_keeps_the_others_going(monkeypatch):
    """A job that fails while the database restarts is tried again one interval later (not in a tight loop), and
    the other jobs keep their own rhythm meanwhile."""
    now = [0.0]
    calls: list[tuple[str, float]] = []
    down_until = 25.0

    def flaky(site):
        calls.append(("flaky", now[0]))
        if now[0] < down_until:
            raise ConnectionError("database restarting")
        return PeriodicRun("ok")

    def steady(site):
        calls.append(("steady", now[0]))
        return PeriodicRun("ok")

    jobs = [PeriodicJob("flaky", "flaky", flaky, every=20), PeriodicJob("steady", "steady", steady, every=5)]
    failures: list[float] = []

    def run(job):
        try:
            job.run(site="")
        except ConnectionError:
            failures.append(now[0])

    def sleep(seconds):
        now[0] += seconds

    reconnects: list[float] = []
    monkeypatch.setattr(periodic, "close_old_connections", lambda: reconnects.append(now[0]))

    periodic.run_loop(periodic.Schedule(jobs), run, keep_going=lambda: now[0] < 60, clock=lambda: now[0],
                      sleep=sleep)
    assert [t for name, t in calls if name == "flaky"] == [0, 20, 40, 60]
    assert failures == [0, 20]  # down: tried once per interval; up again at 40
    assert reconnects == [float(t) for t in range(1, 61)]  # a closed connection is dropped before every tick
    assert [t for name, t in calls if name == "steady"] == [0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60]
