"""An HTMX action refused by the server (429 rate limit, here) says so in a live region instead of silently doing
nothing; the organizer's background export meanwhile shows progress and offers the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.asgi_server import asgi_server
from tests.browser.conftest import STEP_TIMEOUT_MS, assert_accessible, log_in, screenshot
from tests.browser.test_registration_browser import PASSWORD, organizer_for
from tests.factories import EventFactory
from tests.registration.factories import RegistrationFactory, RegistrationSettingsFactory

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_export_job_then_rate_limited_click_shows_a_clear_message(browser):
    event = EventFactory(slug="gioi-han-xuat", name="Hội chợ OCOP Bến Tre")
    RegistrationSettingsFactory(event=event)
    for name in ("Trần Văn Ơn", "Nguyễn Thị Định"):
        RegistrationFactory(event=event, full_name=name)
    organizer = organizer_for(event)
    with asgi_server(extra_env={"KETNOI_RATE_LIMITS": "report=1/h"}) as server:
        context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900}, locale="vi-VN")
        context.set_default_timeout(STEP_TIMEOUT_MS)
        try:
            page = context.new_page()
            violations: list[str] = []
            page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
            log_in(page, organizer.email, PASSWORD)
            page.goto(f"/e/{event.slug}/registrations/")
            export = page.locator("form.report-start:has(input[value=registrations_csv]) button")
            status = page.locator("#request-status")
            assert status.inner_text().strip() == ""  # the live region is there, empty

            export.click()  # within the limit: the job's progress appears and, when done, its download link
            download_link = page.locator("#report-jobs a[role=button]", has_text="Tải xuống")
            download_link.wait_for()
            with page.expect_download() as info:
                download_link.click()
            assert info.value.suggested_filename.startswith("registrations-gioi-han-xuat-")
            assert "Nguyễn Thị Định" in Path(info.value.path()).read_text(encoding="utf-8-sig")

            export.click()  # over the limit: 429, which HTMX does not swap in
            message = status.locator("[role=alert], p.message")
            message.wait_for()
            text = status.inner_text()
            assert "Lỗi:" in text and "Vui lòng đợi" in text, text  # words, not only a red border
            assert status.get_attribute("role") == "alert"
            assert page.locator("#report-jobs article").count() == 1  # nothing else started
            assert_accessible(page, "htmx-rate-limited")
            screenshot(page, "htmx-rate-limited")

            status.get_by_role("button", name="Đóng").click()
            assert status.inner_text().strip() == ""
            assert not violations, violations
        finally:
            context.close()
