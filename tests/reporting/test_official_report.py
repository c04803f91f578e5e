"""The official report: the organizer's form, the DOCX read back with python-docx (Decree 30 blocks, Times New Roman
13–14 pt, margins, figures) and the PDF read back with pdftotext (Vietnamese intact, Liberation Serif)."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date

import pytest
from django.apps import apps
from django.core import checks
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from docx.shared import Pt

from eventsite.apps import ReportFigure, ReportSection
from eventsite.models import EventRole, ReportJob
from reporting.content import build_report
from reporting.models import OfficialReportText
from reporting.opendata import open_data
from reporting.pdf_report import ReportFontMissing, render_pdf
from tests.agenda.factories import SessionFactory
from tests.agreements.factories import agreement, member, organizer, retailer
from tests.factories import EventFactory, OrganizationFactory
from tests.registration.factories import RegistrationFactory
from tests.reports import export_via_job

from .world import build_world

pytestmark = pytest.mark.django_db

TEXT = {
    "parent_body": "UBND tỉnh Cà Mau",
    "issuing_body": "Sở Công Thương",
    "number": "125",
    "symbol": "BC-SCT",
    "place": "Cà Mau",
    "date": "2026-02-05",
    "subject": "Kết quả Hội nghị kết nối cung cầu sản phẩm OCOP năm 2026",
    "opening": "Thực hiện Kế hoạch số 12/KH-UBND của UBND tỉnh, Sở Công Thương tổ chức Hội nghị.\n"
               "Hội nghị diễn ra trong ba ngày.",
    "assessment": "Hội nghị đạt mục tiêu đề ra; doanh nghiệp đánh giá cao.",
    "proposals": "Đề nghị UBND tỉnh tiếp tục hỗ trợ kinh phí năm sau.",
    "recipients": "- Bộ Công Thương (b/c);\n- UBND tỉnh (b/c);\n- Lưu: VT, QLTM.",
    "signer_position": "KT. Giám đốc\nPhó Giám đốc",
    "signer_name": "Nguyễn Thị Hồng Nhung",
}


def url(event) -> str:
    return reverse("reporting:official_report", kwargs={"event_slug": event.slug})


def save_text(client, event, **changes) -> None:
    response = client.post(url(event), {**TEXT, **changes, "action": "save"})
    assert response.status_code == 302, response.content.decode()[:2000]


def docx_of(client, event):
    downloaded = export_via_job(client, event, "official_report_docx")
    assert downloaded["Content-Disposition"].startswith("attachment;")
    return Document(io.BytesIO(downloaded.content))


def pdftotext(content: bytes) -> str:
    if shutil.which("pdftotext") is None:
        from tests.services import missing
        missing("needs poppler-utils (pdftotext)")
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True,
                          check=True).stdout.decode()


def cell_lines(cell) -> list[str]:
    return [p.text for p in cell.paragraphs if p.text.strip()]


def all_runs(document):
    for paragraph in document.paragraphs:
        yield "body", paragraph, paragraph.runs
    for index, table in enumerate(document.tables):
        for row in table.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    yield f"table{index}", paragraph, paragraph.runs


def test_docx_has_the_decree_blocks_fonts_margins_and_figures(client):
    event, boss = build_world()
    client.force_login(boss)
    save_text(client, event)
    document = docx_of(client, event)

    section = document.sections[0]
    mm = {name: round(getattr(section, name).mm, 1) for name in
          ("page_width", "page_height", "top_margin", "bottom_margin", "left_margin", "right_margin")}
    assert (mm["page_width"], mm["page_height"]) == (210, 297)  # A4
    assert 20 <= mm["top_margin"] <= 25 and 20 <= mm["bottom_margin"] <= 25
    assert 30 <= mm["left_margin"] <= 35 and 15 <= mm["right_margin"] <= 20
    # Page numbers from the second page, centred at the top.
    assert section.different_first_page_header_footer
    assert not section.first_page_header.paragraphs[0].text
    number = section.header.paragraphs[0]
    assert 'w:instr="PAGE"' in number._p.xml and number.alignment == 1  # centre

    header, *figure_tables, footer = document.tables
    issuer, motto = header.rows[0].cells
    assert cell_lines(issuer) == ["UBND TỈNH CÀ MAU", "SỞ CÔNG THƯƠNG", "Số: 125/BC-SCT"]
    assert cell_lines(motto) == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                                 "Cà Mau, ngày 05 tháng 02 năm 2026"]
    assert issuer.paragraphs[1].runs[0].bold and motto.paragraphs[1].runs[0].bold
    assert motto.paragraphs[2].runs[0].italic
    recipients, signature = footer.rows[0].cells
    assert cell_lines(recipients) == ["Nơi nhận:", "- Bộ Công Thương (b/c);", "- UBND tỉnh (b/c);",
                                      "- Lưu: VT, QLTM."]
    assert recipients.paragraphs[0].runs[0].bold and recipients.paragraphs[0].runs[0].italic
    assert cell_lines(signature) == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Thị Hồng Nhung"]

    body = [p.text for p in document.paragraphs if p.text.strip()]
    assert body[:2] == ["BÁO CÁO", "Kết quả Hội nghị kết nối cung cầu sản phẩm OCOP năm 2026"]
    assert body[2:4] == TEXT["opening"].split("\n")
    parts = [line for line in body if line.split(". ")[0] in ("I", "II", "III", "IV")]
    assert parts == ["I. KẾT QUẢ TỔ CHỨC HỘI NGHỊ", "II. KẾT QUẢ TRIỂN KHAI CÁC BIÊN BẢN ĐÃ KÝ KẾT", "III. ĐÁNH GIÁ",
                     "IV. ĐỀ XUẤT, KIẾN NGHỊ"]
    # The agreements app's follow-through figures (agreements/official_report.py), from its follow-through page.
    assert any(line.startswith("Trong ") and "biên bản đã ký" in line for line in body), body
    assert TEXT["assessment"] in body and TEXT["proposals"] in body
    # The figures, in the seed's words.
    assert "3 chủ thể sản xuất, hợp tác xã và doanh nghiệp tham gia trưng bày tại 3 gian hàng." in body
    assert "Giới thiệu 4 sản phẩm OCOP, gồm 1 sản phẩm 5 sao, 2 sản phẩm 4 sao và 1 sản phẩm 3 sao." in body
    assert "4 người mua được duyệt tham dự (Chuỗi siêu thị: 2; Nhà phân phối: 1; Chưa nêu loại: 1)." in body
    assert "2 người check-in tại cổng, trong đó 2 người mua." in body
    assert "Đã tổ chức 2 trên 3 phiên theo chương trình, trong đó 1 phiên ký kết." in body
    assert "Đã ký kết 4 biên bản hợp tác." in body
    assert "3 biên bản hợp tác giữa doanh nghiệp với 2 nhà phân phối." in body
    assert body[-1] == ("Trên đây là báo cáo kết quả Hội nghị kết nối cung cầu sản phẩm OCOP năm 2026 của "
                        "Sở Công Thương./.")
    # The follow-through part (the agreements app provides it) comes after the results.
    assert body.index("II. KẾT QUẢ TRIỂN KHAI CÁC BIÊN BẢN ĐÃ KÝ KẾT") > body.index("I. KẾT QUẢ TỔ CHỨC HỘI NGHỊ")
    rows = {tuple(c.text for c in row.cells) for table in figure_tables for row in table.rows}
    assert {("Sản phẩm OCOP 5 sao", "1"), ("Sản phẩm OCOP 4 sao", "2"), ("Sản phẩm OCOP 3 sao", "1"),
            ("Doanh nghiệp – nhà phân phối hoặc chuỗi bán lẻ", "3"), ("Sở – sở của tỉnh, thành khác", "1"),
            ("Chuỗi siêu thị", "2"), ("Phiên đã tổ chức", "2"), ("Số người check-in", "2")} <= rows

    # Times New Roman everywhere; 13–14 pt except the recipients (the decree's 12 pt heading and 11 pt list).
    sizes = set()
    for where, paragraph, runs in all_runs(document):
        for run in runs:
            assert run.font.name == "Times New Roman", (where, run.text)
            in_recipients = paragraph._p in [p._p for p in recipients.paragraphs]
            allowed = (Pt(11), Pt(12)) if in_recipients else (Pt(13), Pt(14))
            assert run.font.size in allowed, (where, run.text, run.font.size)
            sizes.add(run.font.size)
    assert document.styles["Normal"].font.name == "Times New Roman"
    assert {Pt(13), Pt(14)} <= sizes


def test_docx_defaults_when_the_organizer_wrote_nothing(client):
    event, boss = build_world(name="Hội nghị giao thương & <kết nối>")
    client.force_login(boss)
    document = docx_of(client, event)
    issuer, motto = document.tables[0].rows[0].cells
    assert cell_lines(issuer)[0] == event.organizer.name.upper()
    assert cell_lines(issuer)[1].startswith("Số:") and cell_lines(issuer)[1].endswith("/BC-SCT")
    today = date.today()
    assert cell_lines(motto)[2].startswith("Cà Mau, ngày ") and cell_lines(motto)[2].endswith(f"năm {today.year}")
    body = [p.text for p in document.paragraphs if p.text.strip()]
    assert body[1] == "Kết quả Hội nghị giao thương & <kết nối>"
    assert "II. ĐÁNH GIÁ" not in body  # no empty parts


def test_pdf_keeps_the_vietnamese_text_in_liberation_serif(client):
    event, boss = build_world()
    client.force_login(boss)
    save_text(client, event)
    downloaded = export_via_job(client, event, "official_report_pdf")
    assert downloaded.content.startswith(b"%PDF-")
    text = pdftotext(downloaded.content)
    flat = " ".join(text.split())
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "UBND TỈNH CÀ MAU",
                     "SỞ CÔNG THƯƠNG", "Số: 125/BC-SCT", "Cà Mau, ngày 05 tháng 02 năm 2026", "BÁO CÁO",
                     "Kết quả Hội nghị kết nối cung cầu sản phẩm OCOP năm 2026",
                     "3 biên bản hợp tác giữa doanh nghiệp với 2 nhà phân phối.",
                     "Giới thiệu 4 sản phẩm OCOP, gồm 1 sản phẩm 5 sao", "Nơi nhận:", "- Lưu: VT, QLTM.",
                     "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Thị Hồng Nhung", "Đề nghị UBND tỉnh tiếp tục hỗ trợ"):
        assert expected in flat, expected
    pages = text.split("\f")
    assert len(pages) >= 2 and pages[1].strip().startswith("2")  # numbered from the second page, at the top
    assert not pages[0].strip().startswith("1")
    fonts = subprocess.run(["pdffonts", "-"], input=downloaded.content, capture_output=True).stdout.decode()
    names = {line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:]}
    # reportlab declares Helvetica, unembedded, as every document's default resource; the text is all Liberation.
    assert names - {"Helvetica"} == {"LiberationSerif", "LiberationSerif-Bold", "LiberationSerif-Italic",
                     "LiberationSerif-BoldItalic"}, fonts


def test_pdf_prints_names_with_markup_characters():
    event = EventFactory(name="Hội chợ <OCOP> & Đặc sản <b>Cà Mau",
                         organizer=OrganizationFactory(name="Sở Công Thương & <Trung tâm>", kind="government"))
    agreement(event, buyer=retailer(name="Co.op <Mart> & Xtra"))
    OfficialReportText.objects.create(event=event, signer_name="Lê Văn <A> & B", recipients="- Sở <TC> & KH;")
    flat = " ".join(pdftotext(render_pdf(build_report(event))).split())
    assert "Kết quả Hội nghị Hội chợ <OCOP> & Đặc sản <b>Cà Mau" in flat
    assert "SỞ CÔNG THƯƠNG &" in flat and "<TRUNG TÂM>" in flat  # the issuing body wraps in its column
    assert "Lê Văn <A> & B" in flat and "- Sở <TC> & KH;" in flat


def test_follow_through_slot_is_filled_by_an_app_hook(monkeypatch):
    """The slot another app fills (the agreements app does: agreements/official_report.py), printed as its own part;
    without the hook the part is absent, never printed with placeholder figures."""
    event, _boss = build_world()
    monkeypatch.setattr(apps.get_app_config("agreements"), "follow_through_sections", lambda event: [],
                        raising=False)
    assert [p.heading for p in build_report(event).parts] == ["I. KẾT QUẢ TỔ CHỨC HỘI NGHỊ"]
    section = ReportSection("follow_through", "Triển khai", ("Có 2 biên bản đã có đơn hàng.",),
                            (ReportFigure("follow_through.with_orders", "Biên bản đã có đơn hàng", 2),))
    monkeypatch.setattr(apps.get_app_config("agreements"), "follow_through_sections", lambda event: [section],
                        raising=False)
    parts = build_report(event).parts
    assert [p.heading for p in parts] == ["I. KẾT QUẢ TỔ CHỨC HỘI NGHỊ",
                                          "II. KẾT QUẢ TRIỂN KHAI CÁC BIÊN BẢN ĐÃ KÝ KẾT"]
    assert parts[1].sections == (section,)


def test_form_saves_the_text_per_event(client):
    event, boss = build_world()
    other, _ = build_world()
    client.force_login(boss)
    page = client.get(url(event))
    assert page.status_code == 200
    html = page.content.decode()
    assert "3 biên bản hợp tác giữa doanh nghiệp với 2 nhà phân phối." in html
    save_text(client, event)
    text = OfficialReportText.objects.get(event=event)
    assert (text.number, text.signer_name, text.updated_by) == ("125", "Nguyễn Thị Hồng Nhung", boss)
    assert not OfficialReportText.objects.filter(event=other).exists()
    bad = client.post(url(event), {**TEXT, "date": "05/02/xx", "action": "docx"})
    assert bad.status_code == 200 and "form-error" in bad.content.decode()


@pytest.mark.parametrize("who", ["anonymous", "buyer", "exhibitor", "desk_staff", "other_organizer"])
def test_only_the_events_organizers_reach_the_form_and_the_files(client, who):
    event, boss = build_world()
    client.force_login(boss)
    job = export_via_job(client, event, "official_report_docx").job
    client.logout()
    if who == "other_organizer":
        other = EventFactory()
        client.force_login(organizer(other))
    elif who != "anonymous":
        client.force_login(member(event, getattr(EventRole.Role, who.upper())))
    download = reverse("report_download", kwargs={"event_slug": event.slug, "job_id": job.pk})
    for address in (url(event), download):
        response = client.get(address)
        if who == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:
            assert response.status_code == 403
    assert client.post(url(event), {**TEXT, "signer_name": "X"}).status_code in (302, 403)
    assert not OfficialReportText.objects.filter(signer_name="X").exists()


def test_a_missing_pdf_font_is_named_on_the_page_in_the_job_and_at_start_up(client, settings, tmp_path):
    event, boss = build_world()
    settings.OFFICIAL_REPORT_FONT_DIR = tmp_path
    with pytest.raises(ReportFontMissing, match="fonts-liberation2"):
        render_pdf(build_report(event))
    assert [m.id for m in checks.run_checks() if m.id.startswith("reporting.")] == ["reporting.W001"]
    client.force_login(boss)
    assert "fonts-liberation2" in client.get(url(event)).content.decode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(url(event), {**TEXT, "action": "pdf"})
    assert ReportJob.objects.get(event=event, kind="official_report_pdf").status == ReportJob.Status.FAILED
    settings.OFFICIAL_REPORT_FONT_DIR = "/usr/share/fonts/truetype/liberation2"
    assert not [m for m in checks.run_checks() if m.id.startswith("reporting.")]


def test_the_figures_take_the_same_number_of_queries_however_large_the_event(django_assert_num_queries):
    """Each app's section is a few GROUP BY queries: more agreements and buyers, the same count."""
    event, _boss = build_world()
    with CaptureQueriesContext(connection) as small:
        open_data(event)
    for _ in range(5):
        agreement(event, buyer=retailer(name="Siêu thị Thêm"))
    RegistrationFactory.create_batch(5, event=event, status="approved")
    with django_assert_num_queries(len(small)):
        open_data(event)


def test_sessions_not_held_yet_are_said_so():
    event = EventFactory()
    SessionFactory.create_batch(2, event=event, starts_at=event.ends_at)
    sessions = next(s for s in build_report(event).parts[0].sections if s.key == "sessions")
    assert sessions.sentences == ("Chương trình có 2 phiên; chưa phiên nào được tổ chức.",)
