"""#16 defect 4: buyer registration never reveals whether an address is registered; an address is claimed only by
confirming it from that address (typing someone's address blocks nobody); emails to typed addresses carry only
fixed text and the event's name."""

from __future__ import annotations

import re

import pytest
from django.core import signing
from django.urls import reverse

from registration.models import Registration, RegistrationStatus
from registration.services import registrations as svc

from .factories import RegistrationFactory

pytestmark = pytest.mark.django_db
S = RegistrationStatus
BAIT = "Trúng thưởng 100 triệu: http://evil.example/nhan-thuong"


def url(name, event, **kwargs):
    return reverse(f"registration:{name}", kwargs={"event_slug": event.slug, **kwargs})


def form_data(**overrides):
    data = {"full_name": "Phạm Ngọc Diễm", "company": "Công ty CP VinaGreenCo", "buyer_type": "distributor",
            "phone": "0903 123 456", "email": "diem@vinagreenco.vn", "province_code": "79"}
    data.update(overrides)
    return data


def visible(response, client) -> str:
    """What the visitor sees after posting the form: the page, following the redirect."""
    if response.status_code == 302:
        response = client.get(response["Location"])
    text = response.content.decode()
    text = re.sub(r'csrfmiddlewaretoken" value="[^"]*"|"X-CSRFToken": "[^"]*"', "", text)
    return re.sub(r"\s+", " ", text)


def confirm_link(message) -> str:
    line = next(line for line in message.body.splitlines() if "/register/confirm/" in line)
    return line.strip().removeprefix("http://testserver")


@pytest.mark.parametrize("state", [S.PENDING, S.APPROVED, S.WAITLISTED])
def test_signup_answers_the_same_for_a_new_and_a_registered_address(client, reg_settings, state):
    RegistrationFactory(event=reg_settings.event, email="taken@bhx.vn", status=state)
    new = client.post(url("signup", reg_settings.event), form_data(email="fresh@bhx.vn"))
    new_page = visible(new, client)
    taken = client.post(url("signup", reg_settings.event), form_data(email="taken@bhx.vn"))
    taken_page = visible(taken, client)
    assert (taken.status_code, taken.get("Location")) == (new.status_code, new.get("Location")) == (
        302, url("signup_done", reg_settings.event))
    assert taken_page == new_page
    assert "Kiểm tra email" in new_page


def test_registered_address_gets_a_fixed_notice_and_nothing_new(client, reg_settings, mailoutbox,
                                                                 django_capture_on_commit_callbacks):
    RegistrationFactory(event=reg_settings.event, email="taken@bhx.vn", status=S.APPROVED)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("signup", reg_settings.event), form_data(email="TAKEN@bhx.vn", full_name=BAIT))
    assert Registration.objects.filter(event=reg_settings.event).count() == 1
    (message,) = mailoutbox
    assert message.subject == f"Quý vị đã đăng ký tham dự {reg_settings.event.name}"
    assert "evil.example" not in message.body and "Trúng thưởng" not in message.body


def test_someone_elses_signup_does_not_block_the_owner_and_the_confirmed_one_wins(
        client, reg_settings, mailoutbox, django_capture_on_commit_callbacks):
    event = reg_settings.event
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("signup", event), form_data(email="owner@coop.vn", full_name="Kẻ mạo danh",
                                                    company="Công ty Ma"))
    intruder = Registration.objects.get()
    owner_client = client.__class__()
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(url("signup", event), form_data(email="owner@coop.vn"))
    assert response.status_code == 302  # not refused
    owners = Registration.objects.exclude(pk=intruder.pk).get()
    assert owners.full_name == "Phạm Ngọc Diễm"
    # The owner opens the link of their own registration (the second email) and confirms it.
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(confirm_link(mailoutbox[1]))
    owners.refresh_from_db()
    intruder.refresh_from_db()
    assert (owners.status, owners.email_claimed) == (S.PENDING, True)
    assert intruder.status == S.CANCELLED and not intruder.email_claimed
    # The intruder's link now leads nowhere.
    page = client.get(confirm_link(mailoutbox[0])).content.decode()
    assert "đã được sử dụng" in page
    assert Registration.objects.get(pk=intruder.pk).status == S.CANCELLED


def test_unconfirmed_signups_take_no_place_and_cannot_be_approved(reg_settings):
    reg_settings.approval_required = False
    reg_settings.buyer_capacity = 1
    reg_settings.save()
    registration = svc.register_buyer(event=reg_settings.event, full_name="A", company="B", email="x@y.vn",
                                      phone="0903123456", buyer_type="other")
    assert (registration.status, registration.email_claimed) == (S.PENDING, False)
    assert svc.approved_buyers(reg_settings.event) == 0
    with pytest.raises(svc.InvalidTransition) as caught:
        svc.approve(registration=registration)
    assert caught.value.code == "email_unconfirmed"
    assert svc.claim(registration=registration).status == S.APPROVED


def test_opening_the_link_does_not_confirm_only_the_button_does(client, reg_settings, mailoutbox,
                                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("signup", reg_settings.event), form_data())
    link = confirm_link(mailoutbox[0])
    assert client.get(link).status_code == 200  # a mail scanner opening the link
    assert not Registration.objects.get().email_claimed


@pytest.mark.parametrize("token", ["garbage", "1:2:3", "other-salt"])
def test_forged_or_foreign_confirmation_link_is_a_clear_400(client, reg_settings, token):
    if token == "other-salt":  # signed now, not at collection: test ids must be the same in every xdist worker
        token = signing.dumps([1, "x@y.vn"], salt="other")
    response = client.post(url("claim", reg_settings.event, token=token))
    assert response.status_code == 400
    assert "không hợp lệ hoặc đã hết hạn" in response.content.decode()


def test_link_for_another_event_is_refused(client, reg_settings):
    other = RegistrationFactory(email_claimed=False)
    token = svc.claim_token(other)
    assert client.post(url("claim", reg_settings.event, token=token)).status_code == 400
    other.refresh_from_db()
    assert not other.email_claimed


@pytest.mark.parametrize("kind", ["claim", "already", "confirmation", "decision"])
@pytest.mark.parametrize("language", ["vi", "en"])
def test_emails_carry_no_text_typed_into_the_form(reg_settings, kind, language):
    from registration.services.notifications import build_message

    registration = RegistrationFactory(event=reg_settings.event, full_name=BAIT, company=BAIT, needs=BAIT,
                                       job_title=BAIT, language=language, status=S.REJECTED)
    message = build_message(registration, kind=kind, site="https://ketnoi.example")
    assert "evil.example" not in message.subject + message.body
    assert reg_settings.event.name in message.subject + message.body
