"""Exports: CSV with BOM, XLSX, formula injection neutralised; the Vietnamese PDF report read back with pdftotext."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from agreements.services.exports import cell
from eventsite.models import EventRole
from tests.factories import EventFactory
from tests.reports import export_via_job

from .factories import agreement, member, organizer, producer, retailer

pytestmark = pytest.mark.django_db
EVIL = ["=HYPERLINK(\"http://x\",\"bấm\")", "+1+2", "-2+3", "@SUM(A1)", "\t=1", "＝1"]


def test_cell_neutralises_formulas():
    for value in EVIL:
        assert cell(value).startswith("'")
    assert cell("Khô cá khoai") == "Khô cá khoai" and cell(12) == 12 and cell(None) is None


@pytest.fixture
def event_with_evil():
    event = EventFactory()
    agreement(event, title="=cmd|' /C calc'!A0", seller=producer(name="+Hợp tác xã Đầm Dơi"),
              buyer=retailer(name="@Siêu thị"), value=1_250_000_000)
    return event


def test_csv_has_bom_diacritics_and_no_live_formula(client, event_with_evil):
    client.force_login(organizer(event_with_evil))
    response = export_via_job(client, event_with_evil, "agreements_csv")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][1] in ("Title", "Tiêu đề")
    assert rows[1][1] == "'=cmd|' /C calc'!A0"
    assert "'+Hợp tác xã Đầm Dơi" in rows[1][3]
    assert rows[1][6] == "1250000000"
    for row in rows:
        for value in row:
            assert not value.startswith(("=", "+", "-", "@"))


def test_xlsx_cells_are_text_not_formulas(client, event_with_evil):
    client.force_login(organizer(event_with_evil))
    response = export_via_job(client, event_with_evil, "agreements_xlsx")
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb.active
    title = ws.cell(row=2, column=2)
    assert title.value == "'=cmd|' /C calc'!A0" and title.data_type == "s"
    assert ws.cell(row=2, column=7).value == 1_250_000_000
    for row in ws.iter_rows():
        for c in row:
            assert c.data_type != "f"


def test_pdf_report_in_vietnamese(client):
    if shutil.which("pdftotext") is None:
        from tests.services import missing
        missing("needs poppler-utils (pdftotext)")
    event = EventFactory(name="Hội nghị kết nối cung cầu sản phẩm OCOP tỉnh Sóc Trăng năm 2020")
    for _ in range(3):
        member(event, EventRole.Role.BUYER)
    member(event, EventRole.Role.EXHIBITOR)
    agreement(event, value=1_250_000_000)
    agreement(event, kind="biz_biz", buyer=producer(), value=250_000_000)
    client.force_login(organizer(event))
    response = export_via_job(client, event, "agreements_pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True,
                          check=True).stdout.decode()
    assert "Báo cáo kết quả" in text
    assert "Hội nghị kết nối cung cầu sản phẩm OCOP tỉnh Sóc Trăng năm 2020" in text
    assert "Người mua" in text and "Biên bản hợp tác đã ký kết" in text
    assert "1.250.000.000 ₫" in text and "1.500.000.000 ₫" in text
    assert "Doanh nghiệp – doanh nghiệp" in text and "Doanh nghiệp – nhà phân phối hoặc chuỗi bán lẻ" in text
