"""Issue #15, navigation that fits the role and the screen: on a 390×844 phone the event's links sit behind one
"Menu" button, so the page's own heading is on the first screen; at desktop size an organizer gets the links
grouped by section, and a buyer one short row. Every state is checked with axe-core."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from eventsite.models import EventRole
from tests.browser.conftest import assert_accessible, log_in, screenshot
from tests.factories import PASSWORD, EventFactory, user_with_role

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
TABLET = {"width": 820, "height": 1180}
Role = EventRole.Role


def _no_axe_violations(page, name: str) -> None:
    """assert_accessible fails on serious and critical issues; the menu must have none at all."""
    assert_accessible(page, name)
    result = page.evaluate("async () => await axe.run(document, {runOnly: "
                           "['wcag2a','wcag2aa','wcag21a','wcag21aa','wcag22aa','best-practice']})")
    found = [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"][:5]]} for v in result["violations"]]
    assert not found, f"{name}: " + json.dumps(found, ensure_ascii=False)


def _no_sideways_scroll(page, name: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name} scrolls sideways on a phone ({width}px)"


def test_phone_menu_collapses_and_opens(page, live_app):
    event = EventFactory(name="Hội nghị kết nối cung cầu sản phẩm OCOP tỉnh Cà Mau năm 2026", slug="menu-phone")
    organizer = user_with_role(event, Role.ORGANIZER, full_name="Trần Văn Bảo")
    page.set_viewport_size(PHONE)
    log_in(page, organizer.email, PASSWORD)
    page.goto(f"/e/{event.slug}/team/")

    nav = page.get_by_role("navigation", name="Sự kiện")
    toggle = nav.get_by_role("button", name="Menu")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(nav.get_by_role("link", name="Trang ban tổ chức")).to_be_hidden()
    heading = page.locator("main h1")
    box = heading.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"], f"h1 below the first screen: {box}"
    _no_sideways_scroll(page, "menu-closed")
    _no_axe_violations(page, "navigation-phone-closed")

    # Keyboard: the button opens the menu; the current page's section is open, its link marked.
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Trang ban tổ chức")).to_be_visible()
    current = nav.get_by_role("link", name="Nhóm làm việc")
    expect(current).to_be_visible()
    expect(current).to_have_attribute("aria-current", "page")
    expect(nav.locator("summary.current-section")).to_contain_text("Thiết lập")
    _no_sideways_scroll(page, "menu-open")
    _no_axe_violations(page, "navigation-phone-open")

    # Another section opens in place, and its link leads to its page.
    nav.locator("summary", has_text="Check-in").click()
    nav.get_by_role("link", name="In thẻ").click()
    page.wait_for_url(f"**/e/{event.slug}/badges/")
    expect(page.get_by_role("navigation", name="Sự kiện").get_by_role("button", name="Menu")).to_have_attribute(
        "aria-expanded", "false")

    # Escape closes the open menu and gives focus back to its button.
    toggle = page.get_by_role("navigation", name="Sự kiện").get_by_role("button", name="Menu")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()


def test_desktop_organizer_sections_buyer_short_row(page, live_app):
    event = EventFactory(slug="menu-desktop")
    organizer = user_with_role(event, Role.ORGANIZER)
    buyer = user_with_role(event, Role.BUYER)
    page.set_viewport_size(DESKTOP)
    log_in(page, organizer.email, PASSWORD)
    page.goto(f"/e/{event.slug}/organizer/")

    nav = page.get_by_role("navigation", name="Sự kiện")
    expect(nav.get_by_role("button", name="Menu")).to_be_hidden()
    # One row of two links and eight sections at 1280 px.
    boxes = [li.bounding_box() for li in nav.locator(".event-menu > ul > li").all()]
    middles = [b["y"] + b["height"] / 2 for b in boxes]
    assert max(middles) - min(middles) < 4, middles
    titles = [t.strip() for t in nav.locator("details.nav-section > summary").all_inner_texts()]
    assert titles == ["Thiết lập", "Người tham gia", "Gian hàng", "Chương trình", "Check-in",
                      "Ký kết", "Kết nối B2B", "Báo cáo"]
    expect(nav.get_by_role("link", name="Trang ban tổ chức")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="Xuất dữ liệu và báo cáo")).to_be_hidden()
    _no_axe_violations(page, "navigation-desktop-organizer")

    reports = nav.locator("details[data-section=reports]")
    reports.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(nav.get_by_role("link", name="Xuất dữ liệu và báo cáo")).to_be_visible()
    expect(reports.locator("ul")).to_have_css("opacity", "1")  # Pico fades the list in
    # The last section sits at the right edge: its list opens leftwards, inside the window.
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    box = reports.locator("ul").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= DESKTOP["width"], box
    _no_axe_violations(page, "navigation-desktop-organizer-open")
    page.keyboard.press("Escape")
    expect(reports).not_to_have_attribute("open", "")
    expect(reports.locator("summary")).to_be_focused()

    # On a tablet the row wraps; a list near the right edge still opens inside the window.
    page.set_viewport_size(TABLET)
    reports.locator("summary").click()
    expect(reports.locator("ul")).to_have_css("opacity", "1")
    box = reports.locator("ul").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= TABLET["width"], box
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    screenshot(page, "navigation-tablet-organizer-open")
    reports.locator("summary").click()
    expect(reports).not_to_have_attribute("open", "")
    page.set_viewport_size(DESKTOP)
    reports.locator("summary").click()
    nav.get_by_role("link", name="Xuất dữ liệu và báo cáo").click()
    page.wait_for_url(f"**/e/{event.slug}/reports/")
    nav = page.get_by_role("navigation", name="Sự kiện")
    expect(nav.locator("summary.current-section")).to_contain_text("Báo cáo")

    page.context.clear_cookies()
    log_in(page, buyer.email, PASSWORD)
    page.goto(f"/e/{event.slug}/")
    nav = page.get_by_role("navigation", name="Sự kiện")
    expect(nav.locator("details")).to_have_count(0)
    links = nav.get_by_role("link").all_inner_texts()
    assert "Quản lý gian hàng" not in links and "Đăng ký tham dự" not in links, links
    assert 0 < len(links) <= 12, links
    expect(nav.get_by_role("link", name="Tổng quan")).to_have_attribute("aria-current", "page")
    screenshot(page, "navigation-desktop-buyer")


def test_phone_menu_without_scripts_stays_listed(browser, live_app, transactional_db):
    """The button needs static/js/app.js; without scripts the links are listed, not hidden behind a dead button."""
    event = EventFactory(slug="menu-noscript")
    context = browser.new_context(base_url=live_app.url, viewport=PHONE, locale="vi-VN", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"/e/{event.slug}/")
        nav = page.get_by_role("navigation", name="Sự kiện")
        expect(nav.get_by_role("button", name="Menu")).to_be_hidden()
        expect(nav.get_by_role("link", name="Chương trình")).to_be_visible()
        _no_sideways_scroll(page, "menu-noscript")
        screenshot(page, "navigation-phone-noscript")
    finally:
        context.close()
