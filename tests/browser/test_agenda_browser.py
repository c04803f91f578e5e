"""Live agenda in real browsers: the organizer shifts a session; an open public agenda shows it without reload."""

from __future__ import annotations

import pytest
from django.test import Client
from playwright.sync_api import expect

from agenda import services
from eventsite.models import EventRole
from tests.agenda.factories import programme
from tests.browser.conftest import assert_accessible, screenshot
from tests.factories import DAY1, EventFactory, user_with_role

pytestmark = pytest.mark.browser


def sign_in(page, live_app, user) -> None:
    """Give the browser a real session of ``user`` (the test process shares the server's database).

    The factories hash passwords with the test-only MD5 hasher, which the server process does not know.
    """
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_app.url}])


def test_organizer_shift_reaches_an_open_public_agenda(page, browser, live_app):
    event = EventFactory(slug="ca-mau-agenda-browser", name="Hội nghị kết nối cung cầu OCOP Cà Mau")
    organizer = user_with_role(event, EventRole.Role.ORGANIZER, email="xa.agenda@socongthuong.camau.gov.vn")
    sessions = programme(event, sessions=6, rooms=3)
    first = sessions[0]
    services.set_live_control(event=event, enabled=True)
    services.post_announcement(event=event, text="Mời đại biểu về Hội trường A dự lễ khai mạc")

    public_context = browser.new_context(base_url=live_app.url, viewport={"width": 1280, "height": 900},
                                         locale="vi-VN")
    try:
        public = public_context.new_page()
        public.goto(f"/e/{event.slug}/agenda/")
        expect(public.locator("[data-agenda-live]")).to_have_attribute("data-live", "open")
        start = public.locator(f"#session-{first.pk} [data-session-start]")
        expect(start).to_have_text("08:00")
        public.evaluate("window.__notReloaded = true")
        assert_accessible(public, "agenda")

        sign_in(page, live_app, organizer)
        page.goto(f"/e/{event.slug}/agenda/control/?day={DAY1:%Y-%m-%d}")
        assert_accessible(page, "agenda-control")
        form = page.locator(f"#control-session-{first.pk} form.shift-form")
        form.locator("input[name=minutes]").fill("15")
        form.locator("button[type=submit]").click()
        expect(page.locator("#control-panel [role=status]")).to_contain_text("Đã công bố thành phiên bản 3")

        expect(start).to_have_text("08:15", timeout=5000)
        assert public.evaluate("window.__notReloaded === true"), "the public page reloaded"
        expect(public.locator("[data-live-status]")).to_contain_text("phiên bản 3")
        screenshot(public, "agenda-after-shift")

        # A release the page never hears about (made in this test process, whose channel layer is not
        # the server's, as a message lost in a Redis restart): the next heartbeat carries version 4 and the open
        # page resyncs, without reconnecting.
        live = "document.querySelector('[data-agenda-live]').liveAgenda.live"
        socket_before = public.evaluate(f"window.__socket = {live}.socket, 1")
        assert socket_before == 1
        second = sessions[1]
        services.shift_session(event=event, session_id=second.pk, minutes=10, actor=organizer)
        second_start = public.locator(f"#session-{second.pk} [data-session-start]")
        expect(second_start).to_have_text("08:10", timeout=10000)  # heartbeat every 5 s
        assert public.evaluate(f"window.__socket === {live}.socket"), "the page reconnected instead"
        assert public.evaluate("window.__notReloaded === true"), "the public page reloaded"
        expect(public.locator("[data-live-status]")).to_contain_text("phiên bản 4")

        # A dropped socket: the status line says so at once (role=status), then the page reconnects.
        said = public.evaluate(f"""() => new Promise((done) => {{
            const socket = {live}.socket;
            socket.addEventListener("close", () => setTimeout(() => done(
                document.querySelector("[data-live-status]").textContent), 0));
            socket.close();
        }})""")
        assert said == "Đang kết nối lại…"
        expect(public.locator("[data-live-status]")).to_have_text("Đang cập nhật trực tiếp.", timeout=10000)
        expect(public.locator("[data-agenda-live]")).to_have_attribute("data-live", "open")

        public.goto(f"/e/{event.slug}/agenda/screen/")
        expect(public.locator(".screen-announcements")).to_contain_text("Hội trường A")
        assert_accessible(public, "agenda-screen")
    finally:
        public_context.close()


def test_agenda_and_control_fit_a_phone(page, live_app):
    event = EventFactory(slug="ca-mau-agenda-phone")
    organizer = user_with_role(event, EventRole.Role.ORGANIZER, email="phone.agenda@socongthuong.camau.gov.vn")
    programme(event, sessions=6, rooms=3)
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, live_app, organizer)
    for path, name in [(f"/e/{event.slug}/agenda/", "agenda-phone"),
                       (f"/e/{event.slug}/agenda/control/?day={DAY1:%Y-%m-%d}", "agenda-control-phone")]:
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{path} scrolls sideways on a phone ({width}px)"
        assert_accessible(page, name)
