"""Booth fees in a real browser: an exhibitor on a phone (390 × 844) opens the payment page from the plan, and the
VietQR code on screen decodes to the payment's payload; the organizer uploads a statement and confirms a
proposed match. axe-core on both pages."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from booths.models import PaymentRequest, PaymentStatus
from booths.services import booking as svc
from booths.services import fees
from eventsite.models import EventRole
from tests.booths.factories import BoothFactory, HallFactory, exhibitor
from tests.factories import PASSWORD, EventFactory, user_with_role

from .conftest import assert_accessible, log_in, screenshot
from .test_booths_browser import server_login_ready

pytestmark = pytest.mark.browser
STATEMENT = Path(__file__).parent.parent / "booths" / "fixtures" / "vcb_statement.csv"


@pytest.fixture
def fair(transactional_db):
    event = EventFactory(slug="hoi-cho-ocop-ca-mau")
    fees.save_payee(event=event, bank_bin="970436", account_number="0011001234567",
                    account_name="SO CONG THUONG TINH CA MAU", pay_within_days=7)
    booth = BoothFactory(hall=HallFactory(event=event, name="Nhà A"), code="A-01", price=6_000_000)
    app = exhibitor(event, organization__name="Hợp tác xã Mật ong U Minh")
    booking = svc.reserve_booking(booking_id=svc.hold_booth(booth_id=booth.pk, application=app).pk, application=app)
    PaymentRequest.objects.filter(booking=booking).update(reference="KNAAAC34")  # the fixture's cut-short line
    server_login_ready(app.applicant)
    organizer = server_login_ready(user_with_role(event, EventRole.Role.ORGANIZER))
    return event, app, organizer


def test_exhibitor_pays_on_phone_and_organizer_reconciles(browser, live_app, fair):
    event, app, organizer = fair
    phone = browser.new_context(base_url=live_app.url, viewport={"width": 390, "height": 844},
                                device_scale_factor=2, is_mobile=True, has_touch=True)
    try:
        page = phone.new_page()
        log_in(page, app.applicant.email, PASSWORD)
        page.goto(f"/e/{event.slug}/booths/")
        page.get_by_role("link", name="KNAAAC34").click()
        page.wait_for_selector(".pay-by-qr img")
        assert page.locator(".reference").inner_text() == "KNAAAC34"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the payment page scrolls sideways ({width}px)"
        assert_accessible(page, "booth-fee-payment")
        shot = screenshot(page, "booth-fee-payment-390")
        png = page.locator(".pay-by-qr img").screenshot()
        [decoded] = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]
        assert "0208QRIBFTTA" in decoded and "0808KNAAAC34" in decoded and "54076000000" in decoded
        assert shot.exists()
    finally:
        phone.close()

    desk = browser.new_context(base_url=live_app.url, viewport={"width": 1280, "height": 900})
    try:
        page = desk.new_page()
        log_in(page, organizer.email, PASSWORD)
        page.goto(f"/e/{event.slug}/booths/manage/fees/statements/")
        page.set_input_files("input[type=file]", str(STATEMENT))
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_load_state()
        confirm = page.get_by_role("button", name="Xác nhận KNAAAC34")
        assert confirm.count() == 1
        assert_accessible(page, "booth-fee-statements")
        screenshot(page, "booth-fee-statements")
        confirm.click()
        page.wait_for_load_state()
        assert PaymentRequest.objects.get(reference="KNAAAC34").status == PaymentStatus.PAID
    finally:
        desk.close()
