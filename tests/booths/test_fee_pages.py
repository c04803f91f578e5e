"""Booth-fee pages as each role sees them: the exhibitor's payment page, the organizer's fee and reconciliation
pages, permissions, and translated 4xx answers to bad uploads."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from booths.models import PaymentRequest, PaymentStatus, StatementLine
from booths.services import booking as svc
from booths.services import fees
from eventsite.models import EventRole
from tests.factories import EventFactory, user_with_role

from .factories import BoothFactory, HallFactory, exhibitor

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def event():
    event = EventFactory(slug="hoi-cho-ocop")
    fees.save_payee(event=event, bank_bin="970436", account_number="0011001234567",
                    account_name="SO CONG THUONG TINH CA MAU", pay_within_days=7)
    return event


@pytest.fixture
def reserved(event):
    app = exhibitor(event, organization__name="HTX Mật ong U Minh")
    booth = BoothFactory(hall=HallFactory(event=event), code="B-01", price=6_000_000)
    booking = svc.reserve_booking(booking_id=svc.hold_booth(booth_id=booth.pk, application=app).pk, application=app)
    return app, booking, PaymentRequest.objects.get(booking=booking)


def url(name, event, **kw):
    return reverse(f"booths:{name}", kwargs={"event_slug": event.slug, **kw})


def test_exhibitor_sees_payment_with_vietqr(client, event, reserved):
    app, _booking, request = reserved
    client.force_login(app.applicant)
    plan = client.get(url("floor_plan", event)).content.decode()
    assert url("payment", event, request_id=request.pk) in plan
    page = client.get(url("payment", event, request_id=request.pk))
    html = page.content.decode()
    assert page.status_code == 200
    assert request.reference in html
    assert 'src="data:image/png;base64,' in html
    assert "0011001234567" in html and "6.000.000 ₫" in html
    notice = client.get(url("payment_notice", event, request_id=request.pk))
    assert notice.status_code == 200 and notice["Content-Type"] == "application/pdf"


def test_other_exhibitor_cannot_see_payment(client, event, reserved):
    _app, _booking, request = reserved
    other = exhibitor(event)
    client.force_login(other.applicant)
    for name in ("payment", "payment_notice"):
        assert client.get(url(name, event, request_id=request.pk)).status_code == 404
    assert request.reference not in client.get(url("floor_plan", event)).content.decode()
    assert client.get(url("fees", event)).status_code == 403


def test_anonymous_is_sent_to_login_and_gets_no_pdf(client, event, reserved):
    _app, _booking, request = reserved
    assert client.get(url("payment", event, request_id=request.pk)).status_code == 302
    assert client.get(url("payment_notice", event, request_id=request.pk)).status_code == 404


def test_public_plan_shows_no_payment_state(client, event, reserved):
    _app, _booking, request = reserved
    html = client.get(url("floor_plan", event)).content.decode()
    state = client.get(url("plan_state", event)).content.decode()
    for text in (request.reference, "Chờ thanh toán", "Awaiting payment", "payment"):
        assert text not in html
        assert text not in state


def test_organizer_sees_payment_state_in_booth_management(client, event, reserved):
    _app, booking, request = reserved
    client.force_login(user_with_role(event, EventRole.Role.ORGANIZER))
    booth_page = client.get(url("manage_booth", event, code="B-01")).content.decode()
    assert request.reference in booth_page and "Chờ thanh toán" in booth_page
    listing = client.get(url("fees", event)).content.decode()
    assert request.reference in listing and "HTX Mật ong U Minh" in listing


def test_organizer_waives_through_the_page(client, event, reserved):
    _app, booking, request = reserved
    client.force_login(user_with_role(event, EventRole.Role.ORGANIZER))
    response = client.post(url("fee_action", event, request_id=request.pk, action="waive"),
                           {"amount": "6000000", "text": "HTX thuộc diện hỗ trợ"})
    assert response.status_code == 302
    request.refresh_from_db()
    booking.refresh_from_db()
    assert (request.status, booking.status) == (PaymentStatus.WAIVED, "confirmed")


@pytest.mark.parametrize("amount", ["1" * 40, "inf", "NaN", "-5", "1e9", "٣"])
def test_fee_action_bad_numbers_are_refused_not_500(client, event, reserved, amount):
    _app, _booking, request = reserved
    client.force_login(user_with_role(event, EventRole.Role.ORGANIZER))
    response = client.post(url("fee_action", event, request_id=request.pk, action="mark_paid"),
                           {"amount": amount, "text": "x"}, follow=True)
    assert response.status_code == 200
    request.refresh_from_db()
    assert request.paid_amount == 0


def test_organizer_uploads_statement_twice(client, event, reserved):
    _app, _booking, request = reserved
    PaymentRequest.objects.filter(pk=request.pk).update(reference="KNAAAC34")
    client.force_login(user_with_role(event, EventRole.Role.ORGANIZER))
    data = (FIXTURES / "vcb_statement.csv").read_bytes()
    first = client.post(url("statements", event), {"file": SimpleUploadedFile("sao-ke.csv", data)}, follow=True)
    assert first.status_code == 200
    assert StatementLine.objects.count() == 5
    line = StatementLine.objects.get(status="proposed", request=request)  # "…GIAN HANG KNAAAC": cut short
    assert "KNAAAC34" in first.content.decode()
    second = client.post(url("statements", event), {"file": SimpleUploadedFile("sao-ke.csv", data)}, follow=True)
    assert "nothing changed" in second.content.decode() or "không có gì thay đổi" in second.content.decode()
    assert StatementLine.objects.count() == 5
    client.post(url("line_action", event, line_id=line.pk, action="confirm"))
    request.refresh_from_db()
    assert request.status == PaymentStatus.PAID


@pytest.mark.parametrize(("content", "name"), [
    (b"%PDF-1.4 a pdf", "sao-ke.csv"),
    (b"\x89PNG\r\n\x1a\n", "sao-ke.xlsx"),
    (b"PK\x03\x04 broken zip", "sao-ke.xlsx"),
    (b"<html><table></table></html>", "sao-ke.xls"),
    (b"a,b\n1,2\n", "other.csv"),
])
def test_bad_uploads_answer_400_translated(client, event, content, name):
    client.force_login(user_with_role(event, EventRole.Role.ORGANIZER))
    response = client.post(url("statements", event), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Tệp này không phải bảng tính" in html or "Không nhận ra mẫu sao kê" in html


def test_oversized_upload_answers_400(client, event, settings):
    from booths import statements

    client.force_login(user_with_role(event, EventRole.Role.ORGANIZER))
    big = b"a" * (statements.MAX_BYTES + 1)
    response = client.post(url("statements", event), {"file": SimpleUploadedFile("big.csv", big)})
    assert response.status_code == 400
    assert "Tệp lớn hơn 4 MB" in response.content.decode()


def test_exhibitor_cannot_reach_reconciliation(client, event, reserved):
    app, _booking, _request = reserved
    client.force_login(app.applicant)
    assert client.get(url("statements", event)).status_code == 403


def test_organizer_plan_lists_payment_state(client, event, reserved):
    client.force_login(user_with_role(event, EventRole.Role.ORGANIZER))
    html = client.get(url("manage", event)).content.decode()
    assert "B-01</a> <small>(Chờ thanh toán)</small>" in html


def _many_reserved(event, size):
    hall = HallFactory(event=event)
    for i in range(size):
        app = exhibitor(event)
        booth = BoothFactory(hall=hall, code=f"Q-{i:03d}")
        svc.reserve_booking(booking_id=svc.hold_booth(booth_id=booth.pk, application=app).pk, application=app)


@pytest.mark.parametrize("size", [3, 25])
def test_fee_pages_query_count_is_constant(client, event, django_assert_max_num_queries, size):
    _many_reserved(event, size)
    data = (FIXTURES / "vcb_statement.csv").read_bytes()
    from booths.services.reconcile import reconcile_statement

    reconcile_statement(event=event, data=data, filename="a.csv")
    client.force_login(user_with_role(event, EventRole.Role.ORGANIZER))
    with django_assert_max_num_queries(8):
        assert client.get(url("fees", event)).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(url("statements", event)).status_code == 200
    with django_assert_max_num_queries(13):
        assert client.get(url("manage", event)).status_code == 200


def test_mark_paid_page_receipt_and_history(client, event, reserved):
    app, booking, request = reserved
    organizer = user_with_role(event, EventRole.Role.ORGANIZER)
    client.force_login(organizer)
    page = client.get(url("fee_request", event, request_id=request.pk))
    assert page.status_code == 200 and "Ghi nhận đã trả" in page.content.decode()
    refused = client.post(url("fee_action", event, request_id=request.pk, action="mark_paid"),
                          {"amount": "6000000", "text": ""}, follow=True)
    assert refused.status_code == 200
    request.refresh_from_db()
    assert request.paid_amount == 0
    client.post(url("fee_action", event, request_id=request.pk, action="mark_paid"),
                {"amount": "6000000", "text": "Nộp tiền mặt tại bàn tiếp đón"})
    request.refresh_from_db()
    assert request.status == PaymentStatus.PAID
    history = client.get(url("manage_booth", event, code="B-01")).content.decode()
    assert "Nhận tiền phí gian hàng" in history and "Xác nhận lượt đặt" in history
    client.force_login(app.applicant)
    receipt = client.get(url("payment_receipt", event, request_id=request.pk))
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"
    client.force_login(exhibitor(event).applicant)
    assert client.get(url("payment_receipt", event, request_id=request.pk)).status_code == 404
