"""A badge scanned at the online desk three days before the event, on a phone: the desk asks, the person at the desk
taps to confirm, and the check-in is admitted marked early (issue #15, check-in outside the event's dates)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from checkin.models import CheckIn
from eventsite.models import EventRole
from registration.services import badges
from tests.browser.conftest import STEP_TIMEOUT_MS, assert_accessible, log_in
from tests.browser.test_checkin_browser import server_login_ready
from tests.factories import DAY1, PASSWORD, EventFactory, user_with_role
from tests.registration.factories_checkin import CheckinRegistrationFactory

pytestmark = pytest.mark.browser


def test_desk_asks_before_an_early_checkin_on_a_phone(browser, live_app, transactional_db):
    start = DAY1 + timedelta(days=3)
    event = EventFactory(slug="ca-mau-som", starts_at=start, ends_at=start + timedelta(days=1))
    registration = CheckinRegistrationFactory(event=event, full_name="Đoàn Thị Bích Ngọc", company="Bách Hóa Xanh")
    code = badges.token_for(badges.ensure_badge(registration))
    desk_user = server_login_ready(user_with_role(event, EventRole.Role.DESK_STAFF))
    phone = browser.new_context(base_url=live_app.url, viewport={"width": 390, "height": 844}, locale="vi-VN",
                                has_touch=True, is_mobile=True)
    phone.set_default_timeout(STEP_TIMEOUT_MS)
    page = phone.new_page()
    try:
        log_in(page, desk_user.email, PASSWORD)
        page.goto(f"/e/{event.slug}/desk/?gate=Cổng A")
        page.locator("#scan-code").fill(code)
        page.locator("#scan-code").press("Enter")
        page.locator("#scan-result .scan-word", has_text="NGOÀI NGÀY SỰ KIỆN").wait_for()
        result = page.locator("#scan-result").inner_text()
        assert "Đoàn Thị Bích Ngọc" in result and "Vẫn check-in cho người này?" in result
        assert f"{start - timedelta(days=1):%d/%m/%Y}" in result
        assert not CheckIn.objects.filter(event=event).exists()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert_accessible(page, "checkin-desk-outside-dates-phone")
        page.get_by_role("button", name="Check-in sớm").tap()
        page.locator("#scan-result .scan-word", has_text="OK").wait_for()
        assert "được đánh dấu sớm" in page.locator("#scan-result").inner_text()
        assert CheckIn.objects.get(event=event).timing == "early"
        assert_accessible(page, "checkin-desk-early-ok-phone")
    finally:
        phone.close()
