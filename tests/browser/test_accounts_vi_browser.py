"""allauth's two-factor pages in Vietnamese on a 375 px phone, in a real browser (Daphne + Chromium)."""

from __future__ import annotations

import time

import pytest
from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import call_command

from tests.browser.conftest import assert_accessible, log_in
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogs():
    call_command("compiletranslations", verbosity=0)


def fits_phone(tab) -> None:
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{tab.url} scrolls sideways on a phone ({width}px)"


def current_code(secret: str) -> str:
    """The authenticator code, taken from a period with time to spare: the server accepts only the current
    period's code, so a code typed in a period's last seconds would be refused once the page posts it."""
    period = app_settings.TOTP_PERIOD
    while period - time.time() % period < 8:  # wait for the next period rather than race its start
        time.sleep(period - time.time() % period + 0.1)
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def test_two_factor_setup_on_a_phone_is_vietnamese_and_fits(page, live_app):
    user = UserFactory(email="lan@socongthuong.camau.gov.vn")
    # The server runs the real settings, which do not accept the test suite's MD5 hashes.
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "kn0isalt2026", iterations=1000)
    user.save(update_fields=["password"])
    page.set_viewport_size({"width": 375, "height": 800})
    log_in(page, user.email, PASSWORD)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    page.goto("/accounts/2fa/")
    assert page.locator("h1").first.inner_text() == "Xác thực hai lớp"
    assert "Chưa bật ứng dụng xác thực." in page.locator("main").inner_text()
    fits_phone(page)
    assert_accessible(page, "mfa-index-vi-phone")

    page.goto("/accounts/2fa/totp/activate/")
    if "/reauthenticate/" in page.url:
        assert page.locator("h1").first.inner_text() == "Xác nhận quyền truy cập"
        page.fill("input[name=password]", PASSWORD)
        page.locator("main button[type=submit]").click()
        page.wait_for_url("**/2fa/totp/activate/")
    assert page.locator("h1").first.inner_text() == "Bật ứng dụng xác thực"
    secret_box = page.locator("#authenticator_secret")
    clipped = secret_box.evaluate("el => el.scrollWidth > el.clientWidth")
    assert not clipped, "the authenticator secret is cut off on a phone"
    fits_phone(page)
    assert_accessible(page, "mfa-totp-activate-vi-phone")

    secret = secret_box.input_value()
    page.fill("input[name=code]", current_code(secret))
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/2fa/recovery-codes/")
    text = page.locator("main").inner_text()
    assert "Đã bật ứng dụng xác thực." in text
    assert "Còn 10/10 mã khôi phục chưa sử dụng." in text
    fits_phone(page)
    assert_accessible(page, "mfa-recovery-codes-vi-phone")
