"""First journey: sign up, verify the email from the outbox, log in, switch language, reach organizer home."""

from __future__ import annotations

import re

import pytest

from eventsite.models import EventRole, User
from tests.browser.conftest import assert_accessible, log_in, screenshot
from tests.factories import EventFactory

pytestmark = pytest.mark.browser


def test_signup_verify_login_switch_language_organizer_home(page, live_app):
    event = EventFactory(slug="ca-mau-browser", name="Hội nghị kết nối cung cầu Cà Mau")
    page.goto("/accounts/signup/")
    assert_accessible(page, "signup")
    page.fill("input[name=full_name]", "Nguyễn Thị Xa")
    page.fill("input[name=email]", "xa@socongthuong.camau.gov.vn")
    page.fill("input[name=password1]", "Ca-Mau-2026-ocop!")
    page.fill("input[name=password2]", "Ca-Mau-2026-ocop!")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/"))

    mails = [m for m in live_app.emails() if "xa@socongthuong.camau.gov.vn" in m]
    assert mails, "no verification email in the outbox"
    link = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+/", mails[-1]).group(0)
    page.goto(link.split("/accounts/", 1)[1].join(["/accounts/", ""]))
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()

    user = User.objects.get(email="xa@socongthuong.camau.gov.vn")
    assert user.full_name == "Nguyễn Thị Xa"
    assert user.emailaddress_set.get().verified

    # The organizer role is granted by an administrator; then the person logs in afresh.
    EventRole.objects.create(event=event, user=user, role=EventRole.Role.ORGANIZER)
    page.context.clear_cookies()
    log_in(page, "xa@socongthuong.camau.gov.vn", "Ca-Mau-2026-ocop!")
    page.goto(f"/e/{event.slug}/organizer/")
    assert page.locator("h1").inner_text() == "Trang ban tổ chức"
    assert page.locator("html").get_attribute("lang") == "vi"
    assert_accessible(page, "organizer-home-vi")

    page.select_option("#language-select", "en")
    page.locator(".language-form button").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Organizer home"
    assert "Nguyễn Thị Xa" in page.locator("header").inner_text() or "Xa" in page.locator("header").inner_text()
    screenshot(page, "organizer-home-en")


def test_home_on_phone_is_accessible(page, live_app):
    EventFactory(name="Hội nghị kết nối cung cầu sản phẩm OCOP Đầm Dơi")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/")
    assert "Đầm Dơi" in page.content()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page scrolls sideways on a phone ({width}px)"
    assert_accessible(page, "home-phone")
