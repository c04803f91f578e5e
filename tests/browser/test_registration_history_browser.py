"""An organizer opens a buyer's registration on a phone after the event day: the badge's admission at a gate, an
undone admission and a second scan read as lines ("Cổng Đông: OK, sớm"), not as the scanner's JSON answers."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from checkin.services import checkin
from eventsite.models import EventRole
from registration.services import badges
from tests.browser.conftest import STEP_TIMEOUT_MS, assert_accessible, log_in
from tests.browser.test_checkin_browser import server_login_ready
from tests.factories import DAY1, PASSWORD, EventFactory, user_with_role
from tests.registration.factories_checkin import CheckinRegistrationFactory

pytestmark = pytest.mark.browser


def test_organizer_reads_a_registrations_history_on_a_phone(browser, live_app, transactional_db):
    start = DAY1 + timedelta(days=3)
    event = EventFactory(slug="ca-mau-lich-su", starts_at=start, ends_at=start + timedelta(days=1))
    registration = CheckinRegistrationFactory(event=event, full_name="Đoàn Thị Bích Ngọc", company="Bách Hóa Xanh")
    code = badges.token_for(badges.ensure_badge(registration))
    desk = user_with_role(event, EventRole.Role.DESK_STAFF)
    for gate in ("Cổng Tây", "Cổng Đông"):
        checkin.redeem_badge(code=code, gate=gate, nonce=uuid.uuid4().hex, device_or_user=desk, event=event)
        if gate == "Cổng Tây":
            checkin.annul_last_checkin(gate=gate, device_or_user=desk, event=event)
    checkin.redeem_badge(code=code, gate="Cổng Bắc", nonce=uuid.uuid4().hex, device_or_user=desk, event=event)
    organizer = server_login_ready(user_with_role(event, EventRole.Role.ORGANIZER))
    phone = browser.new_context(base_url=live_app.url, viewport={"width": 390, "height": 844}, locale="vi-VN",
                                has_touch=True, is_mobile=True)
    phone.set_default_timeout(STEP_TIMEOUT_MS)
    page = phone.new_page()
    try:
        log_in(page, organizer.email, PASSWORD)
        page.goto(f"/e/{event.slug}/registrations/{registration.pk}/")
        history = page.locator(".activity-history").inner_text()
        assert "Cổng Tây: OK, sớm" in history and "Đã hủy lượt vào tại Cổng Tây (" in history
        assert "Cổng Đông: OK, sớm" in history and "Cổng Bắc: Đã check-in, sớm" not in history
        assert "Cổng Bắc: Đã check-in" in history and "attendee" not in history
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert_accessible(page, "registration-history-phone")
    finally:
        phone.close()
