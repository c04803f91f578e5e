"""Signing ceremony: an organizer enters an agreement in the fast form; the big-screen counter goes up live."""

from __future__ import annotations

import re

import pytest
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import expect

from agenda.models import Session
from agreements.models import Agreement
from eventsite.activity import history_of
from eventsite.models import EventRole, Organization
from registration.models import Registration, RegistrationStatus
from tests.agenda.factories import SessionFactory
from tests.agreements.factories import agreement, dept, member, producer, retailer
from tests.browser.conftest import assert_accessible, screenshot
from tests.factories import EventFactory, EventRoleFactory, UserFactory

pytestmark = pytest.mark.browser


def sign_in(context, live_app, user) -> None:
    """Open a session in the shared test database and hand its cookie to the browser."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_app.url}])


def delegation(event, org):
    """``org`` takes part in ``event``: one of its people registered and was approved."""
    Registration.objects.create(event=event, organization=org, full_name="Đại diện đoàn", company=org.name,
                                phone="0290 3821 000", email=f"doan{org.pk}@example.vn",
                                status=RegistrationStatus.APPROVED)
    return org


def test_fast_entry_bumps_the_live_counter(page, context, live_app):
    event = EventFactory(slug="ky-ket-browser", name="Hội nghị kết nối cung cầu Sóc Trăng")
    user = UserFactory(email="btc@soct.vn")
    EventRoleFactory(event=event, user=user, role=EventRole.Role.ORGANIZER, organization=event.organizer)
    # The party search offers this event's organizations: the delegations are registered for it.
    delegation(event, dept(92, name="Sở Công Thương tỉnh Sóc Trăng"))
    delegation(event, dept(79, name="Sở Công Thương Thành phố Hồ Chí Minh"))
    agreement(event, buyer=retailer(name="Siêu thị Tứ Sơn"), value=300_000_000)
    witness = delegation(event, dept(96, name="Ủy ban nhân dân tỉnh Cà Mau"))
    ceremony = SessionFactory(event=event, title="Lễ ký kết hợp tác", type=Session.Type.SIGNING)
    SessionFactory(event=event, title="Hội thảo xúc tiến", type=Session.Type.PANEL)

    counter = context.new_page()
    counter.goto(f"/e/{event.slug}/agreements/counter/")
    counter.wait_for_selector("[data-live='1']")
    assert counter.locator("[data-count=total]").inner_text() == "1"
    assert_accessible(counter, "agreements-counter")

    sign_in(context, live_app, user)  # the login form has its own browser test; skip PBKDF2 here
    page.goto(f"/e/{event.slug}/agreements/new/")
    page.select_option("#id_kind", "dept_dept")
    page.fill("#id_title", "Hợp tác phát triển thương mại giữa Sóc Trăng và TP. Hồ Chí Minh")
    page.fill("#id_parties-0-q", "soc trang")  # no tone marks
    page.wait_for_selector("#id_parties-0-organization option:has-text('Sở Công Thương tỉnh Sóc Trăng')",
                           state="attached")
    page.select_option("#id_parties-0-role", "government")
    page.fill("#id_parties-1-q", "ho chi minh")
    page.wait_for_selector("#id_parties-1-organization option:has-text('Thành phố Hồ Chí Minh')", state="attached")
    page.select_option("#id_parties-1-role", "government")
    page.fill("#id_parties-0-signatories-0-name", "Võ Văn Chiêu")
    page.select_option("#id_ceremony_session", str(ceremony.pk))
    assert "Lễ ký kết hợp tác" in page.locator("#id_ceremony_session option:checked").inner_text()
    # a third party: "Add a party" brings a new row (HTMX) and keeps everything typed so far
    page.get_by_role("button", name="+ Thêm một bên").click()
    expect(page.locator("#id_parties-2-q")).to_be_focused()
    assert page.locator("#id_parties-0-signatories-0-name").input_value() == "Võ Văn Chiêu"
    assert page.locator("#id_parties-0-organization option:checked").inner_text() == "Sở Công Thương tỉnh Sóc Trăng"
    page.fill("#id_parties-2-q", "uy ban ca mau")
    page.wait_for_selector("#id_parties-2-organization option:has-text('Ủy ban nhân dân tỉnh Cà Mau')",
                           state="attached")
    page.select_option("#id_parties-2-role", "witness")
    assert page.locator("#id_title").input_value().startswith("Hợp tác phát triển thương mại")
    assert_accessible(page, "agreements-form")
    screenshot(page, "agreements-form-three-parties")
    page.locator("button[name=add_another]").click()
    page.wait_for_url(re.compile(r"/agreements/new/\?"))
    assert page.locator("#id_kind").input_value() == "dept_dept"  # ready for the next one
    assert page.locator("#id_ceremony_session").input_value() == str(ceremony.pk)  # same ceremony preset

    expect(counter.locator("[data-count=total]")).to_have_text("2")  # no reload: pushed over the websocket
    expect(counter.locator("[data-count='kind-dept_dept']")).to_have_text("1")
    screenshot(counter, "agreements-counter-after")
    a = Agreement.objects.get(kind="dept_dept")
    assert history_of(a).get().actor == user and a.parties.count() == 3
    assert a.ceremony_session == ceremony and a.parties.get(organization=witness).role == "witness"

    page.goto(f"/e/{event.slug}/agreements/")
    assert_accessible(page, "agreements-list")
    page.goto(f"/e/{event.slug}/agreements/tally/")
    assert_accessible(page, "agreements-dashboard")
    page.goto(f"/e/{event.slug}/agreements/{a.pk}/")
    screenshot(page, "agreements-detail")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"/e/{event.slug}/agreements/new/")
    screenshot(page, "agreements-form-375")


def test_exhibitor_adds_an_unverified_partner_on_a_phone_and_the_organizer_confirms_it(page, context, live_app):
    event = EventFactory(slug="doi-tac-moi", name="Hội chợ OCOP Cà Mau")
    own = producer(name="HTX Tôm Khô Rạch Gốc")
    exhibitor = member(event, EventRole.Role.EXHIBITOR, own)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(context, live_app, exhibitor)
    page.goto(f"/e/{event.slug}/agreements/new/")
    page.select_option("#id_kind", "biz_distributor")
    page.fill("#id_title", "Cung ứng tôm khô cho đại lý mới")
    page.locator("details.quick-org summary").click()
    page.fill("#id_neworg-name", "Đại lý Năm Căn Mới")
    page.select_option("#id_neworg-kind", "distributor")
    page.get_by_role("button", name="Thêm đơn vị").click()
    new = page.locator("#id_parties-1-organization option:checked")
    expect(new).to_have_text("Đại lý Năm Căn Mới")
    assert page.locator("#id_parties-1-role").input_value() == "buyer"  # the missing side, not a second seller
    assert_accessible(page, "agreements-form-exhibitor-new-partner-390")
    page.locator("button[name=save]").click()
    page.wait_for_url(re.compile(r"/agreements/\d+/$"))
    org = Organization.objects.get(name="Đại lý Năm Căn Mới")
    assert not org.verified and org.created_by == exhibitor

    boss = UserFactory(email="btc@camau.vn")
    EventRoleFactory(event=event, user=boss, role=EventRole.Role.ORGANIZER, organization=event.organizer)
    context.clear_cookies()
    sign_in(context, live_app, boss)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/e/{event.slug}/agreements/organizations/")
    expect(page.get_by_role("heading", name="Đại lý Năm Căn Mới")).to_be_visible()
    assert_accessible(page, "agreements-organizations-to-confirm")
    page.get_by_role("button", name="Xác nhận đơn vị này").click()
    expect(page.get_by_text("Không có đơn vị nào đang chờ xác nhận.")).to_be_visible()
    org.refresh_from_db()
    assert org.verified
