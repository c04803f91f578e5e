"""Import from CSV/XLSX: file checks, row errors in the preview, all-or-nothing confirmation."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from registration.models import ImportBatch, Registration, RegistrationRole, RegistrationSource, RegistrationStatus
from registration.services import imports
from tests.factories import UserFactory

from .factories import RegistrationFactory

pytestmark = pytest.mark.django_db
S = RegistrationStatus

HEADER = "Họ và tên,Email,Số điện thoại,Công ty,Vai trò,Loại hình nhà mua,Chức vụ,\"Tỉnh, thành phố\"\n"
GOOD = (
    "Lê Hoàng Phúc,phuc@coop.vn,0903111222,Saigon Co.op,Người mua,Chuỗi siêu thị,Giám đốc thu mua,Hồ Chí Minh\n"
    "Đặng Thị Hồng Nhung,nhung@baocamau.vn,,Báo Cà Mau,press,,Phóng viên,Bạc Liêu\n"
    "Bùi Quốc Khánh,khanh@ocop.vn,,Sở Công Thương,Organizer staff,,,96\n"
)


def csv_bytes(body: str, header: str = HEADER) -> bytes:
    return (header + body).encode("utf-8")


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def staff(event):
    return UserFactory()


def preview(event, data: bytes, by, name="list.csv"):
    return imports.preview_import(event=event, data=data, filename=name, by=by)


def test_preview_reads_rows_and_saves_no_registration(event, staff):
    batch = preview(event, csv_bytes(GOOD), staff)
    assert batch.error_count == 0
    assert [r["data"]["role"] for r in batch.rows] == [
        RegistrationRole.BUYER, RegistrationRole.PRESS, RegistrationRole.ORGANIZER_STAFF]
    assert [r["data"]["province_code"] for r in batch.rows] == [79, 96, 96]  # Bạc Liêu is now Cà Mau
    assert batch.rows[0]["data"]["buyer_type"] == "supermarket"
    assert Registration.objects.count() == 0


def test_preview_flags_each_row_problem(event, staff):
    RegistrationFactory(event=event, email="taken@x.vn")
    body = (
        "Nguyễn Văn A,not-an-email,,Công ty A,,,,\n"
        ",b@x.vn,,Công ty B,,,,\n"
        "Nguyễn Văn C,c@x.vn,,Công ty C,,Chợ đầu mối,,Sao Hỏa\n"
        "Nguyễn Văn D,d@x.vn,,Công ty D,,,,\n"
        "Nguyễn Văn D2,D@x.vn,,Công ty D,,,,\n"
        "Nguyễn Văn E,taken@x.vn,,,khách mời,,,\n"
    )
    batch = preview(event, csv_bytes(body), staff)
    assert [(r["line"], r["errors"]) for r in batch.rows] == [
        (2, ["email_invalid"]),
        (3, ["name_missing"]),
        (4, ["buyer_type_unknown", "province_unknown"]),
        (5, ["email_duplicate_file"]),
        (6, ["email_duplicate_file"]),
        (7, ["company_missing", "role_unknown", "email_duplicate_db"]),
    ]
    assert batch.error_count == 6


def test_confirm_saves_all_rows(event, staff, mailoutbox, django_capture_on_commit_callbacks):
    batch = preview(event, csv_bytes(GOOD), staff)
    with django_capture_on_commit_callbacks(execute=True):
        created = imports.confirm_import(batch=batch, by=staff)
    assert len(created) == 3
    rows = Registration.objects.order_by("id")
    assert [(r.full_name, r.status, r.source) for r in rows] == [
        ("Lê Hoàng Phúc", S.APPROVED, RegistrationSource.IMPORT),
        ("Đặng Thị Hồng Nhung", S.APPROVED, RegistrationSource.IMPORT),
        ("Bùi Quốc Khánh", S.APPROVED, RegistrationSource.IMPORT),
    ]
    assert rows[1].search_text == "dang thi hong nhung bao ca mau nhung@baocamau.vn phong vien"
    assert len(mailoutbox) == 3
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CONFIRMED
    with pytest.raises(imports.ImportNotAvailable) as caught:
        imports.confirm_import(batch=batch, by=staff)
    assert caught.value.code == "already_imported"
    assert Registration.objects.count() == 3


def test_confirm_with_row_errors_saves_nothing(event, staff):
    batch = preview(event, csv_bytes(GOOD + "Thiếu email,,,Công ty X,,,,\n"), staff)
    with pytest.raises(imports.ImportHasErrors) as caught:
        imports.confirm_import(batch=batch, by=staff)
    assert caught.value.code == "row_errors"
    assert Registration.objects.count() == 0


def test_stale_preview_refreshed_and_nothing_saved(event, staff):
    batch = preview(event, csv_bytes(GOOD), staff)
    RegistrationFactory(event=event, email="nhung@baocamau.vn")  # someone registered meanwhile
    with pytest.raises(imports.ImportHasErrors):
        imports.confirm_import(batch=batch, by=staff, notify=False)
    batch.refresh_from_db()
    assert batch.error_count == 1
    assert batch.rows[1]["errors"] == ["email_duplicate_db"]
    assert Registration.objects.count() == 1


def test_expired_preview_refused(event, staff):
    batch = preview(event, csv_bytes(GOOD), staff)
    ImportBatch.objects.filter(pk=batch.pk).update(created_at=timezone.now() - timedelta(hours=3))
    with pytest.raises(imports.ImportNotAvailable) as caught:
        imports.confirm_import(batch=batch, by=staff)
    assert caught.value.code == "expired"
    assert Registration.objects.count() == 0


def test_imported_buyers_respect_capacity(reg_settings, staff):
    reg_settings.buyer_capacity = 1
    reg_settings.save()
    body = "".join(f"Người mua {i},m{i}@x.vn,,Công ty {i},,,,\n" for i in range(3)) + GOOD.splitlines(True)[1]
    imports.confirm_import(batch=preview(reg_settings.event, csv_bytes(body), staff), by=staff, notify=False)
    assert list(Registration.objects.order_by("id").values_list("status", flat=True)) == [
        S.APPROVED, S.WAITLISTED, S.WAITLISTED, S.APPROVED]


def test_xlsx_import_with_english_headers(event, staff):
    data = xlsx_bytes([
        ["Full name", "Email", "Company", "Role", "Province", "Phone"],
        ["Huỳnh Tấn Lộc", "loc@lazada.vn", "Lazada Việt Nam", "Speaker", "Thành phố Cần Thơ", 903123456],
        [None, None, None, None, None, None],
    ])
    batch = preview(event, data, staff, name="speakers.xlsx")
    assert [(r["data"]["role"], r["data"]["province_code"], r["data"]["phone"], r["errors"]) for r in batch.rows] == [
        (RegistrationRole.SPEAKER, 92, "903123456", [])]


def test_semicolon_csv_from_excel(event, staff):
    data = ("\ufeffFull name;Email;Company\nTrần Văn Bảy;bay@x.vn;HTX Tân Thành\n").encode()
    batch = preview(event, data, staff)
    assert batch.rows[0]["data"]["company"] == "HTX Tân Thành"


@pytest.mark.parametrize(("data", "name", "code"), [
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 100, "staff.csv", "wrong_format"),
    (b"%PDF-1.7\n1 0 obj<<>>endobj\n", "staff.csv", "wrong_format"),
    (b"%PDF-1.7\n1 0 obj<<>>endobj\n", "staff.pdf", "wrong_format"),
    (b"PK\x03\x04 not really a workbook", "staff.xlsx", "wrong_format"),
    (b"Full name,Email\nJos\xe9,j@x.vn\n", "staff.csv", "encoding"),
    (b"", "staff.csv", "empty"),
    (b"Name,Phone\nA,0903\n", "staff.csv", "missing_columns"),
    (b"Full name,Email\n", "staff.csv", "no_rows"),
    (b"x" * (imports.MAX_BYTES + 1), "big.csv", "too_large"),
])
def test_bad_files_get_a_clear_error(event, staff, data, name, code):
    with pytest.raises(imports.ImportFileError) as caught:
        preview(event, data, staff, name=name)
    assert caught.value.code == code
    assert str(caught.value.message)
    assert ImportBatch.objects.count() == 0


def test_xlsx_that_unpacks_to_a_huge_size_refused(event, staff):
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"a" * (imports.MAX_UNPACKED_BYTES + 1))
    assert len(out.getvalue()) < imports.MAX_BYTES
    with pytest.raises(imports.ImportFileError) as caught:
        preview(event, out.getvalue(), staff, name="bomb.xlsx")
    assert caught.value.code == "too_large"


def test_too_many_rows(event, staff):
    body = "".join(f"N {i},n{i}@x.vn,C\n" for i in range(imports.MAX_ROWS + 1))
    with pytest.raises(imports.ImportFileError) as caught:
        preview(event, csv_bytes(body, header="Full name,Email,Company\n"), staff)
    assert caught.value.code == "too_many_rows"


# --- Pages -----------------------------------------------------------------------------------


def import_url(event, batch=None):
    if batch is None:
        return reverse("registration:import", kwargs={"event_slug": event.slug})
    return reverse("registration:import_preview", kwargs={"event_slug": event.slug, "batch_id": batch.pk})


def progress_url(event, batch):
    return reverse("registration:import_progress", kwargs={"event_slug": event.slug, "batch_id": batch.pk})


def test_upload_preview_confirm_pages(organizer_client, event, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("khach-moi.csv", csv_bytes(GOOD), content_type="text/csv")
    with django_capture_on_commit_callbacks() as queued:  # the check task waits for commit
        response = organizer_client.post(import_url(event), {"file": upload})
    batch = ImportBatch.objects.get()
    assert response["Location"] == import_url(event, batch)
    assert batch.status == ImportBatch.Status.CHECKING and batch.file and batch.rows == []
    page = organizer_client.get(response["Location"]).content.decode()
    assert "Đang kiểm tra tệp" in page and 'hx-trigger="every 1s"' in page
    poll = organizer_client.get(progress_url(event, batch), HTTP_HX_REQUEST="true")
    assert poll.status_code == 200 and "<progress" in poll.content.decode()

    for callback in queued:  # the task runs (inline, as the test backend does at commit)
        callback()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEW and len(batch.rows) == 3 and not batch.file
    poll = organizer_client.get(progress_url(event, batch), HTTP_HX_REQUEST="true")
    assert poll.status_code == 204 and poll["HX-Refresh"] == "true"  # the page reloads to show the preview
    page = organizer_client.get(import_url(event, batch)).content.decode()
    assert "Tất cả 3 dòng đã sẵn sàng để nhập." in page and "hx-trigger" not in page
    assert Registration.objects.count() == 0

    with django_capture_on_commit_callbacks() as queued:
        response = organizer_client.post(import_url(event, batch), {"notify": ""})
    assert response["Location"] == import_url(event, batch)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTING and Registration.objects.count() == 0
    for callback in queued:
        callback()
    assert Registration.objects.count() == 3
    page = organizer_client.get(import_url(event, batch)).content.decode()
    assert "Đã nhập 3 đăng ký." in page


def test_preview_page_lists_row_errors_in_vietnamese(organizer_client, event, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("x.csv", csv_bytes("Nguyễn Văn A,sai-email,,Công ty A,,,,Sao Hỏa\n"))
    with django_capture_on_commit_callbacks(execute=True):
        response = organizer_client.post(import_url(event), {"file": upload}, follow=True)
    batch = ImportBatch.objects.get()
    page = organizer_client.get(import_url(event, batch)).content.decode()
    assert "1 dòng có lỗi." in page
    assert "Địa chỉ email không hợp lệ. Không tìm thấy tỉnh/thành phố." in page
    assert "Nhập tất cả các dòng" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = organizer_client.post(import_url(event, batch), {"notify": "on"})
    assert response.status_code == 302  # re-checked in the background: the errors stay, nothing is saved
    assert Registration.objects.count() == 0


def test_upload_exe_renamed_csv_shows_error(organizer_client, event, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("danh-sach.csv", b"MZ\x90\x00" + b"\x00" * 64, content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = organizer_client.post(import_url(event), {"file": upload})
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.FAILED and not batch.file
    page = organizer_client.get(response["Location"]).content.decode()
    assert "Tệp này không phải bảng tính CSV hoặc XLSX." in page and 'role="alert"' in page
    assert Registration.objects.count() == 0


def test_rows_taken_meanwhile_go_back_to_preview_and_save_nothing(organizer_client, event,
                                                                   django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("khach-moi.csv", csv_bytes(GOOD), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        organizer_client.post(import_url(event), {"file": upload})
    batch = ImportBatch.objects.get()
    with django_capture_on_commit_callbacks() as queued:
        organizer_client.post(import_url(event, batch), {"notify": ""})
    RegistrationFactory(event=event, email="nhung@baocamau.vn")  # registers while the import waits in the queue
    for callback in queued:
        callback()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEW and batch.error_count == 1 and batch.error
    assert Registration.objects.filter(source=RegistrationSource.IMPORT).count() == 0
    page = organizer_client.get(import_url(event, batch)).content.decode()
    assert "Email này đã đăng ký sự kiện." in page and "1 dòng có lỗi." in page


def test_import_progress_is_the_owners_only(client, organizer_client, event, organizer,
                                            django_capture_on_commit_callbacks):
    from eventsite.models import EventRole
    from tests.factories import EventFactory, user_with_role

    upload = SimpleUploadedFile("khach-moi.csv", csv_bytes(GOOD), content_type="text/csv")
    with django_capture_on_commit_callbacks():
        organizer_client.post(import_url(event), {"file": upload})
    batch = ImportBatch.objects.get()
    other_event = EventFactory()
    client.force_login(user_with_role(other_event, EventRole.Role.ORGANIZER))
    assert client.get(progress_url(event, batch)).status_code == 403
    other_url = reverse("registration:import_progress", kwargs={"event_slug": other_event.slug, "batch_id": batch.pk})
    assert client.get(other_url).status_code == 404
    client.force_login(user_with_role(event, EventRole.Role.DESK_STAFF))
    assert client.get(progress_url(event, batch)).status_code == 403


def test_other_organizers_preview_is_private(client, organizer_client, event, organizer):
    from eventsite.models import EventRole
    from tests.factories import user_with_role

    batch = preview(event, csv_bytes(GOOD), organizer)
    client.force_login(user_with_role(event, EventRole.Role.ORGANIZER))
    assert client.get(import_url(event, batch)).status_code == 404



# --- Any bytes: a clear error or a table, never a crash ---------------------------------------

PREFIXES = [b"", b"PK\x03\x04", b"%PDF", b"\xff\xfe", b"Full name,Email\n",
            "\ufeffHọ và tên;Email\n".encode()]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prefix=st.sampled_from(PREFIXES), body=st.binary(max_size=400))
def test_any_upload_gives_rows_or_a_clear_error(event, staff, prefix, body):
    try:
        batch = preview(event, prefix + body, staff)
    except imports.ImportFileError as exc:
        assert exc.code in {"too_large", "empty", "wrong_format", "no_header", "too_many_rows", "encoding",
                            "unreadable", "missing_columns", "no_rows"}
    else:
        assert all(isinstance(row["errors"], list) for row in batch.rows)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.lists(st.text(max_size=40), min_size=0, max_size=9), min_size=1, max_size=8))
def test_any_csv_cells_are_checked_without_crashing(event, staff, cells):
    import csv as csv_module

    out = io.StringIO()
    writer = csv_module.writer(out)
    writer.writerow(["Họ và tên", "Email", "Công ty", "Vai trò", "Loại hình nhà mua", "Tỉnh, thành phố"])
    writer.writerows(cells)
    try:
        batch = preview(event, out.getvalue().encode(), staff)
    except imports.ImportFileError as exc:
        assert exc.code in {"no_rows", "too_many_rows", "wrong_format"}
    else:
        for row in batch.rows:
            assert set(row["errors"]) <= set(imports.ROW_ERRORS)


def test_a_newer_upload_replaces_one_still_waiting_to_be_checked(event, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as first_task:
        first = imports.start_import(event=event, data=csv_bytes(GOOD), filename="cu.csv", by=staff)
    with django_capture_on_commit_callbacks(execute=True):
        second = imports.start_import(event=event, data=csv_bytes(GOOD), filename="moi.csv", by=staff)
    assert not ImportBatch.objects.filter(pk=first.pk).exists()
    assert imports.run_check(first.pk) is None  # the first file's task finds nothing to do, and does not fail
    for callback in first_task:
        callback()
    assert list(ImportBatch.objects.values_list("pk", "status")) == [(second.pk, ImportBatch.Status.PREVIEW)]
    assert Registration.objects.count() == 0
