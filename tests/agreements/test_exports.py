"""Exports: CSV with BOM, XLSX, formula injection neutralised; the Vietnamese PDF report read back with pdftotext."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import uuid

import pytest
from openpyxl import load_workbook

from booths.models import Booking, BookingStatus
from checkin.services import checkin
from eventsite.models import EventRole
from eventsite.spreadsheets import neutralise_cell as cell
from tests.booths.factories import BoothFactory, HallFactory, exhibitor
from tests.factories import EventFactory
from tests.registration.factories_checkin import CheckinRegistrationFactory
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
    value = ws.cell(row=2, column=7)
    assert value.value == 1_250_000_000 and value.number_format == "#,##0"  # a number, shown 1,250,000,000
    signed = ws.cell(row=2, column=10)
    assert signed.is_date and signed.number_format == "dd/mm/yyyy hh:mm"
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
    agreement(event, value=1_250_000_000, buyer=retailer(name="Chuỗi Cần Thơ", province_code=92))
    agreement(event, kind="biz_biz", buyer=producer(province_code=86), value=250_000_000)
    # booths: 3, one taken; check-ins: 1 of 2 approved registrations
    hall = HallFactory(event=event)
    booths = [BoothFactory(hall=hall) for _ in range(3)]
    Booking.objects.create(event=event, booth=booths[0], application=exhibitor(event),
                           status=BookingStatus.CONFIRMED)
    desk = member(event, EventRole.Role.DESK_STAFF)
    arrived, _absent = CheckinRegistrationFactory(event=event), CheckinRegistrationFactory(event=event)
    assert checkin.checkin_registration(registration_id=arrived.pk, gate="Cổng A", nonce=uuid.uuid4().hex,
                                        device_or_user=desk, event=event).ok
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
    lines = [" ".join(line.split()) for line in text.splitlines()]
    # booths and check-ins (published by the booths and registration apps) are in the report
    assert "Gian hàng còn trống 2" in lines and "Gian hàng đã có chủ 1" in lines
    assert "Đãcheck-in1/2" in [line.replace(" ", "") for line in lines]
    # partner provinces, each agreement once, with the total
    assert "Theo tỉnh, thành đối tác" in lines
    assert any(line.startswith("Thành phố Cần Thơ 1 1.250.000.000 ₫") for line in lines)
    assert any(line.startswith("Vĩnh Long 1 250.000.000 ₫") for line in lines)
    assert lines.count("Tổng cộng 2 1.500.000.000 ₫") >= 2


def test_pdf_report_prints_names_with_markup_characters():
    """Issue #16 (11): `<` and `&` in the event, venue or organizer name used to break the report (reportlab
    Paragraph markup); they print as written."""
    if shutil.which("pdftotext") is None:
        from tests.services import missing
        missing("needs poppler-utils (pdftotext)")
    from agreements.services.report import summary_pdf
    from tests.factories import OrganizationFactory

    event = EventFactory(name="Hội chợ <OCOP> & Đặc sản <b>Cà Mau", venue="Nhà thi đấu <A> & sân B",
                         organizer=OrganizationFactory(name="Sở Công Thương & <Trung tâm> Xúc tiến",
                                                       kind="government"))
    agreement(event, value=1_000_000, buyer=retailer(name="Co.op <Mart> & Xtra", province_code=92))
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=summary_pdf(event), capture_output=True,
                          check=True).stdout.decode()
    flat = " ".join(text.split())
    assert "Hội chợ <OCOP> & Đặc sản <b>Cà Mau" in flat
    assert "Nhà thi đấu <A> & sân B" in flat
    assert "Sở Công Thương & <Trung tâm> Xúc tiến" in flat

