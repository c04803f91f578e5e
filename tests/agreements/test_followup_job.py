"""The periodic follow-through job: due dates in local time, each request once, reminders stop when reported."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agreements.models import FollowupNotice, FollowupReport
from agreements.services import followup
from agreements.services.followup import ReportData, add_months, due_cutoff
from agreements.services.followup_job import run_followup_job
from tests.factories import EventFactory

from .factories import VN
from .followup_helpers import followed, signed_days_ago, tokens

pytestmark = pytest.mark.django_db


def test_due_cutoff_agrees_with_add_months_on_every_day():
    """signed_on <= due_cutoff(today, m) exactly when add_months(signed_on, m) <= today (month ends included)."""
    start = date(2023, 11, 1)
    for m in (1, 2, 3, 6, 12):
        for t in range(0, 500, 1):
            today = start + timedelta(days=t)
            cutoff = due_cutoff(today, m)
            assert add_months(cutoff, m) <= today
            assert add_months(cutoff + timedelta(days=1), m) > today


def test_add_months_clamps_to_month_end():
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)


def run(capture, **kw):
    with capture(execute=True):
        return run_followup_job(site="http://test", **kw)


def test_job_asks_each_party_once(mailoutbox, django_capture_on_commit_callbacks):
    event = EventFactory()
    a = followed(event, days=40)
    result = run(django_capture_on_commit_callbacks)
    assert (result.created, result.claimed) == (2, 2)
    assert sorted(m.to[0] for m in mailoutbox) == ["ban@htx.vn", "mua@sieuthi.vn"]
    assert a.title in mailoutbox[0].body
    assert "1 tháng" in mailoutbox[0].subject  # Vietnamese first
    assert set(tokens(mailoutbox)) == {"ban@htx.vn", "mua@sieuthi.vn"}
    again = run(django_capture_on_commit_callbacks)
    assert (again.created, again.claimed) == (0, 0)
    assert len(mailoutbox) == 2
    assert list(FollowupNotice.objects.values_list("status", flat=True)) == ["sent", "sent"]


def test_job_writes_nothing_before_the_first_check_point(mailoutbox, django_capture_on_commit_callbacks):
    followed(EventFactory(), days=20)
    assert run(django_capture_on_commit_callbacks).created == 0
    assert mailoutbox == []


def test_job_asks_only_for_the_open_check_point(mailoutbox, django_capture_on_commit_callbacks):
    """Signed 100 days ago: the 3-month check point is open, the 1-month one closed; one email per party."""
    followed(EventFactory(), days=100)
    run(django_capture_on_commit_callbacks)
    assert sorted(FollowupNotice.objects.values_list("checkpoint__months", flat=True)) == [3, 3]


def test_job_skips_parties_without_email_and_the_organizer(mailoutbox, django_capture_on_commit_callbacks):
    event = EventFactory()
    followed(event, buyer_email="", seller=event.organizer)
    assert run(django_capture_on_commit_callbacks).created == 0


def test_check_point_falls_due_at_local_midnight(mailoutbox, django_capture_on_commit_callbacks):
    """Signed at 06:30 in Hà Nội (23:30 UTC the day before): due at local midnight of the same day a month
    later — not at UTC midnight, and not a day early as the UTC signing date would make it."""
    event = EventFactory()
    signed = signed_days_ago(70, hhmm="06:30")
    a = followed(event, signed_at=signed)
    assert a.signed_on == signed.date()
    due = add_months(signed.date(), 1)
    just_before = datetime.combine(due - timedelta(days=1), time(23, 55), tzinfo=VN)
    assert just_before.astimezone(UTC).date() == due - timedelta(days=1)
    assert run(django_capture_on_commit_callbacks, now=just_before.astimezone(UTC)).created == 0
    just_after = datetime.combine(due, time(0, 5), tzinfo=VN)  # 17:05 UTC on the day before
    assert just_after.astimezone(UTC).date() == due - timedelta(days=1)
    assert run(django_capture_on_commit_callbacks, now=just_after.astimezone(UTC)).created == 2
    assert len(mailoutbox) == 2


def test_reminder_after_a_week_stops_when_reported(mailoutbox, django_capture_on_commit_callbacks):
    event = EventFactory()
    a = followed(event, days=40)
    run(django_capture_on_commit_callbacks)
    seller = a.parties.get(role="seller").organization
    point = FollowupNotice.objects.filter(organization=seller).get().checkpoint
    followup.submit_report(agreement=a, organization=seller, checkpoint=point, data=ReportData(state="orders"),
                           via=FollowupReport.Via.ORGANIZER)
    later = timezone.now() + timedelta(days=8)
    result = run(django_capture_on_commit_callbacks, now=later)
    assert result.created == 1  # only the buyer, who has not answered
    reminder = FollowupNotice.objects.get(kind="reminder")
    assert reminder.email == "mua@sieuthi.vn"
    assert len(mailoutbox) == 3 and mailoutbox[-1].to == ["mua@sieuthi.vn"]
    assert mailoutbox[-1].subject.startswith("Nhắc lại")
    assert run(django_capture_on_commit_callbacks, now=later + timedelta(days=8)).created == 0


def test_a_party_that_reported_before_the_send_is_skipped(mailoutbox, django_capture_on_commit_callbacks):
    """The request claimed but not yet sent when the party reports (on its agreement page) is not sent."""
    from agreements.services.followup_job import claim_and_dispatch, find_due, send_notices

    a = followed(EventFactory(), days=40)
    find_due()
    notices = list(FollowupNotice.objects.all())
    FollowupNotice.objects.update(status="sending")
    seller = a.parties.get(role="seller").organization
    followup.submit_report(agreement=a, organization=seller, checkpoint=notices[0].checkpoint,
                           data=ReportData(state="in_progress"), via=FollowupReport.Via.ORGANIZER)
    assert send_notices(notice_ids=[n.pk for n in notices]) == {"sent": 1, "skipped": 1, "failed": 0}
    assert [m.to for m in mailoutbox] == [["mua@sieuthi.vn"]]
    assert claim_and_dispatch() == 0


def test_a_failed_send_is_retried_and_counted(mailoutbox, django_capture_on_commit_callbacks, monkeypatch):
    from django.core.mail import EmailMessage

    followed(EventFactory(), days=40)

    def broken(self, *a, **kw):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(EmailMessage, "send", broken)
    run(django_capture_on_commit_callbacks)
    assert sorted(FollowupNotice.objects.values_list("status", "attempts")) == [("failed", 1), ("failed", 1)]
    assert "smtp down" in FollowupNotice.objects.first().error
    monkeypatch.undo()
    assert run(django_capture_on_commit_callbacks).claimed == 2
    assert len(mailoutbox) == 2
    assert set(FollowupNotice.objects.values_list("status", flat=True)) == {"sent"}


def test_management_command_runs_the_job(mailoutbox, django_capture_on_commit_callbacks):
    followed(EventFactory(), days=40)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("followup_due", site="http://example.test", verbosity=0)
    assert len(mailoutbox) == 2
    assert "http://example.test/e/" in mailoutbox[0].body


def test_sending_costs_the_same_queries_for_one_or_many_emails(mailoutbox, django_capture_on_commit_callbacks):
    """The worker's batch reads what the emails say in one statement (no query per email, no deferred field read
    late), and each email names its own party, event, agreement and organizer."""
    from agreements.services.followup_job import claim_and_dispatch, find_due, send_notices

    def due_notices(count: int) -> list[int]:
        event = EventFactory()
        for _ in range(count):
            n = next(numbers)
            followed(event, days=40, seller_email=f"ban{n}@htx.vn", buyer_email=f"mua{n}@sieuthi.vn")
        find_due()
        with django_capture_on_commit_callbacks(execute=False):
            claim_and_dispatch(site="http://test")
        return list(FollowupNotice.objects.filter(agreement__event=event).values_list("pk", flat=True))

    numbers = iter(range(100))
    few, many = due_notices(1), due_notices(6)
    with CaptureQueriesContext(connection) as one:
        send_notices(notice_ids=few, site="http://test")
    with CaptureQueriesContext(connection) as six:
        send_notices(notice_ids=many, site="http://test")
    assert len(six) == len(one)
    assert len(mailoutbox) == 2 + 12
    for message in mailoutbox:
        notice = FollowupNotice.objects.select_related("agreement__event__organizer", "organization").get(
            email=message.to[0])
        assert notice.agreement.title in message.body and notice.organization.name in message.body
        assert notice.agreement.event.name in message.body and notice.agreement.event.organizer.name in message.body
        signed = timezone.localtime(notice.agreement.signed_at).strftime("%d/%m/%Y")
        assert f"ngày {signed}" in message.body and f"tình hình {notice.checkpoint.months} tháng" in message.body


def test_each_batch_is_dispatched_when_claimed(mailoutbox, django_capture_on_commit_callbacks, monkeypatch):
    """The job claims and enqueues BATCH notices per transaction, so the workers start on the first batch while
    the job claims the next; a job that stops half way leaves its committed batches dispatched and the rest
    pending for the next run, which sends them once."""
    from agreements import tasks
    from agreements.services import followup_job

    event = EventFactory()
    for n in range(3):
        followed(event, days=40, seller_email=f"ban{n}@htx.vn", buyer_email=f"mua{n}@sieuthi.vn")
    monkeypatch.setattr(followup_job, "BATCH", 2)
    followup_job.find_due()
    task, calls = tasks.send_followup_notices, []

    class FailsThirdTime:
        @staticmethod
        def enqueue(**kwargs):
            calls.append(kwargs["notice_ids"])
            if len(calls) == 3:
                raise ConnectionError("the worker's database went away")
            return task.enqueue(**kwargs)

    monkeypatch.setattr(tasks, "send_followup_notices", FailsThirdTime)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ConnectionError):
        followup_job.claim_and_dispatch(site="http://test")
    statuses = dict(FollowupNotice.objects.values_list("pk", "status"))
    assert [len(ids) for ids in calls] == [2, 2, 2]
    assert sorted(statuses.values()) == ["pending", "pending", "sent", "sent", "sent", "sent"]
    assert {statuses[pk] for pk in calls[2]} == {"pending"}  # the failed batch's claim was rolled back
    monkeypatch.setattr(tasks, "send_followup_notices", task)
    with django_capture_on_commit_callbacks(execute=True):
        assert followup_job.claim_and_dispatch(site="http://test") == 2
    assert len(mailoutbox) == 6 and len({m.to[0] for m in mailoutbox}) == 6
