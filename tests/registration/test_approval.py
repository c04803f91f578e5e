"""Approval, rejection, cancellation and the waiting list: the capacity rule and its failure modes."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registration.models import Registration, RegistrationRole, RegistrationStatus
from registration.services import registrations as svc
from tests.factories import DAY1, EventFactory

from .factories import RegistrationFactory, RegistrationSettingsFactory

pytestmark = pytest.mark.django_db
S = RegistrationStatus


def statuses(event):
    return list(Registration.objects.filter(event=event).order_by("created_at", "id").values_list("status", flat=True))


@pytest.fixture
def full_event():
    """Capacity 2, both places taken, two buyers waiting (older first)."""
    event = EventFactory()
    RegistrationSettingsFactory(event=event, buyer_capacity=2)
    approved = [RegistrationFactory(event=event, status=S.APPROVED) for _ in range(2)]
    waiting = [RegistrationFactory(event=event, status=S.WAITLISTED) for _ in range(2)]
    return event, approved, waiting


def test_approve_pending_sends_decision(reg_settings, mailoutbox, django_capture_on_commit_callbacks):
    registration = RegistrationFactory(event=reg_settings.event)
    with django_capture_on_commit_callbacks(execute=True):
        result = svc.approve(registration=registration)
    assert result.status == S.APPROVED
    assert result.decided_at is not None
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [registration.email]


def test_approve_when_full_waitlists(full_event):
    event, _approved, _waiting = full_event
    late = RegistrationFactory(event=event, status=S.PENDING)
    assert svc.approve(registration=late).status == S.WAITLISTED


def test_approve_twice_changes_nothing(reg_settings, mailoutbox, django_capture_on_commit_callbacks):
    registration = RegistrationFactory(event=reg_settings.event)
    svc.approve(registration=registration)
    with django_capture_on_commit_callbacks(execute=True):
        again = svc.approve(registration=registration)
    assert again.status == S.APPROVED
    assert mailoutbox == []


def test_capacity_applies_to_buyers_only(full_event):
    event, _approved, _waiting = full_event
    press = RegistrationFactory(event=event, role=RegistrationRole.PRESS)
    assert svc.approve(registration=press).status == S.APPROVED


def test_reject_approved_promotes_oldest_waitlisted(full_event, mailoutbox, django_capture_on_commit_callbacks):
    event, approved, waiting = full_event
    with django_capture_on_commit_callbacks(execute=True):
        svc.reject(registration=approved[0])
    assert statuses(event) == [S.REJECTED, S.APPROVED, S.APPROVED, S.WAITLISTED]
    assert sorted(m.to[0] for m in mailoutbox) == sorted([approved[0].email, waiting[0].email])


def test_cancel_approved_promotes_in_signup_order(full_event):
    event, approved, waiting = full_event
    svc.cancel(registration=approved[1])
    svc.cancel(registration=approved[0])
    assert statuses(event) == [S.CANCELLED, S.CANCELLED, S.APPROVED, S.APPROVED]


def test_cancel_waitlisted_promotes_nobody(full_event):
    event, _approved, waiting = full_event
    svc.cancel(registration=waiting[0])
    assert statuses(event) == [S.APPROVED, S.APPROVED, S.CANCELLED, S.WAITLISTED]


def test_cancelled_cannot_be_approved_or_rejected(reg_settings):
    registration = RegistrationFactory(event=reg_settings.event, status=S.CANCELLED)
    with pytest.raises(svc.InvalidTransition) as caught:
        svc.approve(registration=registration)
    assert caught.value.code == "invalid_transition"
    with pytest.raises(svc.InvalidTransition):
        svc.reject(registration=registration)


def test_rejected_cannot_be_cancelled_but_can_be_approved(reg_settings):
    registration = RegistrationFactory(event=reg_settings.event, status=S.REJECTED)
    with pytest.raises(svc.InvalidTransition):
        svc.cancel(registration=registration)
    assert svc.approve(registration=registration).status == S.APPROVED


def test_raising_capacity_promotes_waitlist(full_event):
    event, _approved, _waiting = full_event
    svc.update_settings(event=event, is_open=True, approval_required=True, buyer_capacity=3)
    assert statuses(event) == [S.APPROVED, S.APPROVED, S.APPROVED, S.WAITLISTED]
    svc.update_settings(event=event, is_open=True, approval_required=True, buyer_capacity=None)
    assert statuses(event) == [S.APPROVED] * 4


def test_capacity_cannot_drop_below_approved(full_event):
    event, _approved, _waiting = full_event
    with pytest.raises(svc.RegistrationError) as caught:
        svc.update_settings(event=event, is_open=True, approval_required=True, buyer_capacity=1)
    assert caught.value.code == "capacity_below_approved"
    assert svc.settings_for(event).buyer_capacity == 2


def test_promote_waitlist_with_no_free_place(full_event):
    event, _approved, _waiting = full_event
    assert svc.promote_waitlist(event=event) == []


def test_decide_many_counts_outcomes(reg_settings):
    reg_settings.buyer_capacity = 1
    reg_settings.save()
    event = reg_settings.event
    pending = [RegistrationFactory(event=event) for _ in range(3)]
    cancelled = RegistrationFactory(event=event, status=S.CANCELLED)
    other_event = RegistrationFactory()
    result = svc.decide_many(event=event, action="approve", by=None,
                             registration_ids=[r.pk for r in pending] + [cancelled.pk, other_event.pk])
    assert result == {"skipped": 1, S.APPROVED: 1, S.WAITLISTED: 2}
    other_event.refresh_from_db()
    assert other_event.status == S.PENDING


def test_decide_many_unknown_action(reg_settings):
    with pytest.raises(svc.RegistrationError) as caught:
        svc.decide_many(event=reg_settings.event, action="delete", registration_ids=[], by=None)
    assert caught.value.code == "unknown_action"


OPERATIONS = st.lists(
    st.tuples(st.sampled_from(["register", "approve", "reject", "cancel", "capacity"]), st.integers(0, 9)),
    min_size=1, max_size=25,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(capacity=st.integers(0, 4), auto=st.booleans(), operations=OPERATIONS)
def test_capacity_invariants_hold_over_any_sequence(db, capacity, auto, operations):
    """Whatever happens, approved buyers never exceed capacity, and nobody waits while a place is free."""
    event = EventFactory()
    RegistrationSettingsFactory(event=event, buyer_capacity=capacity, approval_required=not auto)
    for n, (operation, pick) in enumerate(operations):
        regs = list(Registration.objects.filter(event=event).order_by("id"))
        try:
            if operation == "register" or not regs:
                svc.claim(registration=svc.register_buyer(
                    event=event, full_name=f"Lê Hoàng Phúc {n}", company="Co.opmart", email=f"p{n}@x.vn",
                    phone="0900000000", buyer_type="supermarket"))
            elif operation == "capacity":
                svc.update_settings(event=event, is_open=True, approval_required=not auto,
                                    buyer_capacity=capacity + pick % 3)
            else:
                getattr(svc, operation)(registration=regs[pick % len(regs)])
        except (svc.InvalidTransition, svc.RegistrationError):
            pass
        cap = svc.settings_for(event).buyer_capacity
        approved = svc.approved_buyers(event)
        waiting = Registration.objects.filter(event=event, status=S.WAITLISTED).count()
        assert approved <= cap
        assert waiting == 0 or approved == cap


@pytest.mark.parametrize(("language", "action", "subject_start", "body_part"), [
    ("vi", "reject", "Về đăng ký tham dự", "Rất tiếc"),
    ("en", "reject", "Your registration for", "We are sorry"),
    ("vi", "approve", "Đăng ký tham dự", "đã được duyệt"),
    ("en", "approve", "Your registration for", "is approved"),
])
def test_decision_email_in_registrants_language(reg_settings, mailoutbox, django_capture_on_commit_callbacks,
                                                language, action, subject_start, body_part):
    registration = RegistrationFactory(event=reg_settings.event, language=language, full_name="Đỗ Thị Thanh Hương")
    with django_capture_on_commit_callbacks(execute=True):
        getattr(svc, action)(registration=registration)
    (message,) = mailoutbox
    assert message.subject.startswith(subject_start)
    assert body_part in message.body
    assert "Đỗ Thị Thanh Hương" not in message.body  # form text never rides in the department's emails
    assert f"{DAY1:%d/%m/%Y}" in message.body  # dd/mm/yyyy, Asia/Ho_Chi_Minh


def test_waitlist_email_explains_the_order(full_event, mailoutbox, django_capture_on_commit_callbacks):
    event, _approved, _waiting = full_event
    late = RegistrationFactory(event=event)
    with django_capture_on_commit_callbacks(execute=True):
        svc.approve(registration=late)
    (message,) = mailoutbox
    assert message.subject.startswith("Bạn đang trong danh sách chờ")
    assert "theo thứ tự đăng ký" in message.body
