"""Sign-up rules: one live registration per email, open/closed, approval mode, answers, emails."""

from __future__ import annotations

import pytest

from registration.models import Registration, RegistrationQuestion, RegistrationStatus
from registration.services import registrations as svc
from tests.factories import UserFactory

from .factories import QuestionFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def sign_up(event, confirm=True, **overrides):
    """A public sign-up, confirmed from the address (as the registrant does from the emailed link)."""
    data = dict(
        event=event, full_name="Trần Thị Minh Thư", company="Bách Hóa Xanh", email="thu@bhx.vn",
        phone="0290 3831 234", buyer_type="supermarket", province_code=79, product_groups=["food", "food"],
    )
    data.update(overrides)
    registration = svc.register_buyer(**data)
    if confirm and registration is not None:
        registration = svc.claim(registration=registration)
    return registration


def test_register_buyer_waits_for_approval_and_gets_confirmation(reg_settings, mailoutbox,
                                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        registration = sign_up(reg_settings.event)
    assert registration.status == RegistrationStatus.PENDING
    assert registration.product_groups == ["food"]
    assert registration.search_text == "tran thi minh thu bach hoa xanh thu@bhx.vn 0290 3831 234"
    assert [m.to for m in mailoutbox] == [["thu@bhx.vn"], ["thu@bhx.vn"]]
    assert mailoutbox[0].subject.startswith("Xác nhận địa chỉ email")
    assert mailoutbox[1].subject.startswith("Chúng tôi đã nhận đăng ký")
    assert "Trần Thị Minh Thư" not in mailoutbox[1].body  # text typed into a public form stays out of emails


def test_confirmation_email_in_registrants_language(reg_settings, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(reg_settings.event, language="en")
    assert mailoutbox[1].subject.startswith("We received your registration for")


def test_register_buyer_same_email_is_duplicate_for_its_signed_in_owner(reg_settings):
    owner = UserFactory(email="thu@bhx.vn")
    first = sign_up(reg_settings.event)
    with pytest.raises(svc.DuplicateRegistration) as caught:
        sign_up(reg_settings.event, email="  THU@bhx.vn ", user=owner)
    assert caught.value.code == "duplicate"
    assert caught.value.existing == first
    assert Registration.objects.count() == 1


def test_register_buyer_same_email_by_anyone_else_creates_nothing(reg_settings):
    sign_up(reg_settings.event)
    assert sign_up(reg_settings.event, email="  THU@bhx.vn ") is None
    assert Registration.objects.count() == 1


def test_register_buyer_again_after_cancellation(reg_settings):
    first = sign_up(reg_settings.event)
    svc.cancel(registration=first)
    second = sign_up(reg_settings.event)
    assert second.pk != first.pk
    assert Registration.objects.filter(status=RegistrationStatus.CANCELLED).count() == 1


def test_register_buyer_closed(reg_settings):
    reg_settings.is_open = False
    reg_settings.save()
    with pytest.raises(svc.RegistrationClosed) as caught:
        sign_up(reg_settings.event)
    assert caught.value.code == "closed"
    assert Registration.objects.count() == 0


def test_automatic_approval_until_full_then_waitlist(reg_settings, mailoutbox, django_capture_on_commit_callbacks):
    reg_settings.approval_required = False
    reg_settings.buyer_capacity = 2
    reg_settings.save()
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [sign_up(reg_settings.event, email=f"b{i}@x.vn").status for i in range(3)]
    assert statuses == [RegistrationStatus.APPROVED, RegistrationStatus.APPROVED, RegistrationStatus.WAITLISTED]
    decisions = [m for m in mailoutbox if not m.subject.startswith("Xác nhận")]
    assert [m.subject.split(" ")[0] for m in decisions] == ["Đăng", "Đăng", "Bạn"]
    assert "danh sách chờ" in decisions[2].subject


def test_register_buyer_links_signed_in_user_who_owns_the_address(reg_settings):
    user = UserFactory()
    registration = sign_up(reg_settings.event, user=user, email=user.email, confirm=False)
    assert (registration.user, registration.email_claimed) == (user, True)


def test_register_buyer_does_not_link_signed_in_user_to_another_address(reg_settings):
    user = UserFactory()
    registration = sign_up(reg_settings.event, user=user, confirm=False)
    assert (registration.user, registration.email_claimed) == (None, False)


def test_answers_checked_against_questions(reg_settings):
    text = QuestionFactory(settings=reg_settings, kind=RegistrationQuestion.Kind.TEXT, required=True)
    choice = QuestionFactory(settings=reg_settings, kind=RegistrationQuestion.Kind.CHOICE,
                             choices_text="Ngày 1\nNgày 2\n")
    yes_no = QuestionFactory(settings=reg_settings, kind=RegistrationQuestion.Kind.YES_NO)
    with pytest.raises(svc.InvalidAnswers) as caught:
        sign_up(reg_settings.event, answers={choice.key: "Ngày 3"})
    assert caught.value.code == "invalid_answers"
    assert set(caught.value.errors) == {text.key, choice.key}
    registration = sign_up(reg_settings.event, answers={
        text.key: " Cần nước mắm ", choice.key: "Ngày 2", yes_no.key: False, "999": "ignored",
    })
    assert registration.answers == {text.key: "Cần nước mắm", choice.key: "Ngày 2", yes_no.key: False}


def test_unique_constraint_guards_duplicates_even_without_the_service(reg_settings):
    from django.db import IntegrityError, transaction

    RegistrationFactory(event=reg_settings.event, email="a@x.vn")
    with pytest.raises(IntegrityError), transaction.atomic():
        RegistrationFactory(event=reg_settings.event, email="a@x.vn")


def test_approval_email_attaches_the_badge_pdf(reg_settings, mailoutbox, django_capture_on_commit_callbacks):
    registration = sign_up(reg_settings.event)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        svc.approve(registration=registration)
    (message,) = mailoutbox
    ((name, content, mimetype),) = message.attachments
    assert (name, mimetype) == (f"badge-{registration.pk}.pdf", "application/pdf")
    assert content.startswith(b"%PDF-")


def test_badge_attachment_none_unless_approved(reg_settings):
    registration = sign_up(reg_settings.event)
    assert svc.badge_attachment(registration) is None
