"""Check-in outside the event's dates (issue #15): from the day before the start to the day after the end is
normal; outside that window the online desk asks for confirmation, the API and the offline desk record the scan
marked early or late, and everything is refused only when the organizer turns such check-ins off."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from checkin.models import CheckIn, ScanStatus
from checkin.services import checkin, devices, offline
from checkin.services.offline import OfflineScan
from eventsite.models import EventRole
from registration.models import RegistrationSettings
from registration.services import badges, tokens
from tests.checkin.scans import scan_statuses
from tests.factories import VN, EventFactory, local_day, user_with_role
from tests.registration.factories_checkin import CheckinRegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_key_cache():
    tokens.forget_cached_keys()
    yield
    tokens.forget_cached_keys()


def _event(days_from_today: int, *, allowed: bool = True):
    start = local_day(days_from_today)
    event = EventFactory(starts_at=start, ends_at=start + timedelta(days=1, hours=9))
    if not allowed:
        RegistrationSettings.objects.create(event=event, checkin_outside_dates=False)
    return event


def _code(event):
    registration = CheckinRegistrationFactory(event=event, full_name="Lý Thị Mỹ Duyên")
    return badges.token_for(badges.ensure_badge(registration))


def _api(client, event, code):
    _, token = devices.create_device(event=event, name="Máy quét cổng B")
    return client.post("/api/checkin/v1/redeem", content_type="application/json",
                       data=json.dumps({"code": code, "gate": "B", "nonce": uuid.uuid4().hex}),
                       HTTP_AUTHORIZATION=f"Bearer {token}")


def _desk(client, event, code, **extra):
    return client.post(reverse("checkin:desk_scan", args=[event.slug]),
                       {"code": code, "gate": "Cổng A", "nonce": uuid.uuid4().hex, **extra})


def test_window_is_the_day_before_the_start_to_the_day_after_the_end():
    event = EventFactory(starts_at=datetime(2027, 3, 10, 7, 30, tzinfo=VN),
                         ends_at=datetime(2027, 3, 12, 17, 0, tzinfo=VN))
    assert checkin.checkin_window(event) == (date(2027, 3, 9), date(2027, 3, 13))
    timing = [checkin.checkin_timing(event, datetime(2027, 3, d, h, 0, tzinfo=VN))
              for d, h in [(8, 23), (9, 0), (13, 23), (14, 0)]]
    assert timing == ["early", "", "", "late"]
    # Local dates: 23:30 on the 8th in Vietnam is 16:30 UTC, still early; 00:30 on the 9th is inside.
    assert checkin.checkin_timing(event, datetime(2027, 3, 8, 16, 30, tzinfo=UTC)) == "early"
    assert checkin.checkin_timing(event, datetime(2027, 3, 8, 17, 30, tzinfo=UTC)) == ""


def test_test_events_are_inside_the_window_so_scans_are_plain(client):
    event = EventFactory()
    response = _api(client, event, _code(event))
    assert response.json()["status"] == "ok" and response.json()["timing"] == ""
    assert CheckIn.objects.get().timing == ""
    client.force_login(user_with_role(event, EventRole.Role.ORGANIZER))
    dashboard = client.get(reverse("checkin:dashboard", args=[event.slug])).content.decode()
    assert 'id="checked-in-total">1<' in dashboard and 'id="outside-dates"' not in dashboard


@pytest.mark.parametrize("days, timing", [(2, "early"), (30, "early"), (-4, "late")])
def test_api_records_a_scan_outside_the_window_marked(client, days, timing):
    event = _event(days)
    response = _api(client, event, _code(event))
    assert response.status_code == 200
    assert response.json()["status"] == "ok" and response.json()["timing"] == timing
    assert CheckIn.objects.get(event=event).timing == timing
    counted = checkin.counts(event)
    assert (counted["checked_in"], counted["early"], counted["late"]) == (1, timing == "early", timing == "late")
    client.force_login(user_with_role(event, EventRole.Role.ORGANIZER))
    dashboard = client.get(reverse("checkin:dashboard", args=[event.slug])).content.decode()
    assert 'id="outside-dates"' in dashboard


def test_api_refuses_outside_the_window_when_the_organizer_turned_it_off(client):
    event = _event(5, allowed=False)
    response = _api(client, event, _code(event))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "outside_dates" and body["timing"] == "early"
    assert "ngoài" in body["reason"]  # translated reason, Vietnamese first
    assert not CheckIn.objects.exists()
    assert scan_statuses() == [ScanStatus.OUTSIDE_DATES]


def test_online_desk_asks_then_admits_marked_early(client):
    event = _event(3)
    code = _code(event)
    client.force_login(user_with_role(event, EventRole.Role.DESK_STAFF))
    asked = _desk(client, event, code)
    assert asked.status_code == 200 and asked["X-Scan-Status"] == "outside_dates"
    page = asked.content.decode()
    assert "Check-in sớm" in page and 'name="confirm_outside_dates" value="1"' in page
    assert f"{timezone.localdate(event.starts_at) - timedelta(days=1):%d/%m/%Y}" in page
    assert not CheckIn.objects.exists()
    admitted = _desk(client, event, code, confirm_outside_dates="1")
    assert admitted["X-Scan-Status"] == "ok"
    assert "sớm" in admitted.content.decode()
    assert CheckIn.objects.get().timing == "early"
    # The question was logged, then the admission: two scans, one check-in.
    assert scan_statuses() == ["outside_dates", "ok"]


def test_desk_confirmation_cannot_override_the_organizer(client):
    event = _event(-5, allowed=False)
    code = _code(event)
    client.force_login(user_with_role(event, EventRole.Role.DESK_STAFF))
    response = _desk(client, event, code, confirm_outside_dates="1")
    assert response["X-Scan-Status"] == "outside_dates"
    assert "confirm_outside_dates" not in response.content.decode()
    assert not CheckIn.objects.exists()


def test_manual_desk_checkin_follows_the_same_rule(client):
    event = _event(-3)
    registration = CheckinRegistrationFactory(event=event)
    client.force_login(user_with_role(event, EventRole.Role.DESK_STAFF))
    post = {"registration": registration.pk, "gate": "Cổng A"}
    asked = client.post(reverse("checkin:desk_manual", args=[event.slug]), {**post, "nonce": uuid.uuid4().hex})
    assert asked["X-Scan-Status"] == "outside_dates"
    assert f'name="registration" value="{registration.pk}"' in asked.content.decode()
    done = client.post(reverse("checkin:desk_manual", args=[event.slug]),
                       {**post, "nonce": uuid.uuid4().hex, "confirm_outside_dates": "1"})
    assert done["X-Scan-Status"] == "ok"
    assert CheckIn.objects.get().timing == "late"


def test_offline_upload_is_marked_by_when_the_desk_scanned():
    event = _event(0)
    desk = user_with_role(event, EventRole.Role.DESK_STAFF)
    early = event.starts_at - timedelta(days=3)
    (result,) = offline.upload_scans(event=event, user=desk, scans=[
        OfflineScan(code=_code(event), gate="Cổng C", nonce=uuid.uuid4().hex, scanned_at=early)])
    assert result.status == "ok" and result.timing == "early"
    assert CheckIn.objects.get().timing == "early"


def test_offline_list_carries_the_window_and_the_organizers_choice():
    event = _event(0)
    assert offline.desk_list(event=event)["w"] == [
        local_day(-1).date().isoformat(), (event.ends_at + timedelta(days=1)).date().isoformat(), 1]
    RegistrationSettings.objects.create(event=event, checkin_outside_dates=False)
    assert offline.desk_list(event=event)["w"][2] == 0


def test_organizer_turns_it_off_on_the_settings_page(client):
    event = EventFactory()
    client.force_login(user_with_role(event, EventRole.Role.ORGANIZER))
    url = reverse("registration:settings", args=[event.slug])
    page = client.get(url).content.decode()
    field = page.split('name="checkin_outside_dates"')[1].split(">")[0]
    assert "checked" in field  # on by default
    response = client.post(url, {"is_open": "on", "approval_required": "on", "buyer_capacity": "",
                                 "questions-TOTAL_FORMS": "0", "questions-INITIAL_FORMS": "0",
                                 "questions-MIN_NUM_FORMS": "0", "questions-MAX_NUM_FORMS": "20"})
    assert response.status_code in (200, 302)
    assert RegistrationSettings.objects.get(event=event).checkin_outside_dates is False
