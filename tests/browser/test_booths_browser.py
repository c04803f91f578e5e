"""An exhibitor books on the SVG plan; another browser sees the booth turn taken without reloading."""

from __future__ import annotations

import pytest

from eventsite.models import EventRole
from tests.booths.factories import BoothFactory, HallFactory, ZoneFactory, exhibitor
from tests.factories import PASSWORD, EventFactory, ProductFactory, user_with_role

from .conftest import assert_accessible, log_in, screenshot

pytestmark = pytest.mark.browser


def server_login_ready(user):
    """The test settings hash with MD5, which the real server does not accept: store a PBKDF2 hash
    (few iterations, it is a test) that the server process can verify."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "testsalt1234", iterations=1000)
    user.save(update_fields=["password"])
    return user


@pytest.fixture
def fair(transactional_db):
    event = EventFactory(slug="hoi-cho-ca-mau")
    hall = HallFactory(event=event, name="Nhà A – Trung tâm Hội nghị", width_m=30, depth_m=12)
    zone = ZoneFactory(hall=hall, name="Khu thực phẩm", theme_group="food")
    for i in range(8):
        BoothFactory(hall=hall, zone=zone, code=f"A-{i + 1:02d}", x=2 + i * 3, y=2)
    app = exhibitor(event, organization__name="Hợp tác xã Mật ong U Minh")
    ProductFactory(producer=app.organization, name="Mật ong rừng U Minh")
    app.products.set(app.organization.products.all())
    server_login_ready(app.applicant)
    return event, app


def test_exhibitor_books_on_plan_and_other_viewer_sees_it_live(browser, live_app, page, fair):
    event, app = fair
    plan = f"/e/{event.slug}/booths/"
    watcher_ctx = browser.new_context(base_url=live_app.url, viewport={"width": 375, "height": 800})
    try:
        watcher = watcher_ctx.new_page()
        watcher.goto(plan)
        watcher.wait_for_selector("#floorplan[data-live='1']")
        assert watcher.locator('.booth[data-code="A-03"]').get_attribute("data-status") == "free"

        log_in(page, app.applicant.email, PASSWORD)
        page.goto(plan)
        page.wait_for_selector("#floorplan[data-live='1']")
        # keyboard: Tab onto the booth and press Enter to select it
        page.locator('.booth[data-code="A-03"]').focus()
        page.keyboard.press("Enter")
        page.wait_for_selector("[data-hold-form]:not([hidden])")
        assert_accessible(page, "booths-plan-exhibitor")
        page.locator("[data-hold-form] button").click()
        page.wait_for_url("**held=A-03")
        assert page.locator('.booth[data-code="A-03"]').get_attribute("data-status") == "held"

        watcher.wait_for_selector('.booth[data-code="A-03"].st-held', timeout=10_000)
        row = watcher.locator('[data-row-for] >> text=A-03').locator("xpath=ancestor::tr")
        assert "Hợp tác xã Mật ong U Minh" in row.inner_text()
        screenshot(watcher, "booths-plan-watcher-375")
        assert_accessible(watcher, "booths-plan-public-375")
    finally:
        watcher_ctx.close()


def test_loser_sees_just_taken_and_plan_refreshes(browser, live_app, page, fair):
    event, app = fair
    rival = exhibitor(event, organization__name="Cơ sở Khô cá Đầm Dơi")
    server_login_ready(rival.applicant)
    log_in(page, rival.applicant.email, PASSWORD)
    page.goto(f"/e/{event.slug}/booths/")
    page.wait_for_selector("#floorplan[data-live='1']")
    page.locator('.booth[data-code="A-05"]').click()
    page.wait_for_selector("[data-hold-form]:not([hidden])")
    # the other exhibitor takes it first, through the same service
    from booths.models import Booth
    from booths.services.booking import hold_booth

    hold_booth(booth_id=Booth.objects.get(code="A-05").pk, application=app)
    page.locator("[data-hold-form] button").click()
    page.wait_for_selector("[data-plan-error]:not([hidden])")
    assert "A-05" in page.locator("[data-plan-error]").inner_text()
    page.wait_for_selector('.booth[data-code="A-05"].st-held')


def test_catalog_and_application_pages_are_accessible(page, fair):
    event, app = fair
    page.goto(f"/e/{event.slug}/catalog/?q=mat+ong")
    assert "Mật ong rừng U Minh" in page.content()
    assert_accessible(page, "catalog-event")
    log_in(page, app.applicant.email, PASSWORD)
    page.goto(f"/e/{event.slug}/booths/apply/")
    assert_accessible(page, "booths-application")
    page.goto(f"/e/{event.slug}/booths/apply/product/")
    assert_accessible(page, "booths-product-form")
    organizer = server_login_ready(user_with_role(event, EventRole.Role.ORGANIZER))
    page.context.clear_cookies()
    log_in(page, organizer.email, PASSWORD)
    page.goto(f"/e/{event.slug}/booths/manage/")
    assert_accessible(page, "booths-manage")
    page.goto(f"/e/{event.slug}/booths/manage/allocation/")
    page.locator("main form.inline-form button[type=submit]").click()
    page.wait_for_selector("#proposal-title")
    assert page.locator(".booth.proposed").count() == 1
    page.wait_for_selector("#floorplan[data-live='1']")  # the resync after connecting keeps the proposal text
    assert "Hợp tác xã Mật ong U Minh" in page.locator('[data-row-for]').first.inner_text()
    assert_accessible(page, "booths-allocation-proposal")
    page.goto(f"/e/{event.slug}/booths/manage/editor/")
    assert_accessible(page, "booths-editor")
    page.goto(f"/e/{event.slug}/booths/manage/applications/")
    assert_accessible(page, "booths-applications")


def test_booth_management_pages_fit_a_phone(page, fair):
    """An organizer at the venue manages booths on a phone: every booth-management page passes axe-core at 390 × 844
    (checkbox touch targets of 24 px) and nothing widens the page (wide tables scroll inside their box, hidden
    labels in their cells included)."""
    event, _app = fair
    page.set_viewport_size({"width": 390, "height": 844})
    organizer = server_login_ready(user_with_role(event, EventRole.Role.ORGANIZER))
    log_in(page, organizer.email, PASSWORD)
    for path in ("", "applications/", "fees/", "allocation/", "editor/"):
        page.goto(f"/e/{event.slug}/booths/manage/{path}")
        assert_accessible(page, f"booths-manage-{path.strip('/') or 'home'}-phone")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
