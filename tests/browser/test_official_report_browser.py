"""Issue #18 in a browser: the organizer opens "Báo cáo kết quả" from the event's navigation, writes the report's
text, saves it and makes the DOCX, which appears in the list and downloads as an editable Word file with that text
and the event's figures. The page is checked with axe-core at desktop size and at 390×844."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document

from reporting.models import OfficialReportText
from tests.browser.conftest import assert_accessible, log_in, screenshot
from tests.factories import PASSWORD
from tests.reporting.world import build_world

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def test_organizer_writes_and_downloads_the_official_report(page):
    event, boss = build_world(name="Hội nghị kết nối cung cầu sản phẩm OCOP & đặc sản Cà Mau")
    log_in(page, boss.email, PASSWORD)
    page.goto(f"/e/{event.slug}/organizer/")
    nav = page.get_by_role("navigation", name="Sự kiện")
    nav.locator("summary", has_text="Báo cáo").click()  # the organizer's Reports section opens
    nav.get_by_role("link", name="Báo cáo kết quả").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/e/{event.slug}/reports/official/")
    assert page.get_by_text("3 biên bản hợp tác giữa doanh nghiệp với 2 nhà phân phối.").is_visible()
    assert_accessible(page, "official-report-desktop")

    page.set_viewport_size(PHONE)
    page.reload()
    assert_accessible(page, "official-report-phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width}px)"

    page.set_viewport_size(DESKTOP)
    page.get_by_label("Cơ quan chủ quản").fill("UBND tỉnh Cà Mau")
    page.get_by_label("Số:", exact=True).fill("125")
    page.get_by_label("Phần mở đầu").fill("Thực hiện Kế hoạch số 12/KH-UBND, Sở Công Thương tổ chức Hội nghị.")
    page.get_by_label("Chức vụ người ký").fill("Giám đốc")
    page.get_by_label("Họ tên người ký").fill("Nguyễn Thị Hồng Nhung")
    page.get_by_role("button", name="Lưu và tạo tệp DOCX").click()
    page.wait_for_load_state()
    assert page.get_by_text("Đã lưu. Tệp đang được tạo").is_visible()
    download_link = page.locator("#report-jobs").get_by_role("button", name="Tải xuống").first
    download_link.wait_for()
    assert_accessible(page, "official-report-made")
    with page.expect_download() as info:
        download_link.click()
    assert info.value.suggested_filename == f"{event.slug}-bao-cao-ket-qua.docx"
    document = Document(io.BytesIO(Path(info.value.path()).read_bytes()))
    texts = [p.text for p in document.paragraphs]
    assert "Thực hiện Kế hoạch số 12/KH-UBND, Sở Công Thương tổ chức Hội nghị." in texts
    assert "3 biên bản hợp tác giữa doanh nghiệp với 2 nhà phân phối." in texts
    issuer, _motto = document.tables[0].rows[0].cells
    assert [p.text for p in issuer.paragraphs][0] == "UBND TỈNH CÀ MAU"
    assert "Nguyễn Thị Hồng Nhung" in [p.text for p in document.tables[-1].rows[0].cells[1].paragraphs]
    assert OfficialReportText.objects.get(event=event).number == "125"
    screenshot(page, "official-report-downloaded")
