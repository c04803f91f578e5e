"""A person who trips a rate limit sees a clear, translated, accessible page (not a bare 429)."""

from __future__ import annotations

import pytest

from tests.asgi_server import asgi_server
from tests.browser.conftest import assert_accessible
from tests.factories import EventFactory
from tests.registration.factories import RegistrationSettingsFactory

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_signup_flood_gets_a_clear_vietnamese_page(browser):
    event = EventFactory(slug="gioi-han-dang-ky", name="Hội chợ OCOP Đồng Tháp")
    RegistrationSettingsFactory(event=event)
    with asgi_server(extra_env={"KETNOI_RATE_LIMITS": "registration=1/h"}) as server:
        context = browser.new_context(base_url=server.url, viewport={"width": 375, "height": 800}, locale="vi-VN")
        try:
            page = context.new_page()
            page.goto(f"/e/{event.slug}/register/")
            page.locator("form.signup-form [type=submit]").click()  # counted (and refused by the form)
            page.wait_for_load_state()
            page.locator("form.signup-form [type=submit]").click()  # over the limit
            page.wait_for_selector("h1:has-text('Vui lòng chậm lại')")
            assert "Vui lòng đợi" in page.locator("[role=alert]:not(#request-status)").inner_text()
            assert_accessible(page, "rate-limited-page")
        finally:
            context.close()
