"""The periodic follow-through job: due dates in local time, each request once, reminders stop when reported."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core.management import call_command
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
