import uuid

import pytest
from django.urls import reverse

from checkin.models import CheckIn
from eventsite.models import EventRole
from registration.services import badges, tokens
from tests.factories import UserFactory, user_with_role
from tests.registration.factories_checkin import CheckinRegistrationFactory, bulk_registrations

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_key_cache():
    tokens.forget_cached_keys()
    yield
    tokens.forget_cached_keys()


@pytest.fixture
def reg():
    return CheckinRegistrationFactory(full_name="Võ Thị Kim Ngân", company="Bách Hóa Xanh")


@pytest.fixture
def desk_client(client, reg):
    client.force_login(user_with_role(reg.event, EventRole.Role.DESK_STAFF))
    return client


def url(name, event, **kw):
    """An event page by name: check-in's own, or registration's ("registration:my_badge")."""
    return reverse(name if ":" in name else f"checkin:{name}", kwargs={"event_slug": event.slug, **kw})


def scan(client, event, code, gate="Cổng A", nonce=None):
    return client.post(url("desk_scan", event), {"code": code, "gate": gate, "nonce": nonce or uuid.uuid4().hex})


@pytest.mark.parametrize("role,expected", [(None, 302), ("buyer", 403), ("exhibitor", 403), ("desk_staff", 200),
                                           ("organizer", 200)])
def test_desk_access(client, reg, role, expected):
    if role:
        client.force_login(user_with_role(reg.event, role))
    assert client.get(url("desk", reg.event)).status_code == expected
    assert scan(client, reg.event, "X").status_code in ({200: 200}.get(expected, expected), 400)


def test_desk_page_has_focused_scanner_input_and_no_inline_script(desk_client, reg):
    html = desk_client.get(url("desk", reg.event)).content.decode()
    assert 'id="scan-code"' in html and "autofocus" in html
    assert "checkin/desk.js" in html and "vendor/jsqr/jsQR.js" in html
    body = html.split("<body", 1)[1]
    assert "<script>" not in body and "onclick=" not in body


def test_scan_ok_then_already_in_vietnamese(desk_client, reg):
    code = badges.token_for(badges.ensure_badge(reg))
    first = scan(desk_client, reg.event, code)
    assert first["X-Scan-Status"] == "ok"
    text = first.content.decode()
    assert "OK" in text and "Võ Thị Kim Ngân" in text and "Bách Hóa Xanh" in text
    assert "Hoàn tác" in text  # the undo button appears for this desk's last check-in
    again = scan(desk_client, reg.event, code, gate="Cổng B")
    assert again["X-Scan-Status"] == "already_checked_in"
    assert "ĐÃ CHECK-IN" in again.content.decode() and "Cổng A" in again.content.decode()


@pytest.mark.parametrize("code,status,word", [("", "malformed", "KHÔNG HỢP LỆ"), ("ABC", "malformed", "KHÔNG HỢP LỆ"),
                                              ("x" * 5000, "malformed", "KHÔNG HỢP LỆ")])
def test_bad_codes_get_a_status_never_500(desk_client, reg, code, status, word):
    response = scan(desk_client, reg.event, code)
    assert response.status_code == 200
    assert response["X-Scan-Status"] == status
    assert word in response.content.decode()


def test_bad_gate_or_nonce_is_a_clear_error(desk_client, reg):
    response = scan(desk_client, reg.event, "ABC", gate="")
    assert response.status_code == 400 and "Chọn cổng" in response.content.decode()
    response = scan(desk_client, reg.event, "ABC", nonce="x")
    assert response.status_code == 400


def test_undo_and_manual_checkin(desk_client, reg):
    code = badges.token_for(badges.ensure_badge(reg))
    scan(desk_client, reg.event, code)
    undone = desk_client.post(url("desk_undo", reg.event), {"gate": "Cổng A"})
    assert undone["X-Scan-Status"] == "undone"
    assert CheckIn.objects.get().annulled_at is not None
    nothing = desk_client.post(url("desk_undo", reg.event), {"gate": "Cổng A"})
    assert nothing.status_code == 400
    manual = desk_client.post(url("desk_manual", reg.event),
                              {"registration": reg.pk, "gate": "Cổng A", "nonce": uuid.uuid4().hex})
    assert manual["X-Scan-Status"] == "ok"
    junk = desk_client.post(url("desk_manual", reg.event), {"registration": "abc", "gate": "A",
                                                           "nonce": uuid.uuid4().hex})
    assert junk.status_code == 400


def test_lookup_without_tone_marks(desk_client, reg):
    response = desk_client.get(url("desk_lookup", reg.event), {"q": "vo thi kim ngan"})
    assert "Võ Thị Kim Ngân" in response.content.decode()
    response = desk_client.get(url("desk_lookup", reg.event), {"q": reg.phone[-7:]})
    assert "Võ Thị Kim Ngân" in response.content.decode()


@pytest.mark.parametrize("attendees", [100, 2000])
def test_lookup_queries_constant(desk_client, reg, attendees, django_assert_max_num_queries):
    bulk_registrations(reg.event, attendees)
    with django_assert_max_num_queries(8):
        response = desk_client.get(url("desk_lookup", reg.event), {"q": "khach 1"})
    assert response.status_code == 200


def test_badge_download_permissions(client, reg):
    owner = UserFactory()
    reg.user = owner
    reg.save()
    target = url("registration:badge_pdf", reg.event, registration_id=reg.pk)
    assert client.get(target).status_code == 302  # anonymous → login
    client.force_login(UserFactory())
    assert client.get(target).status_code == 404  # someone else
    client.force_login(owner)
    response = client.get(target)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert client.get(url("registration:my_badge", reg.event)).status_code == 200
    reg.status = "pending"
    reg.save()
    assert client.get(target).status_code == 404  # no valid badge until approved
    my = client.get(url("registration:my_badge", reg.event))
    assert my.status_code == 200 and my["Content-Type"].startswith("text/html")
    client.force_login(user_with_role(reg.event, EventRole.Role.ORGANIZER))
    assert client.get(target).status_code == 200


def test_dashboard_only_for_organizers(client, reg):
    client.force_login(user_with_role(reg.event, EventRole.Role.DESK_STAFF))
    assert client.get(url("dashboard", reg.event)).status_code == 403
    client.force_login(user_with_role(reg.event, EventRole.Role.ORGANIZER))
    response = client.get(url("dashboard", reg.event))
    assert response.status_code == 200
    assert "Đã check-in" in response.content.decode() or "check-in" in response.content.decode().lower()


@pytest.mark.parametrize("attendees", [100, 2000])
def test_dashboard_queries_constant(client, reg, attendees, django_assert_max_num_queries):
    bulk_registrations(reg.event, attendees)
    client.force_login(user_with_role(reg.event, EventRole.Role.ORGANIZER))
    with django_assert_max_num_queries(14):
        assert client.get(url("dashboard", reg.event)).status_code == 200
