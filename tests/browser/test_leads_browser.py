"""Issue 19 in a browser, on a phone (390×844): booth staff scan two buyers by typing their codes (one consented
to share contact details, one did not) and see the right details for each, add a note, lose the network, scan a
third (checked on the phone with the event's key), get the network back; the lead list holds three leads once
each. The exhibitor exports them and proposes a B2B meeting to one. axe-core on every page."""

from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook

from leads.models import Lead, LeadScan
from matchmaking.models import MeetingRequest
from tests.browser.conftest import STEP_TIMEOUT_MS, assert_accessible, log_in, screenshot
from tests.factories import PASSWORD, EventFactory, user_with_role
from tests.leads.setup import make_buyer, make_fair

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def type_code(page, code: str) -> str:
    page.evaluate("document.getElementById('lead-result').replaceChildren()")
    page.locator("#lead-code").fill(code)
    page.locator("#lead-code").press("Enter")
    box = page.locator("#lead-result .scan-result")
    box.wait_for()
    return box.inner_text()


def test_booth_staff_scan_online_and_offline_then_exhibitor_exports_and_proposes(page, context, live_app):
    fair = make_fair(EventFactory(slug="hoi-cho-ocop-leads", name="Hội chợ OCOP Cà Mau"))
    consented, code1 = make_buyer(fair.event, 1, consent=True)
    private, code2 = make_buyer(fair.event, 2, consent=False)
    third, code3 = make_buyer(fair.event, 3, consent=True)
    page.set_viewport_size(PHONE)
    scan_url = f"/e/{fair.event.slug}/leads/scan/"

    log_in(page, fair.staff.email, PASSWORD)
    page.goto(scan_url)
    page.locator("#lead-scan[data-ready='1']").wait_for()
    assert_accessible(page, "leads-scan-phone")

    shown = type_code(page, code1)
    assert consented.full_name in shown and consented.email in shown and consented.phone in shown
    shown = type_code(page, code2)
    assert private.full_name in shown and private.company in shown and "Chuỗi siêu thị" in shown
    assert private.email not in shown and private.phone not in shown
    assert "Không chia sẻ thông tin liên hệ" in shown
    assert_accessible(page, "leads-scan-result-phone")

    # A note on the first lead's card.
    page.goto(scan_url)
    page.locator("#lead-recent a", has_text=consented.full_name).click()
    page.get_by_label("Ghi chú").fill("Muốn đặt 2 tấn mật ong mỗi tháng")
    page.get_by_label("Mức quan tâm").select_option("high")
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.locator(".messages, [role=status], main", has_text="Đã lưu thông tin khách").first.wait_for()
    assert_accessible(page, "leads-card-phone")
    assert Lead.objects.get(registration=consented).note == "Muốn đặt 2 tấn mật ong mỗi tháng"

    # Offline: the third scan is checked on the phone and kept until the network is back.
    page.goto(scan_url)
    page.locator("#lead-scan[data-ready='1']").wait_for()
    assert page.evaluate("""async () => {
        await navigator.serviceWorker.ready;
        for (let i = 0; i < 100 && !navigator.serviceWorker.controller; i += 1) {
            await new Promise((r) => setTimeout(r, 50));
        }
        return Boolean(navigator.serviceWorker.controller) && (await caches.keys()).length > 0;
    }""")
    context.set_offline(True)
    page.locator("#lead-scan[data-online='0']").wait_for()
    shown = type_code(page, code3)
    assert "Đã lưu trên điện thoại" in shown and third.full_name not in shown
    page.locator("#lead-scan[data-queued='1']").wait_for()
    screenshot(page, "leads-scan-offline-phone")
    page.reload()  # the service worker serves the page without a network; the scan is still queued
    page.locator("#lead-scan[data-ready='1'][data-queued='1']").wait_for()
    assert Lead.objects.filter(event=fair.event).count() == 2
    context.set_offline(False)
    page.locator("#lead-scan[data-queued='0']").wait_for(timeout=STEP_TIMEOUT_MS)
    page.locator("#lead-recent a", has_text=third.full_name).wait_for()
    assert Lead.objects.filter(event=fair.event).count() == 3
    assert LeadScan.objects.filter(booth=fair.booth, offline=True).count() == 1
    page.evaluate("async () => { const r = await fetch(location.href); return r.status; }")  # still served

    page.goto(f"/e/{fair.event.slug}/leads/")
    items = page.locator("#lead-list .lead-item")
    assert items.count() == 3
    names = items.all_inner_texts()
    for reg in (consented, private, third):
        assert sum(reg.full_name in text for text in names) == 1
    assert_accessible(page, "leads-list-staff-phone")

    # The exhibitor exports the leads and proposes a meeting to the buyer who did not share details.
    context.clear_cookies()
    log_in(page, fair.owner.email, PASSWORD)
    page.goto(f"/e/{fair.event.slug}/leads/")
    assert page.locator("#lead-list .lead-item").count() == 3
    assert_accessible(page, "leads-list-exhibitor-phone")
    with page.expect_download() as download:
        page.get_by_role("button", name="Xuất XLSX").click()
    with open(download.value.path(), "rb") as fh:
        rows = list(load_workbook(fh).active.iter_rows(values_only=True))
    assert len(rows) == 4
    by_name = {row[1]: row for row in rows[1:]}
    assert set(by_name) == {consented.full_name, private.full_name, third.full_name}
    assert by_name[consented.full_name][4] == consented.email and by_name[private.full_name][4] in (None, "")
    assert by_name[consented.full_name][9] == "Muốn đặt 2 tấn mật ong mỗi tháng"

    page.locator("#lead-list a", has_text=private.full_name).click()
    page.get_by_label("Lời nhắn tới người mua").fill("Mời anh chị gặp để thử mật ong rừng U Minh")
    page.get_by_role("button", name="Đề nghị gặp B2B").click()
    page.locator("main", has_text=re.compile("Đã gửi đề nghị gặp tới")).wait_for()
    assert_accessible(page, "leads-card-exhibitor-phone")
    request = MeetingRequest.objects.get(event=fair.event)
    assert (request.producer_id, request.buyer_id) == (fair.org.pk, private.organization_id)

    # The organizer sees figures and the floor plan's heat, no one's details.
    context.clear_cookies()
    organizer = user_with_role(fair.event, "organizer")
    log_in(page, organizer.email, PASSWORD)
    page.goto(f"/e/{fair.event.slug}/leads/report/")
    assert page.locator(".heat-hall svg text", has_text=fair.booth.code).count() == 1
    text = page.locator("main").inner_text()
    assert consented.full_name not in text and consented.email not in text
    assert_accessible(page, "leads-report-phone")

    # The buyer who shared details sees who scanned them and withdraws; the booth no longer sees them.
    context.clear_cookies()
    log_in(page, consented.user.email, PASSWORD)
    page.goto(f"/e/{fair.event.slug}/leads/me/")
    assert fair.booth.code in page.locator("main").inner_text()
    page.get_by_label("Tôi đồng ý chia sẻ thông tin liên hệ").uncheck()
    page.get_by_role("button", name="Lưu lựa chọn").click()
    page.locator("main", has_text="Đã lưu lựa chọn của bạn").wait_for()
    assert_accessible(page, "leads-mine-phone")
    consented.refresh_from_db()
    assert consented.contact_shared is False
