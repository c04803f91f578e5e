"""Issue #15: an organizer sets up an event without the Django admin (slugs, invitations, operator page, wizard,
copy from an earlier event, checklist, team, scanner devices, error pages)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from agenda.models import Room, Session
from agreements.models import Agreement
from booths.models import Booking, Booth, BoothSettings, ExhibitorApplication, Hall, Zone
from booths.services.booking import hold_booth
from checkin.models import Device
from eventsite import event_setup, invitations
from eventsite.models import ActivityEntry, Event, EventRole, Invitation, Organization, OrganizationRole
from eventsite.slugs import unique_event_slug, vietnamese_slug
from registration.models import Registration, RegistrationQuestion, RegistrationSettings
from tests.agenda.factories import programme
from tests.agreements.factories import agreement
from tests.booths.factories import BoothFactory, HallFactory, ZoneFactory, exhibitor
from tests.factories import EventFactory, OrganizationFactory, UserFactory, user_with_role
from tests.registration.factories import QuestionFactory, RegistrationFactory, RegistrationSettingsFactory

pytestmark = pytest.mark.django_db
Role = EventRole.Role
SITE = "http://testserver/"


# --- slugs -----------------------------------------------------------------------------------------------------

def test_slug_vietnamese_title_reads_without_tone_marks():
    assert vietnamese_slug("Hội nghị kết nối cung cầu Sóc Trăng 2027") == "hoi-nghi-ket-noi-cung-cau-soc-trang-2027"


@pytest.mark.parametrize(("vowel", "base"), [
    ("aáàảãạ", "a"), ("ăắằẳẵặ", "a"), ("âấầẩẫậ", "a"), ("eéèẻẽẹ", "e"), ("êếềểễệ", "e"), ("iíìỉĩị", "i"),
    ("oóòỏõọ", "o"), ("ôốồổỗộ", "o"), ("ơớờởỡợ", "o"), ("uúùủũụ", "u"), ("ưứừửữự", "u"), ("yýỳỷỹỵ", "y"),
])
def test_slug_every_tone_mark_of_every_vowel_upper_and_lower(vowel, base):
    text = " ".join(vowel + vowel.upper())
    assert vietnamese_slug(text) == "-".join([base] * 12)


def test_slug_d_with_stroke_becomes_d():
    assert vietnamese_slug("Đầm Dơi đặc sản ĐỒNG THÁP") == "dam-doi-dac-san-dong-thap"


def test_slug_collisions_get_numbered_suffixes():
    EventFactory(slug="hoi-cho-ocop-2027")
    assert unique_event_slug("Hội chợ OCOP 2027") == "hoi-cho-ocop-2027-2"
    EventFactory(slug="hoi-cho-ocop-2027-2")
    assert unique_event_slug("Hội chợ OCOP 2027") == "hoi-cho-ocop-2027-3"
    assert unique_event_slug("Hội chợ OCOP 2027 khác") == "hoi-cho-ocop-2027-khac"


def test_slug_long_name_with_suffix_fits_the_field():
    name = "Hội nghị " * 20
    EventFactory(slug=vietnamese_slug(name))
    slug = unique_event_slug(name)
    assert slug.endswith("-2") and len(slug) <= 80


# --- invitations -----------------------------------------------------------------------------------------------

@pytest.fixture
def event():
    return EventFactory(status=Event.Status.PUBLISHED)


@pytest.fixture
def organizer(event):
    return user_with_role(event, Role.ORGANIZER)


def _invite(capture, event, organizer, role=Role.DESK_STAFF, email="ban.tiep.don@example.vn"):
    with capture(execute=True):
        invitation = invitations.invite_to_event(event=event, email=email, role=role, invited_by=organizer,
                                                 site_url=SITE)
    return invitation, _token_from_mail()


def _token_from_mail() -> str:
    body = mail.outbox[-1].body
    return body.split("/invitations/")[1].split("/")[0]


def test_invitation_email_link_accepts_once(event, organizer, django_capture_on_commit_callbacks):
    invitation, token = _invite(django_capture_on_commit_callbacks, event, organizer)
    assert mail.outbox[-1].to == ["ban.tiep.don@example.vn"]
    assert len(invitation.token_hash) == 64 and token not in invitation.token_hash
    person = UserFactory()
    invitations.accept_invitation(token=token, user=person)
    assert EventRole.objects.filter(event=event, user=person, role=Role.DESK_STAFF).count() == 1
    with pytest.raises(invitations.InvitationError) as used:
        invitations.accept_invitation(token=token, user=UserFactory())
    assert used.value.code == "used"
    assert ActivityEntry.objects.filter(action="eventsite.invitation_accepted").count() == 1


def test_invitation_expires_after_seven_days(event, organizer, django_capture_on_commit_callbacks):
    invitation, token = _invite(django_capture_on_commit_callbacks, event, organizer)
    assert abs(invitation.expires_at - (timezone.now() + timedelta(days=7))) < timedelta(minutes=1)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(invitations.InvitationError) as e:
        invitations.accept_invitation(token=token, user=UserFactory())
    assert e.value.code == "expired"
    assert not EventRole.objects.filter(event=event, role=Role.DESK_STAFF).exists()


def test_invitation_resend_replaces_the_link_and_revoke_stops_it(event, organizer,
                                                                django_capture_on_commit_callbacks):
    invitation, old = _invite(django_capture_on_commit_callbacks, event, organizer)
    with django_capture_on_commit_callbacks(execute=True):
        invitations.resend_invitation(invitation=invitation, actor=organizer, site_url=SITE)
    new = _token_from_mail()
    assert new != old
    with pytest.raises(invitations.InvitationError) as e:
        invitations.find_invitation(old)
    assert e.value.code == "unknown"
    invitations.revoke_invitation(invitation=invitation, actor=organizer)
    with pytest.raises(invitations.InvitationError) as e:
        invitations.accept_invitation(token=new, user=UserFactory())
    assert e.value.code == "revoked"


def test_invitation_page_answers_410_for_a_used_link(client, event, organizer, django_capture_on_commit_callbacks):
    _invitation, token = _invite(django_capture_on_commit_callbacks, event, organizer)
    invitations.accept_invitation(token=token, user=UserFactory())
    response = client.get(reverse("invitation", args=[token]))
    assert response.status_code == 410
    assert "đã được dùng" in response.content.decode()


def test_invited_person_signs_up_from_the_link_without_a_confirmation_email(
        client, event, organizer, django_capture_on_commit_callbacks):
    _invitation, token = _invite(django_capture_on_commit_callbacks, event, organizer, role=Role.ORGANIZER,
                                 email="moi@soct.gov.vn")
    page = client.get(reverse("invitation", args=[token]))
    assert page.status_code == 200
    signup_url = page.context["signup_url"]
    sent = len(mail.outbox)
    response = client.post(signup_url, {"email": "moi@soct.gov.vn", "password1": "Kh0ng-de-doan!",
                                        "password2": "Kh0ng-de-doan!", "full_name": "Trần Thị Mới"})
    assert response.status_code == 302
    assert response.url == reverse("invitation", args=[token])
    assert len(mail.outbox) == sent  # the invitation proved the address
    accepted = client.post(reverse("invitation", args=[token]))
    assert accepted.url == reverse("organizer_home", args=[event.slug])
    assert EventRole.objects.filter(event=event, user__email="moi@soct.gov.vn", role=Role.ORGANIZER).exists()


def test_team_page_invites_removes_and_keeps_the_last_organizer(client, event, organizer):
    client.force_login(organizer)
    response = client.post(reverse("team", args=[event.slug]), {"email": "a@example.vn", "role": Role.DESK_STAFF})
    assert response.status_code == 302
    assert Invitation.objects.get(event=event).role == Role.DESK_STAFF
    desk = user_with_role(event, Role.DESK_STAFF)
    page = client.get(reverse("team", args=[event.slug])).content.decode()
    assert "a@example.vn" in page and desk.email in page
    # Check-in's team link (AppConfig.team_links): the page where scanner devices are added.
    assert f'href="{reverse("checkin:devices", args=[event.slug])}"' in page
    desk_role = EventRole.objects.get(event=event, user=desk)
    client.post(reverse("team_remove", args=[event.slug, desk_role.pk]))
    assert not EventRole.objects.filter(pk=desk_role.pk).exists()
    own = EventRole.objects.get(event=event, user=organizer)
    client.post(reverse("team_remove", args=[event.slug, own.pk]))
    assert EventRole.objects.filter(pk=own.pk).exists()


def test_team_page_is_for_organizers_only(client, event):
    client.force_login(user_with_role(event, Role.DESK_STAFF))
    assert client.get(reverse("team", args=[event.slug])).status_code == 403


# --- platform operator -----------------------------------------------------------------------------------------

def test_operator_page_refuses_everyone_but_superusers(client, event, organizer):
    url = reverse("operator_home")
    assert client.get(url).status_code == 302  # to login
    client.force_login(organizer)
    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "X", "province_code": "92", "organizer_email": "x@example.vn"}
                       ).status_code == 403
    assert not Organization.objects.filter(name="X").exists()
    assert client.post(reverse("operator_template", args=[event.pk]), {"is_template": "1"}).status_code == 403


def test_operator_creates_department_and_its_organizer_creates_events(client, django_capture_on_commit_callbacks):
    operator = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(operator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("operator_home"), {
            "name": "Sở Công Thương thành phố Cần Thơ", "province_code": "92", "tax_code": "",
            "organizer_email": "giamdoc@soct.gov.vn"})
    assert response.status_code == 302
    department = Organization.objects.get(name="Sở Công Thương thành phố Cần Thơ")
    assert department.kind == Organization.Kind.GOVERNMENT
    token = _token_from_mail()
    newcomer = UserFactory(email="giamdoc@soct.gov.vn")
    client.force_login(newcomer)
    assert client.get(reverse("event_create")).status_code == 403
    assert client.post(reverse("invitation", args=[token])).url == reverse("event_create")
    assert OrganizationRole.objects.filter(organization=department, user=newcomer).exists()
    response = client.post(reverse("event_create"), {
        "organization": department.pk, "name": "Hội nghị kết nối cung cầu Sóc Trăng 2027", "slug": "",
        "starts_at": "2027-11-20T08:00", "ends_at": "2027-11-21T17:00", "venue": "Nhà văn hóa Sóc Trăng",
        "province_at_event": "Sóc Trăng", "province_code": "92", "description": ""})
    event = Event.objects.get(organizer=department)
    assert response.url == reverse("event_copy", args=[event.slug])
    assert event.slug == "hoi-nghi-ket-noi-cung-cau-soc-trang-2027"
    assert event.status == Event.Status.DRAFT
    assert EventRole.objects.filter(event=event, user=newcomer, role=Role.ORGANIZER).exists()
    client.post(reverse("event_publish", args=[event.slug]), {"publish": "1"})
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED


def test_event_wizard_refuses_another_organizations_events(client):
    mine, theirs = OrganizationFactory(kind="government"), OrganizationFactory(kind="government")
    user = UserFactory()
    OrganizationRole.objects.create(organization=mine, user=user)
    client.force_login(user)
    response = client.post(reverse("event_create"), {
        "organization": theirs.pk, "name": "Hội chợ", "starts_at": "2027-11-20T08:00",
        "ends_at": "2027-11-21T17:00", "venue": "X", "province_at_event": "Cà Mau", "province_code": "96"})
    assert response.status_code == 200 and "organization" in response.context["form"].errors
    assert not Event.objects.filter(organizer=theirs).exists()


def test_event_wizard_refuses_a_province_that_does_not_match(client):
    org = OrganizationFactory(kind="government")
    user = UserFactory()
    OrganizationRole.objects.create(organization=org, user=user)
    client.force_login(user)
    response = client.post(reverse("event_create"), {
        "organization": org.pk, "name": "Hội chợ", "starts_at": "2027-11-20T08:00",
        "ends_at": "2027-11-21T17:00", "venue": "X", "province_at_event": "Sóc Trăng", "province_code": "96"})
    assert response.status_code == 200 and "province_code" in response.context["form"].errors


# --- copy from an earlier event ---------------------------------------------------------------------------------

def _source_event(booths: int) -> Event:
    source = EventFactory(is_template=True)
    hall = HallFactory(event=source, name="Nhà A")
    zone = ZoneFactory(hall=hall, name="Khu thực phẩm")
    Booth.objects.bulk_create([BoothFactory.build(hall=hall, zone=zone if i % 2 else None, code=f"A-{i:03d}",
                                                  price=5_000_000 + i) for i in range(booths)])
    BoothSettings.objects.create(event=source, hold_minutes=7, max_booths_per_exhibitor=3)
    settings = RegistrationSettingsFactory(event=source, buyer_capacity=120, approval_required=False)
    QuestionFactory(settings=settings, label="Ngành hàng quan tâm?")
    programme(source, sessions=4, rooms=2, speakers=False, publish=False)
    return source


def _target(source: Event, organizer) -> Event:
    target = EventFactory(organizer=source.organizer, status=Event.Status.DRAFT,
                          starts_at=source.starts_at + timedelta(days=365))
    EventRole.objects.create(event=target, user=organizer, role=Role.ORGANIZER)
    return target


ALL_PARTS = ["floor_plan", "registration", "agenda", "team"]


def test_copy_takes_setup_and_never_registrations_bookings_or_agreements():
    source = _source_event(booths=6)
    source_organizer = user_with_role(source, Role.ORGANIZER)
    desk = user_with_role(source, Role.DESK_STAFF)
    app = exhibitor(source)
    hold_booth(booth_id=Booth.objects.filter(event=source).first().pk, application=app, by_user=app.applicant)
    RegistrationFactory(event=source)
    agreement(source)
    user_with_role(source, Role.BUYER)
    target = _target(source, source_organizer)

    with translation.override("en"):
        summary = event_setup.copy_event(source=source, target=target, parts=ALL_PARTS, actor=source_organizer)

    counts = {str(label): n for label, n in summary}
    assert counts["booths"] == 6 and counts["halls"] == 1 and counts["zones"] == 1
    assert counts["sessions"] == 4 and counts["rooms"] == 2 and counts["registration questions"] == 1
    assert list(Booth.objects.filter(event=target).order_by("code").values_list("code", "price", "zone__name")) == \
        list(Booth.objects.filter(event=source).order_by("code").values_list("code", "price", "zone__name"))
    assert Booth.objects.filter(event=target).exclude(hall__event=target).count() == 0
    assert BoothSettings.objects.get(event=target).hold_minutes == 7
    assert RegistrationSettings.objects.get(event=target).buyer_capacity == 120
    assert RegistrationQuestion.objects.filter(settings__event=target).count() == 1
    shifted = Session.objects.filter(event=target).order_by("starts_at").first()
    original = Session.objects.filter(event=source).order_by("starts_at").first()
    assert shifted.starts_at - original.starts_at == timedelta(days=365)
    assert shifted.room.event_id == target.pk
    assert EventRole.objects.filter(event=target, user=desk, role=Role.DESK_STAFF).exists()
    assert not EventRole.objects.filter(event=target, role__in=[Role.BUYER, Role.EXHIBITOR]).exists()
    assert Booking.objects.filter(event=target).count() == 0
    assert ExhibitorApplication.objects.filter(event=target).count() == 0
    assert Registration.objects.filter(event=target).count() == 0
    assert Agreement.objects.filter(event=target).count() == 0
    assert Booking.objects.filter(event=source).count() == 1  # the source is untouched
    assert ActivityEntry.objects.filter(event=target, action="eventsite.event_copied").count() == 1


def test_copy_is_one_transaction(django_capture_on_commit_callbacks):
    source = _source_event(booths=2)
    organizer = user_with_role(source, Role.ORGANIZER)
    target = _target(source, organizer)
    Room.objects.create(event=target, name="Phòng có sẵn")  # the agenda part refuses, after the floor plan ran
    with pytest.raises(event_setup.SetupError) as error:
        event_setup.copy_event(source=source, target=target, parts=ALL_PARTS, actor=organizer)
    assert error.value.code == "has_agenda"
    assert Hall.objects.filter(event=target).count() == 0
    assert RegistrationSettings.objects.filter(event=target).count() == 0


def test_copy_only_from_same_organization_or_template():
    other = EventFactory()  # another organization, not a template
    organizer = UserFactory()
    target = EventFactory(status=Event.Status.DRAFT)
    with pytest.raises(event_setup.SetupError) as error:
        event_setup.copy_event(source=other, target=target, parts=ALL_PARTS, actor=organizer)
    assert error.value.code == "bad_source"


@pytest.mark.parametrize("booths", [5, 60, pytest.param(500, marks=pytest.mark.postgres)])
def test_copy_query_count_does_not_grow_with_booths(booths):
    # 500 on PostgreSQL only: on SQLite Django 5.2 splits a bulk INSERT into statements of at most 999 parameters
    # (7 for 500 booths of 12 columns), which is Django's batching, not a query per booth.
    counts = {}
    for size in (3, booths, 3):  # the first copy in a process also reads a content type once: compare warm ones
        source = _source_event(booths=size)
        organizer = user_with_role(source, Role.ORGANIZER)
        target = _target(source, organizer)
        with CaptureQueriesContext(connection) as queries:
            event_setup.copy_event(source=source, target=target, parts=ALL_PARTS, actor=organizer)
        counts[size] = len(queries)
        assert Booth.objects.filter(event=target).count() == size
    assert counts[booths] == counts[3], counts


def test_copy_page_shows_summary_on_setup_page(client):
    source = _source_event(booths=3)
    organizer = user_with_role(source, Role.ORGANIZER)
    target = _target(source, organizer)
    client.force_login(organizer)
    page = client.get(reverse("event_copy", args=[target.slug]))
    assert source.name in page.content.decode()
    response = client.post(reverse("event_copy", args=[target.slug]), {"source": source.pk, "parts": ["floor_plan"]})
    assert response.url == reverse("event_setup", args=[target.slug])
    setup = client.get(response.url).content.decode()
    assert "Đã sao chép từ" in setup and "gian hàng" in setup
    assert Zone.objects.filter(hall__event=target).count() == 1
    assert Session.objects.filter(event=target).count() == 0


# --- checklist, devices, admin links, error pages ----------------------------------------------------------------

def _checks(client, event) -> dict:
    response = client.get(reverse("organizer_home", args=[event.slug]))
    with translation.override("en"):
        return {str(c.label): c for c in response.context["checks"]}


def test_checklist_on_organizer_home_follows_the_facts(client, event, organizer):
    client.force_login(organizer)
    checks = _checks(client, event)
    assert not checks["Floor plan with booths"].done
    assert not checks["At least one desk user or scanner device"].done
    assert checks["Registration open"].done
    BoothFactory(hall=HallFactory(event=event))
    Device.objects.create(event=event, name="Cổng A", token_hash="x" * 64, token_prefix="kn_x")
    checks = _checks(client, event)
    assert checks["Floor plan with booths"].done
    assert checks["At least one desk user or scanner device"].done
    assert checks["At least one desk user or scanner device"].url == reverse("team", args=[event.slug])


def test_devices_page_shows_the_token_once_and_revokes(client, event, organizer):
    client.force_login(organizer)
    response = client.post(reverse("checkin:devices", args=[event.slug]), {"name": "Máy quét cổng B"})
    device = Device.objects.get(event=event)
    token = response.context["token"]
    assert token.startswith(device.token_prefix) and token in response.content.decode()
    assert token not in client.get(reverse("checkin:devices", args=[event.slug])).content.decode()
    client.post(reverse("checkin:device_rename", args=[event.slug, device.pk]), {"name": "Cổng chính"})
    client.post(reverse("checkin:device_revoke", args=[event.slug, device.pk]))
    device.refresh_from_db()
    assert device.name == "Cổng chính" and not device.is_active
    actions = list(ActivityEntry.objects.filter(object_id=device.pk, action__startswith="checkin.device_")
                   .values_list("action", flat=True))
    assert actions == ["checkin.device_created", "checkin.device_renamed", "checkin.device_revoked"]


def test_devices_page_refuses_desk_staff(client, event):
    client.force_login(user_with_role(event, Role.DESK_STAFF))
    assert client.get(reverse("checkin:devices", args=[event.slug])).status_code == 403


def test_organizer_pages_never_link_to_the_admin(client, event, organizer):
    client.force_login(organizer)
    for name in ("organizer_home", "event_setup", "team", "event_copy", "event_edit", "checkin:devices",
                 "agenda:control"):
        body = client.get(reverse(name, args=[event.slug])).content.decode()
        assert "/admin/" not in body, name


def test_error_pages_are_translated_in_the_layout(client, event):
    response = client.get("/e/khong-co-su-kien-nay/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Không tìm thấy trang" in body and 'class="site-header"' in body
    client.force_login(UserFactory())
    forbidden = client.get(reverse("organizer_home", args=[event.slug]))
    assert forbidden.status_code == 403 and "mời" in forbidden.content.decode()


def test_team_invitation_never_gives_buyer_or_exhibitor_roles(client, event, organizer):
    with pytest.raises(invitations.InvitationError) as error:
        invitations.invite_to_event(event=event, email="x@example.vn", role=Role.BUYER, invited_by=organizer,
                                    site_url=SITE)
    assert error.value.code == "bad_role"
    client.force_login(organizer)
    response = client.post(reverse("team", args=[event.slug]), {"email": "x@example.vn", "role": Role.EXHIBITOR})
    assert response.status_code == 200 and "role" in response.context["form"].errors
    assert not Invitation.objects.exists()


def test_event_edit_logs_the_values_before_and_after(client, event, organizer):
    client.force_login(organizer)
    response = client.post(reverse("event_edit", args=[event.slug]), {
        "name": event.name, "slug": "Hội chợ Đồng Tháp", "starts_at": "2027-11-20T08:00",
        "ends_at": "2027-11-21T17:00", "venue": "Nhà văn hóa mới", "province_at_event": "Cà Mau",
        "province_code": "96", "description": ""})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.slug == "hoi-cho-dong-thap" and event.venue == "Nhà văn hóa mới"
    entry = ActivityEntry.objects.get(action="eventsite.event_updated", object_id=event.pk)
    changed = {name for name, _before, _after in entry.changed_fields()}
    assert {"slug", "venue", "starts_at", "ends_at"} <= changed


def test_csrf_failure_page_is_translated_and_says_what_to_do(event, organizer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(organizer)
    response = client.post(reverse("team", args=[event.slug]), {"email": "a@example.vn", "role": Role.DESK_STAFF})
    assert response.status_code == 403
    body = response.content.decode()
    assert "Không gửi được biểu mẫu" in body and "tải lại trang" in body
    assert not Invitation.objects.exists()


def test_server_error_page_renders_without_a_request_context():
    from django.template import loader

    with translation.override("vi"):
        html = loader.get_template("500.html").render()
    assert "Đã có lỗi ở phía hệ thống" in html and 'class="site-header"' in html
