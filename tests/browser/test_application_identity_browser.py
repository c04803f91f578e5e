"""On a phone (390×844): the exhibitor sees its pending change of name and a certificate warning; the organizer
reads the note and approves the change on the applications page."""

from __future__ import annotations

from datetime import date

import pytest

from booths.models import ApplicationStatus
from booths.services import applications as app_svc
from eventsite.models import EventRole, Organization
from tests.booths.factories import ApplicationFactory
from tests.factories import DAY2, PASSWORD, EventFactory, ProductFactory, user_with_role

from .conftest import assert_accessible, log_in
from .test_booths_browser import server_login_ready

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def applied(transactional_db):
    event = EventFactory(slug="hoi-cho-ca-mau")
    app = ApplicationFactory(event=event, status=ApplicationStatus.SUBMITTED, note="Cần ổ điện cho tủ mát.",
                             organization__name="Hợp tác xã Mật ong U Minh", organization__kind="cooperative")
    product = ProductFactory(producer=app.organization, name="Mật ong rừng U Minh",
                             certificate_issued_on=date(2023, 12, 10), certificate_expires_on=DAY2.date())
    app.products.add(product)
    organizer = server_login_ready(user_with_role(event, EventRole.Role.ORGANIZER))
    app_svc.approve_application(application=app, by_user=organizer)
    app_svc.change_organization_identity(organization=app.organization, application=app, user=app.applicant,
                                         name="Công ty Mật ong Cà Mau", kind="enterprise",
                                         tax_code=app.organization.tax_code)
    server_login_ready(app.applicant)
    return event, app, product, organizer


def test_pending_change_and_certificate_warning_on_a_phone(page, applied):
    event, app, product, organizer = applied
    page.set_viewport_size(PHONE)
    page.set_default_timeout(60_000)  # 2 cores shared by many jobs: wait for the page, not a fixed time
    log_in(page, app.applicant.email, PASSWORD)
    page.goto(f"/e/{event.slug}/booths/apply/")
    notice = page.locator("main .message-info")
    assert "Công ty Mật ong Cà Mau" in notice.inner_text()
    assert page.locator("#id_org_name").input_value() == "Công ty Mật ong Cà Mau"
    assert "trước khi sự kiện kết thúc" in page.locator(".product-edit-links").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page, "phone-application-pending-change")
    page.goto(f"/e/{event.slug}/booths/apply/product/{product.pk}/")
    assert f"{DAY2:%d/%m/%Y}" in page.locator("main .message-warning").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page, "phone-product-certificate-warning")

    page.context.clear_cookies()
    log_in(page, organizer.email, PASSWORD)
    page.goto(f"/e/{event.slug}/booths/manage/applications/")
    assert "Cần ổ điện cho tủ mát." in page.locator("main table").inner_text()
    assert_accessible(page, "phone-organizer-applications-pending-change")
    page.locator(".identity-revision button").first.click()
    page.wait_for_load_state()
    assert page.locator(".identity-revision").count() == 0
    assert Organization.objects.get(pk=app.organization_id).name == "Công ty Mật ong Cà Mau"
