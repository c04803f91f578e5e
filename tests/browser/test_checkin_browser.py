"""Badge to door: download the badge PDF as the attendee, decode its QR from the rendered page, type it into the
desk as a keyboard-wedge scanner would, see OK then ALREADY CHECKED IN, while the organizer dashboard counts up
over its websocket without a reload."""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

import pytest
import zxingcpp
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from PIL import Image

from eventsite.models import EventRole
from tests.browser.conftest import STEP_TIMEOUT_MS, assert_accessible, log_in, screenshot
from tests.factories import PASSWORD, EventFactory, UserFactory, user_with_role
from tests.registration.factories_checkin import CheckinRegistrationFactory

pytestmark = pytest.mark.browser


class _QuickPBKDF2(PBKDF2PasswordHasher):
    iterations = 1000


def server_login_ready(user):
    """The test settings hash with MD5, which the Daphne child (production settings) cannot check: store a
    PBKDF2 hash it understands (few iterations; the server upgrades it on first login)."""
    user.password = _QuickPBKDF2().encode(PASSWORD, _QuickPBKDF2().salt())
    user.save(update_fields=["password"])
    return user


def decode_pdf_qr(data: bytes) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "badge.pdf"
        path.write_bytes(data)
        png = subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(path)],
                             capture_output=True, check=True).stdout
    results = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]
    assert len(results) == 1, results
    return results[0]


def test_badge_scan_ok_then_already_while_dashboard_counts_live(browser, live_app, transactional_db):
    event = EventFactory(slug="ca-mau-checkin", name="Hội nghị kết nối cung cầu OCOP Cà Mau")
    attendee = server_login_ready(UserFactory(full_name="Lê Hoàng Phúc"))
    registration = CheckinRegistrationFactory(event=event, user=attendee, full_name="Lê Hoàng Phúc",
                                              company="Co.opmart Cà Mau")
    CheckinRegistrationFactory(event=event)  # a second registered person: the count reads 0 / 2
    desk_user = server_login_ready(user_with_role(event, EventRole.Role.DESK_STAFF))
    organizer = server_login_ready(user_with_role(event, EventRole.Role.ORGANIZER))

    csp_violations: list[str] = []

    def new_page():
        ctx = browser.new_context(base_url=live_app.url, viewport={"width": 1280, "height": 900}, locale="vi-VN")
        ctx.set_default_timeout(STEP_TIMEOUT_MS)
        tab = ctx.new_page()
        tab.on("console", lambda m: csp_violations.append(m.text) if "Content Security Policy" in m.text else None)
        return ctx, tab

    contexts = []
    try:
        # 1. The attendee downloads the badge.
        ctx, attendee_page = new_page()
        contexts.append(ctx)
        log_in(attendee_page, attendee.email, PASSWORD)
        response = attendee_page.request.get(f"/e/{event.slug}/registrations/{registration.pk}/badge.pdf")
        assert response.status == 200 and response.headers["content-type"] == "application/pdf"
        code = decode_pdf_qr(response.body())

        # 2. The organizer opens the dashboard.
        ctx, dash = new_page()
        contexts.append(ctx)
        log_in(dash, organizer.email, PASSWORD)
        dash.goto(f"/e/{event.slug}/checkin/")
        dash.locator("body[data-live='open']").wait_for()  # not wait_for_function: CSP forbids its eval
        assert dash.locator("#checked-in-total").inner_text() == "0"
        assert dash.locator("#registered-total").inner_text() == "2"
        assert_accessible(dash, "checkin-dashboard")

        # 3. The desk scans it (a scanner types the code, then Enter).
        ctx, desk = new_page()
        contexts.append(ctx)
        log_in(desk, desk_user.email, PASSWORD)
        desk.goto(f"/e/{event.slug}/desk/?gate=Cổng A")
        assert_accessible(desk, "checkin-desk")
        assert desk.evaluate("document.activeElement.id") == "scan-code"
        desk.keyboard.type(code)
        desk.keyboard.press("Enter")
        result = desk.locator("#scan-result .scan-word")
        result.filter(has_text="OK").wait_for()
        assert "Lê Hoàng Phúc" in desk.locator("#scan-result").inner_text()
        screenshot(desk, "checkin-desk-ok")

        # The dashboard counted it without reloading.
        dash.locator("#checked-in-total", has_text="1").wait_for()
        dash.locator("#checkin-counts", has_text="Cổng A").wait_for()

        # 4. Scanning again: ALREADY CHECKED IN, with the gate; focus is back in the scan field.
        assert desk.evaluate("document.activeElement.id") == "scan-code"
        desk.keyboard.type(code)
        desk.keyboard.press("Enter")
        desk.locator("#scan-result .scan-word", has_text="ĐÃ CHECK-IN").wait_for()
        assert "Cổng A" in desk.locator("#scan-result").inner_text()
        assert_accessible(desk, "checkin-desk-already")
        assert dash.locator("#checked-in-total").inner_text() == "1"

        # 5. Undo from the desk: the dashboard goes back down.
        desk.get_by_role("button", name="Hoàn tác lượt check-in gần nhất").click()
        desk.locator("#scan-result .scan-word", has_text="ĐÃ HOÀN TÁC").wait_for()
        dash.locator("#checked-in-total", has_text="0").wait_for()

        # 6. Lost badge: lookup without tone marks, check in by click.
        desk.fill("#lookup-q", "le hoang phuc")
        desk.locator("#lookup-form button").click()
        desk.get_by_role("button", name="Check-in cho Lê Hoàng Phúc").click()
        desk.locator("#scan-result .scan-word", has_text="OK").wait_for()
        dash.locator("#checked-in-total", has_text="1").wait_for()

        # 7. Garbage from a scanner: a clear INVALID.
        desk.locator("#scan-code").focus()
        desk.keyboard.type("HELLO-WORLD")
        desk.keyboard.press("Enter")
        desk.locator("#scan-result .scan-word", has_text="KHÔNG HỢP LỆ").wait_for()
        assert not csp_violations, csp_violations
    finally:
        for ctx in contexts:
            ctx.close()


def test_desk_on_phone_is_accessible(page, live_app):
    event = EventFactory(slug="ca-mau-desk-phone")
    desk_user = server_login_ready(user_with_role(event, EventRole.Role.DESK_STAFF))
    page.set_viewport_size({"width": 375, "height": 800})
    log_in(page, desk_user.email, PASSWORD)
    page.goto(f"/e/{event.slug}/desk/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page, "checkin-desk-phone")


def test_print_badges_page_shows_progress_then_download(page, live_app):
    event = EventFactory(slug="ca-mau-print")
    for _ in range(10):
        CheckinRegistrationFactory(event=event)
    organizer = server_login_ready(user_with_role(event, EventRole.Role.ORGANIZER))
    log_in(page, organizer.email, PASSWORD)
    page.goto(f"/e/{event.slug}/badges/")
    assert_accessible(page, "badge-print")
    page.get_by_role("button", name="Tạo PDF").click()
    download = page.get_by_role("button", name="Tải PDF")
    download.wait_for(timeout=30_000)  # HTMX polls the job until it is done
    assert "10 trên 10 thẻ" in page.locator(".job-progress").first.inner_text()
    with page.expect_download() as info:
        download.click()
    assert info.value.suggested_filename.endswith(".pdf")
    assert_accessible(page, "badge-print-done")
