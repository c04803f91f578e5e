"""Roles follow the facts (#15): an approved buyer registration gives its account the buyer role at the event,
on behalf of the buyer's company as an organization; cancelling or rejecting takes it away; an account that
verifies the address later is linked then. Seen from the buyer: badge link, matchmaking, organizer home count."""

from __future__ import annotations

import importlib

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.apps import apps as django_apps
from django.urls import reverse

from eventsite.models import ActivityEntry, EventRole, Organization
from registration.models import Registration, RegistrationStatus
from registration.services import registrations as svc
from registration.services import roles
from tests.factories import OrganizationFactory, UserFactory

from .factories import RegistrationFactory

pytestmark = pytest.mark.django_db
Role = EventRole.Role
S = RegistrationStatus


def buyer_roles(event):
    return list(EventRole.objects.filter(event=event, role=Role.BUYER).values_list("user_id", "organization_id"))


def test_approval_gives_the_buyer_role_with_the_company_as_organization(reg_settings):
    user = UserFactory()
    registration = RegistrationFactory(event=reg_settings.event, user=user, company="Công ty CP Bách Hóa Xanh",
                                       buyer_type="supermarket", province_code=79)
    assert buyer_roles(reg_settings.event) == []
    svc.approve(registration=registration)
    registration.refresh_from_db()
    organization = registration.organization
    assert (organization.name, organization.kind, organization.province_code) == (
        "Công ty CP Bách Hóa Xanh", Organization.Kind.RETAIL_CHAIN, 79)
    assert buyer_roles(reg_settings.event) == [(user.pk, organization.pk)]
    actions = list(ActivityEntry.objects.filter(event=reg_settings.event).values_list("action", flat=True))
    assert actions == ["registration.approved", "registration.organization_created",
                       "registration.buyer_role_granted"]


@pytest.mark.parametrize("action", ["cancel", "reject"])
def test_cancel_or_reject_takes_the_role_away(reg_settings, action):
    user = UserFactory()
    registration = RegistrationFactory(event=reg_settings.event, user=user)
    svc.approve(registration=registration)
    getattr(svc, action)(registration=registration)
    assert buyer_roles(reg_settings.event) == []
    assert ActivityEntry.objects.filter(action="registration.buyer_role_removed", object_id=registration.pk).exists()


def test_role_stays_while_another_approved_registration_justifies_it(reg_settings):
    user = UserFactory()
    first = RegistrationFactory(event=reg_settings.event, user=user)
    second = RegistrationFactory(event=reg_settings.event, user=user)
    svc.decide_many(event=reg_settings.event, action="approve", registration_ids=[first.pk, second.pk], by=None)
    svc.cancel(registration=first)
    assert [u for u, _org in buyer_roles(reg_settings.event)] == [user.pk]
    svc.cancel(registration=second)
    assert buyer_roles(reg_settings.event) == []


def test_waitlisted_buyer_gets_the_role_when_promoted(reg_settings):
    reg_settings.buyer_capacity = 1
    reg_settings.save()
    holder, waiting = UserFactory(), UserFactory()
    first = RegistrationFactory(event=reg_settings.event, user=holder)
    second = RegistrationFactory(event=reg_settings.event, user=waiting)
    svc.approve(registration=first)
    svc.approve(registration=second)
    assert [u for u, _ in buyer_roles(reg_settings.event)] == [holder.pk]
    svc.cancel(registration=first)
    assert [u for u, _ in buyer_roles(reg_settings.event)] == [waiting.pk]


def test_organization_matched_by_tax_code(reg_settings):
    known = OrganizationFactory(name="Saigon Co.op", tax_code="0301175691", province_code=79)
    registration = RegistrationFactory(event=reg_settings.event, user=UserFactory(),
                                       company="Liên hiệp HTX Thương mại TP.HCM", tax_code="0301175691",
                                       province_code=1)
    svc.approve(registration=registration)
    registration.refresh_from_db()
    assert registration.organization == known
    assert Organization.objects.count() == 2  # the event's organizer and the known buyer; nothing created


def test_organization_matched_by_name_without_tone_marks_in_the_same_province(reg_settings):
    known = OrganizationFactory(name="Công ty TNHH Đặc sản Cà Mau", tax_code="", province_code=96)
    elsewhere = OrganizationFactory(name="Cong ty TNHH Dac san Ca Mau", tax_code="", province_code=79)
    registration = RegistrationFactory(event=reg_settings.event, user=UserFactory(),
                                       company="  cong ty tnhh  ĐẶC SẢN cà mau ", province_code=96)
    svc.approve(registration=registration)
    registration.refresh_from_db()
    assert registration.organization == known != elsewhere


def test_same_name_with_another_tax_code_is_another_organization(reg_settings):
    other = OrganizationFactory(name="Công ty TNHH Minh Phát", tax_code="1900000001", province_code=96)
    registration = RegistrationFactory(event=reg_settings.event, user=UserFactory(), company="Công ty TNHH Minh Phát",
                                       tax_code="1900000002", province_code=96)
    svc.approve(registration=registration)
    registration.refresh_from_db()
    assert registration.organization != other
    assert registration.organization.tax_code == "1900000002"


def test_signup_without_account_is_linked_when_the_account_verifies_the_address(reg_settings):
    reg_settings.approval_required = False
    reg_settings.save()
    registration = svc.register_buyer(event=reg_settings.event, full_name="Lê Thị Hồng", company="VinaGreenCo",
                                      email="hong@vinagreen.vn", phone="0903123456", buyer_type="distributor")
    registration = svc.claim(registration=registration)
    assert (registration.status, registration.user) == (S.APPROVED, None)
    assert buyer_roles(reg_settings.event) == []
    # Later she signs up with the same address; nothing is linked until she verifies it.
    user = UserFactory(email="Hong@vinagreen.vn", verified=False)
    address = EmailAddress.objects.create(user=user, email="Hong@vinagreen.vn", verified=False, primary=True)
    registration.refresh_from_db()
    assert registration.user is None
    address.verified = True
    address.save()
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    registration.refresh_from_db()
    assert registration.user == user
    assert buyer_roles(reg_settings.event) == [(user.pk, registration.organization_id)]
    assert ActivityEntry.objects.filter(action="registration.account_linked", object_id=registration.pk).exists()


def test_unconfirmed_signup_is_never_linked(reg_settings):
    registration = svc.register_buyer(event=reg_settings.event, full_name="Kẻ mạo danh", company="X",
                                      email="victim@example.vn", phone="0903123456", buyer_type="other")
    user = UserFactory(email="victim@example.vn")
    roles.link_registrations(user=user, email="victim@example.vn")
    registration.refresh_from_db()
    assert registration.user is None


def test_allauth_email_verification_links_through_the_real_flow(client, reg_settings):
    """The real allauth path: sign up, open the emailed confirmation link, confirm."""
    registration = RegistrationFactory(event=reg_settings.event, email="an@coop.vn", user=None)
    svc.approve(registration=registration)
    client.post(reverse("account_signup"), {"email": "an@coop.vn", "password1": "Mật-khẩu-dài-2026",
                                              "password2": "Mật-khẩu-dài-2026", "full_name": "Nguyễn An"})
    address = EmailAddress.objects.get(email="an@coop.vn")
    from allauth.account.models import EmailConfirmationHMAC

    key = EmailConfirmationHMAC(address).key
    client.post(reverse("account_confirm_email", args=[key]))
    registration.refresh_from_db()
    assert registration.user == address.user
    assert [u for u, _ in buyer_roles(reg_settings.event)] == [address.user_id]


def test_import_links_known_accounts_and_gives_roles(reg_settings, organizer):
    from registration.services.imports import _create_rows

    user = UserFactory(email="mai@bhx.vn")
    batch = reg_settings.event.registration_imports.create(created_by=organizer, filename="x.csv", status="preview",
                                                     rows=[{"line": 2, "raw": {}, "errors": [], "data": {
                                                         "full_name": "Mai", "email": "mai@bhx.vn",
                                                         "phone": "0903123456", "company": "Bách Hóa Xanh",
                                                         "job_title": "", "role": "buyer",
                                                         "buyer_type": "supermarket", "province_code": 79}}])
    (created,) = _create_rows(batch, reg_settings, organizer, notify=False)
    assert created.user_id == user.pk
    assert [u for u, _ in buyer_roles(reg_settings.event)] == [user.pk]


def test_admin_changing_the_account_moves_the_role(admin_client, reg_settings):
    first, second = UserFactory(), UserFactory()
    registration = RegistrationFactory(event=reg_settings.event, user=first)
    svc.approve(registration=registration)
    url = reverse("admin:registration_registration_change", args=[registration.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list | dict)}
    data.update(user=second.pk, product_groups="[]", answers="{}", organization=registration.organization_id or "")
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert [u for u, _ in buyer_roles(reg_settings.event)] == [second.pk]


def test_data_migration_gives_roles_for_existing_approved_registrations(reg_settings):
    user = UserFactory()
    linked_later = UserFactory(email="later@x.vn")
    known = OrganizationFactory(name="Tứ Sơn", tax_code="", province_code=96)
    with_account = RegistrationFactory(event=reg_settings.event, user=user, status=S.APPROVED, company="TỨ SƠN",
                                       province_code=96)
    without = RegistrationFactory(event=reg_settings.event, email="later@x.vn", status=S.APPROVED,
                                  company="Chánh Thu", province_code=92)
    pending = RegistrationFactory(event=reg_settings.event, user=UserFactory(), status=S.PENDING)
    migration = importlib.import_module("registration.migrations.0010_buyer_roles_from_registrations")
    migration.forwards(django_apps, None)
    migration.forwards(django_apps, None)  # running again changes nothing
    with_account.refresh_from_db()
    without.refresh_from_db()
    assert with_account.organization == known
    assert without.user == linked_later and without.organization.name == "Chánh Thu"
    assert sorted(buyer_roles(reg_settings.event)) == sorted([(user.pk, known.pk),
                                                               (linked_later.pk, without.organization_id)])
    assert not EventRole.objects.filter(user=pending.user).exists()
    assert ActivityEntry.objects.filter(action="registration.buyer_role_granted").count() == 2


def test_approved_buyer_sees_badge_link_reaches_matchmaking_and_is_counted(client, reg_settings, organizer):
    """The symptoms of #15: after approval the buyer has "Thẻ của tôi", matchmaking answers, the organizer home
    counts them."""
    event = reg_settings.event
    user = UserFactory(email="thu@bhx.vn")
    client.force_login(user)
    client.post(reverse("registration:signup", kwargs={"event_slug": event.slug}), {
        "full_name": "Trần Thị Minh Thư", "company": "Bách Hóa Xanh", "buyer_type": "supermarket",
        "phone": "0903 123 456", "email": "thu@bhx.vn", "province_code": "79"})
    registration = Registration.objects.get(event=event)
    assert registration.user == user
    home = reverse("event_home", kwargs={"event_slug": event.slug})
    my_badge = reverse("registration:my_badge", kwargs={"event_slug": event.slug})
    assert my_badge not in client.get(home).content.decode()
    svc.approve(registration=registration, by=organizer)
    page = client.get(home).content.decode()
    assert my_badge in page and "Thẻ của tôi" in page
    assert client.get(my_badge)["Content-Type"] == "application/pdf"
    assert client.get(reverse("matchmaking:recommendations", kwargs={"event_slug": event.slug})).status_code == 200
    mine = client.get(reverse("registration:my_event", kwargs={"event_slug": event.slug})).content.decode()
    assert "Bách Hóa Xanh" in mine and "Đã duyệt" in mine
    client.force_login(organizer)
    stats = client.get(reverse("organizer_home", kwargs={"event_slug": event.slug})).context["stats"]
    assert {str(s.label): s.value for s in stats}["người mua"] == 1
