"""Issue #15 in a browser: the operator creates a department and invites its organizer, who signs up from the
email, creates an event, copies a template's floor plan, invites a desk user, adds a scanner and publishes. Every
new page is checked with axe-core at desktop size and at 390×844, and no page links to /admin/ for the organizer."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from booths.models import Booth
from eventsite.models import Event, EventRole, Invitation
from tests.booths.factories import BoothFactory, HallFactory
from tests.browser.conftest import assert_accessible, log_in, screenshot
from tests.factories import PASSWORD, EventFactory, UserFactory

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _link_from(live_app, email: str) -> str:
    mails = [m for m in live_app.emails() if email in m and "/invitations/" in m]
    assert mails, f"no invitation email to {email}"
    return "/invitations/" + re.search(r"/invitations/([A-Za-z0-9_-]+)/", mails[-1]).group(1) + "/"


def _no_admin_links(page) -> None:
    assert page.locator("a[href*='/admin/']").count() == 0, f"{page.url} links to /admin/"


def _check_both_sizes(page, name: str) -> None:
    assert_accessible(page, f"{name}-desktop")
    page.set_viewport_size(PHONE)
    page.reload()
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(el => el.getBoundingClientRect().right > innerWidth + 1)
        .slice(-3).map(el => el.tagName + '.' + el.className + ': ' + (el.textContent || '').trim().slice(0, 60))""")
    assert width <= PHONE["width"], f"{name} scrolls sideways on a phone ({width}px): {wide}"
    assert_accessible(page, f"{name}-phone")
    page.set_viewport_size(DESKTOP)


def test_operator_to_published_event(page, live_app):
    template = EventFactory(name="Hội nghị mẫu Cà Mau", slug="mau-ca-mau", is_template=True)
    hall = HallFactory(event=template, name="Nhà A")
    for i in range(12):
        BoothFactory(hall=hall, code=f"A-{i:02d}")
    operator = UserFactory(is_superuser=True, is_staff=True, full_name="Nguyễn Thị Phương Thảo",
                           email="quantri.nentang.ketnoi-2026@socongthuong.camau.gov.vn")
    page.set_default_timeout(30_000)  # a long journey on a shared, busy machine

    log_in(page, operator.email, PASSWORD)
    page.goto("/operator/")
    page.fill("input[name=name]", "Sở Công Thương thành phố Cần Thơ")
    page.select_option("select[name=province_code]", "92")
    page.fill("input[name=organizer_email]", "giamdoc@soct.cantho.gov.vn")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "Sở Công Thương thành phố Cần Thơ" in page.content()
    _check_both_sizes(page, "setup-operator")

    page.context.clear_cookies()
    page.goto(_link_from(live_app, "giamdoc@soct.cantho.gov.vn"))
    _check_both_sizes(page, "setup-invitation")
    page.get_by_role("button", name="Tạo tài khoản").click()
    page.wait_for_url(re.compile(r"/accounts/signup/"))
    assert page.input_value("input[name=email]") == "giamdoc@soct.cantho.gov.vn"
    page.fill("input[name=full_name]", "Lâm Thị Hạnh")
    page.fill("input[name=password1]", "Can-Tho-2027-ocop!")
    page.fill("input[name=password2]", "Can-Tho-2027-ocop!")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/invitations/"))
    page.get_by_role("button", name="Nhận lời mời").click()
    page.wait_for_url(re.compile(r"/events/new/"))
    _no_admin_links(page)
    _check_both_sizes(page, "setup-new-event")

    page.fill("input[name=name]", "Hội nghị kết nối cung cầu Sóc Trăng 2027")
    start = template.starts_at + timedelta(days=365)
    page.fill("input[name=starts_at]", f"{start:%Y-%m-%dT08:00}")
    page.fill("input[name=ends_at]", f"{start + timedelta(days=1):%Y-%m-%dT17:00}")
    page.fill("input[name=venue]", "Nhà văn hóa Sóc Trăng")
    page.fill("input[name=province_at_event]", "Sóc Trăng")
    page.select_option("select[name=province_code]", "92")
    page.get_by_role("button", name="Tạo bản nháp và tiếp tục").click()
    page.wait_for_url(re.compile(r"/e/hoi-nghi-ket-noi-cung-cau-soc-trang-2027/setup/copy/"))
    _no_admin_links(page)
    _check_both_sizes(page, "setup-copy")

    page.select_option("select[name=source]", str(template.pk))
    page.get_by_role("button", name="Sao chép", exact=True).click()
    page.wait_for_url(re.compile(r"/setup/$"))
    assert "Đã sao chép từ Hội nghị mẫu Cà Mau" in page.content()
    event = Event.objects.get(slug="hoi-nghi-ket-noi-cung-cau-soc-trang-2027")
    assert Booth.objects.filter(event=event).count() == 12
    _no_admin_links(page)
    _check_both_sizes(page, "setup-checklist")

    page.goto(f"/e/{event.slug}/team/")
    page.fill("input[name=email]", "quay@soct.cantho.gov.vn")
    page.select_option("select[name=role]", "desk_staff")
    page.get_by_role("button", name="Gửi lời mời").click()
    page.wait_for_load_state()
    assert Invitation.objects.filter(event=event, email="quay@soct.cantho.gov.vn").exists()
    _no_admin_links(page)
    _check_both_sizes(page, "setup-team")

    page.goto(f"/e/{event.slug}/devices/")
    page.fill("input[name=name]", "Máy quét cổng A")
    page.get_by_role("button", name="Thêm thiết bị").click()
    page.wait_for_load_state()
    assert page.input_value("#device-token").startswith("kn_")
    _no_admin_links(page)
    assert_accessible(page, "setup-devices-token-desktop")
    page.goto(f"/e/{event.slug}/devices/")
    _check_both_sizes(page, "setup-devices")

    page.goto(f"/e/{event.slug}/organizer/")
    _no_admin_links(page)
    _check_both_sizes(page, "setup-organizer-home")

    page.goto(f"/e/{event.slug}/")
    assert "bản nháp" in page.content()
    page.goto(f"/e/{event.slug}/setup/")
    page.get_by_role("button", name="Công bố sự kiện").click()
    page.wait_for_load_state()
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED
    assert EventRole.objects.filter(event=event, user__email="giamdoc@soct.cantho.gov.vn",
                                    role=EventRole.Role.ORGANIZER).exists()

    # The desk user accepts on a phone.
    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    page.goto(_link_from(live_app, "quay@soct.cantho.gov.vn"))
    assert "Nhân viên quầy" in page.content() or "nhân viên quầy" in page.content()
    screenshot(page, "setup-invitation-desk-phone")
