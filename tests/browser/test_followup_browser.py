"""After the handshake: a verified agreement's check point falls due, the job emails both parties a link, one
reports orders on a phone without logging in, the link cannot be used twice, the organizer sees the result and the
other party's silence."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from agreements.models import AgreementParty
from agreements.services import PartyData, create_agreement
from eventsite.models import EventRole
from tests.agreements.factories import data, producer, retailer
from tests.agreements.followup_helpers import signed_days_ago
from tests.asgi_server import BASE_DIR, database_env
from tests.browser.conftest import assert_accessible, screenshot
from tests.browser.test_agreements_browser import sign_in
from tests.factories import EventFactory, EventRoleFactory, UserFactory

pytestmark = pytest.mark.browser
Role = AgreementParty.Role
LINK = r"(/e/[\w-]+/agreements/follow-through/report/[A-Za-z0-9_-]{43}/)"


def run_job(live_app) -> str:
    """``manage.py followup_due`` as cron runs it, against the test database and the server's mail folder."""
    env = {**os.environ, **database_env(), "DJANGO_SETTINGS_MODULE": "eventsite.server_test_settings",
           "EMAIL_FILE_PATH": str(live_app.mail_dir)}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    done = subprocess.run([sys.executable, "manage.py", "followup_due", "--site", live_app.url], cwd=BASE_DIR,
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def link_for(live_app, email: str) -> str:
    for message in live_app.emails():
        for part in message.split("\n" + "-" * 79 + "\n"):
            if re.search(rf"^To: {re.escape(email)}$", part, re.M):
                found = re.search(LINK, part)
                if found:
                    return found.group(1)
    raise AssertionError(f"no follow-through link was mailed to {email}")


def test_follow_through_from_due_check_point_to_dashboard(page, browser, context, live_app):
    event = EventFactory(slug="theo-doi-browser", name="Hội nghị kết nối cung cầu Sóc Trăng")
    boss = UserFactory(email="btc@soctrang.vn")
    EventRoleFactory(event=event, user=boss, role=EventRole.Role.ORGANIZER, organization=event.organizer)
    seller, buyer = producer(name="HTX Mỹ Xuyên"), retailer(name="Siêu thị Tứ Sơn")
    exhibitor = UserFactory(email="htx@myxuyen.vn")
    EventRoleFactory(event=event, user=exhibitor, role=EventRole.Role.EXHIBITOR, organization=seller)
    # Signed at the event 40 days ago, entered by the cooperative: it waits for the organizer's verification.
    agreement = create_agreement(event=event, actor=exhibitor, submitted_by_org=seller, allow_duplicate=True, data=data(
        title="Cung ứng gạo ST25", value=400_000_000, signed_at=signed_days_ago(40), parties=[
            PartyData(seller, Role.SELLER, "Lâm Văn Tỷ", "Giám đốc", contact_email="ban-hang@myxuyen.vn"),
            PartyData(buyer, Role.BUYER, contact_email="thu-mua@tuson.vn")]))
    assert agreement.verification == "submitted"

    sign_in(context, live_app, boss)
    page.goto(agreement.get_absolute_url())
    page.get_by_role("button", name="Xác minh").click()
    expect(page.locator("main")).to_contain_text("Đã xác minh")

    assert "2 new, 2 handed" in run_job(live_app)
    assert "0 new, 0 handed" in run_job(live_app)  # idempotent: nothing is sent twice
    buyer_link = link_for(live_app, "thu-mua@tuson.vn")
    link_for(live_app, "ban-hang@myxuyen.vn")  # the seller was asked too

    phone = browser.new_context(base_url=live_app.url, viewport={"width": 390, "height": 844}, locale="vi-VN",
                                is_mobile=True, has_touch=True)
    try:
        tab = phone.new_page()
        tab.goto(buyer_link)
        expect(tab.get_by_role("heading", level=1)).to_have_text("Biên bản này được thực hiện thế nào?")
        expect(tab.locator("main")).to_contain_text("Siêu thị Tứ Sơn")
        assert tab.evaluate("document.documentElement.scrollWidth") <= 390
        assert_accessible(tab, "followup-report-phone")
        tab.get_by_label("Đã có đơn hàng").check()
        tab.get_by_label("Sản lượng đã đặt hàng đến nay").fill("12 tấn")
        tab.get_by_label("Giá trị đã đặt hàng đến nay (VNĐ)").fill("250000000")
        tab.select_option("#id_listing_1_channel", "store_chain")
        tab.fill("#id_listing_1_name", "Siêu thị Tứ Sơn Sóc Trăng")
        tab.get_by_role("button", name="Gửi báo cáo").click()
        expect(tab.get_by_role("heading", level=1)).to_have_text(
            "Xin cảm ơn: báo cáo tình hình thực hiện đã được lưu.")
        assert_accessible(tab, "followup-report-thanks-phone")
        # the same link again: refused with a clear page, nothing written twice
        again = tab.goto(buyer_link)
        assert again.status == 410
        expect(tab.locator("main")).to_contain_text("Đường dẫn này đã được dùng")
        assert_accessible(tab, "followup-link-used-phone")
    finally:
        phone.close()

    page.goto(f"/e/{event.slug}/agreements/follow-through/")
    expect(page.locator("#followup-implemented")).to_contain_text("1 / 1")
    expect(page.locator("#followup-realized")).to_contain_text("250.000.000")
    silent = page.locator("#followup-attention")
    expect(silent).to_contain_text("HTX Mỹ Xuyên")
    expect(silent).to_contain_text("ban-hang@myxuyen.vn")
    expect(silent).to_contain_text("Chưa trả lời")
    expect(silent).not_to_contain_text("Siêu thị Tứ Sơn")
    expect(page.locator("#followup-kind")).to_contain_text("100%")
    page.get_by_label("Ngày gọi điện").first.fill(signed_days_ago(0).date().isoformat())
    page.get_by_label("Ghi chú cuộc gọi").first.fill("HTX hẹn gửi báo cáo tuần sau")
    page.get_by_role("button", name="Lưu cuộc gọi").first.click()
    expect(silent).to_contain_text("HTX hẹn gửi báo cáo tuần sau")
    assert_accessible(page, "followup-dashboard")
    screenshot(page, "followup-dashboard-full")
