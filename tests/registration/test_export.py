"""CSV and XLSX exports: the filtered list, Vietnamese text intact, no formula injection."""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from eventsite.spreadsheets import FORMULA_START, neutralise_cell
from registration.models import RegistrationQuestion, RegistrationStatus
from registration.services import imports
from tests.reports import export_via_job

from .factories import QuestionFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

ATTACKS = ["=HYPERLINK(\"http://evil\",\"x\")", "+84 903 123 456", "-2+3", "@SUM(A1:A2)", "\tcmd", "\r=1+1"]


def export(client, event, fmt, query=None):
    """The list's export button: a background job, then the download."""
    return export_via_job(client, event, f"registrations_{fmt}", query=query)


def read_csv(response) -> list[list[str]]:
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:], newline="")))


def read_xlsx(response):
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows()]


@given(st.text(max_size=30))
def test_neutralise_never_leaves_a_formula(text):
    assert not neutralise_cell(text).startswith(FORMULA_START)
    assert neutralise_cell(text).endswith(text)


def test_csv_export_keeps_diacritics_and_answers(organizer_client, reg_settings):
    question = QuestionFactory(settings=reg_settings, label="Tham dự B2B?", kind=RegistrationQuestion.Kind.YES_NO)
    RegistrationFactory(event=reg_settings.event, full_name="Đỗ Thị Thanh Hương", company="Siêu thị Tứ Sơn",
                        product_groups=["food", "herbal"], answers={question.key: True})
    response = export(organizer_client, reg_settings.event, "csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="registrations-')
    header, row = read_csv(response)
    assert header[:4] == ["Họ và tên", "Email", "Số điện thoại", "Công ty"]
    assert header[-1] == "Tham dự B2B?"
    assert row[0] == "Đỗ Thị Thanh Hương" and row[3] == "Siêu thị Tứ Sơn"
    assert row[header.index("Nhóm sản phẩm quan tâm")] == "I. Thực phẩm; III. Dược liệu và sản phẩm từ dược liệu"
    assert row[-1] == "Có"


def test_csv_export_neutralises_formulas(organizer_client, event):
    for i, attack in enumerate(ATTACKS):
        RegistrationFactory(event=event, full_name=attack, company=f"C{i}")
    rows = read_csv(export(organizer_client, event, "csv"))[1:]
    assert [r[0] for r in rows] == ["'" + a for a in ATTACKS]


def test_xlsx_export_has_no_formula_cells(organizer_client, event):
    for i, attack in enumerate(ATTACKS):
        RegistrationFactory(event=event, full_name=attack, company=f"C{i}", needs="=1+1")
    response = export(organizer_client, event, "xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = read_xlsx(response)
    cells = [c for row in rows[1:] for c in row]
    assert all(c.data_type != "f" for c in cells)
    # A carriage return may come back as a line feed (openpyxl's XML writer with or without lxml); the apostrophe
    # still leads.
    assert [row[0].value.replace("\r", "\n") for row in rows[1:]] == ["'" + a.replace("\r", "\n") for a in ATTACKS]
    assert rows[0][0].value == "Họ và tên"


def test_xlsx_export_writes_the_registration_time_as_a_date(organizer_client, event):
    registration = RegistrationFactory(event=event, full_name="Lâm Thị Ngọc")
    rows = read_xlsx(export(organizer_client, event, "xlsx"))
    header = [c.value for c in rows[0]]
    cell = rows[1][header.index("Thời điểm đăng ký")]
    assert cell.is_date and cell.number_format == "dd/mm/yyyy hh:mm"
    assert abs(cell.value - timezone.localtime(registration.created_at).replace(tzinfo=None)).total_seconds() < 1
    csv_row = read_csv(export(organizer_client, event, "csv"))[1]
    assert csv_row[header.index("Thời điểm đăng ký")] == timezone.localtime(registration.created_at).strftime(
        "%d/%m/%Y %H:%M")


def test_export_follows_filters(organizer_client, event):
    RegistrationFactory(event=event, full_name="Nguyễn Văn Đức", status=RegistrationStatus.APPROVED)
    RegistrationFactory(event=event, full_name="Nguyễn Văn Đạt")
    response = export(organizer_client, event, "csv", {"q": "duc", "status": "approved"})
    assert [r[0] for r in read_csv(response)[1:]] == ["Nguyễn Văn Đức"]


def test_exported_file_imports_back(organizer_client, event, organizer):
    RegistrationFactory(event=event, full_name="Trần Thị Minh Thư", email="thu@x.vn", province_code=92)
    data = export(organizer_client, event, "xlsx").content
    from tests.factories import EventFactory

    other = EventFactory()
    batch = imports.preview_import(event=other, data=data, filename="export.xlsx", by=organizer)
    assert [(r["data"]["full_name"], r["data"]["email"], r["data"]["province_code"], r["errors"])
            for r in batch.rows] == [("Trần Thị Minh Thư", "thu@x.vn", 92, [])]
