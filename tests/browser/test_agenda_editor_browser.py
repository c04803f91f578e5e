"""The organizer builds the programme and the hall plan in the browser (no /admin/), desktop and phone, axe-clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from agenda.models import Session, SessionSpeaker
from booths.models import Hall, Zone
from eventsite.models import EventRole
from tests.agenda.factories import RoomFactory, SpeakerFactory
from tests.booths.factories import BoothFactory, HallFactory
from tests.browser.conftest import assert_accessible, screenshot
from tests.browser.test_agenda_browser import sign_in
from tests.factories import DAY1, EventFactory, user_with_role

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_organizer_edits_agenda_and_halls_without_admin(page, live_app):
    event = EventFactory(slug="ca-mau-agenda-editor", name="Hội nghị kết nối cung cầu OCOP Cà Mau")
    organizer = user_with_role(event, EventRole.Role.ORGANIZER, email="editor@socongthuong.camau.gov.vn")
    RoomFactory(event=event, name="Hội trường A", position=0)
    SpeakerFactory(event=event, name="Nguyễn Thị Xa", title="Giám đốc", organization="Sở Công Thương Cà Mau")
    SpeakerFactory(event=event, name="Lê Văn Tư", title="Chủ tịch", organization="HTX Mật ong U Minh")
    page.set_default_timeout(30_000)  # a busy CI machine
    sign_in(page, live_app, organizer)

    page.goto(f"/e/{event.slug}/agenda/control/")
    page.get_by_role("link", name="Sửa phiên, phòng và diễn giả").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sửa chương trình")
    page.get_by_role("button", name="Thêm phiên").click()
    page.get_by_label("tiêu đề").fill("Lễ ký kết biên bản ghi nhớ hợp tác")
    page.get_by_label("loại").select_option("signing")
    page.get_by_label("bắt đầu").fill(f"{DAY1:%Y-%m-%d}T15:45")
    page.get_by_label("kết thúc").fill(f"{DAY1:%Y-%m-%d}T16:45")
    page.get_by_label("Phòng", exact=True).select_option(label="Hội trường A")
    page.locator("select[name='speakers-0-speaker']").select_option(label="Lê Văn Tư")
    page.locator("input[name='speakers-0-order']").fill("2")
    page.locator("select[name='speakers-1-speaker']").select_option(label="Nguyễn Thị Xa")
    page.locator("select[name='speakers-1-role']").select_option("moderator")
    page.locator("input[name='speakers-1-order']").fill("1")
    assert_accessible(page, "agenda-editor-session-form")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("body")).to_contain_text("Đã lưu phiên “Lễ ký kết biên bản ghi nhớ hợp tác”")
    session = Session.objects.get(event=event)
    assert list(SessionSpeaker.objects.filter(session=session).order_by("position")
                .values_list("speaker__name", flat=True)) == ["Nguyễn Thị Xa", "Lê Văn Tư"]
    assert_accessible(page, "agenda-editor")
    page.goto(f"/e/{event.slug}/agenda/edit/speakers/new/")
    assert_accessible(page, "agenda-editor-speaker-form")
    page.goto(f"/e/{event.slug}/agenda/edit/rooms/new/")
    assert_accessible(page, "agenda-editor-room-form")

    hall = HallFactory(event=event, name="Nhà A", width_m=40, depth_m=20)
    BoothFactory(hall=hall, code="A-07", x=30, y=2, w=3, h=3)
    page.goto(f"/e/{event.slug}/booths/manage/editor/")
    page.locator("#id_hall-name").fill("Nhà triển lãm B")
    page.locator("#id_hall-width_m").fill("48")
    page.locator("#id_hall-depth_m").fill("30")
    page.get_by_role("button", name="Thêm nhà triển lãm này").click()
    expect(page.locator("body")).to_contain_text("Đã thêm nhà triển lãm Nhà triển lãm B")
    assert Hall.objects.filter(event=event, name="Nhà triển lãm B", width_m=48).exists()
    page.locator("#id_zone-hall").select_option(label="Nhà A")
    page.locator("#id_zone-name").fill("Khu thực phẩm")
    page.get_by_role("button", name="Thêm khu này").click()
    expect(page.locator("body")).to_contain_text("Đã thêm khu Khu thực phẩm")
    assert Zone.objects.filter(hall=hall, name="Khu thực phẩm").exists()
    assert_accessible(page, "booths-editor-halls")
    page.get_by_role("link", name="Nhà A", exact=True).click()
    page.get_by_label("Chiều rộng (m)").fill("30")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator(".form-errors")).to_contain_text("A-07")
    assert_accessible(page, "booths-hall-edit-refused")

    for url, name in ((f"/e/{event.slug}/agenda/edit/", "agenda-editor"),
                      (f"/e/{event.slug}/agenda/edit/sessions/{session.pk}/", "agenda-editor-session"),
                      (f"/e/{event.slug}/booths/manage/editor/halls/{hall.pk}/", "booths-hall-edit")):
        page.set_viewport_size(PHONE)
        page.goto(url)
        assert "/admin/" not in page.content()
        assert_accessible(page, f"{name}-phone")
        page.set_viewport_size({"width": 1280, "height": 900})
        screenshot(page, f"{name}-desktop")
