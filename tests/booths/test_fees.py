"""Booth fees: payment requests opened by reservations, payment and waiver confirming them, expiry releasing to
the waitlist, and bank-statement reconciliation (exact, partial, mistyped, duplicate; the same file twice)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from booths.models import (
    Booking,
    BookingStatus,
    BoothKind,
    LineStatus,
    Payment,
    PaymentRequest,
    PaymentStatus,
    StatementLine,
    WaitlistStatus,
)
from booths.services import booking as svc
from booths.services import fees, reconcile
from booths.services.allocate import commit_allocation, propose_allocation
from eventsite.errors import Conflict, DomainError
from eventsite.models import ActivityEntry
from tests.factories import EventFactory

from .factories import BoothFactory, HallFactory, exhibitor

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def event():
    return EventFactory()


@pytest.fixture
def hall(event):
    return HallFactory(event=event)


@pytest.fixture
def payee(event):
    return fees.save_payee(event=event, bank_bin="970436", account_number="0011001234567",
                           account_name="SO CONG THUONG TINH CA MAU", pay_within_days=7)


def reserve(event, booth, app=None):
    app = app or exhibitor(event)
    held = svc.hold_booth(booth_id=booth.pk, application=app)
    return svc.reserve_booking(booking_id=held.pk, application=app)


def request_of(booking) -> PaymentRequest:
    return PaymentRequest.objects.get(booking=booking)


def test_reservation_of_priced_booth_opens_request(event, hall, payee):
    booking = reserve(event, BoothFactory(hall=hall, price=5_000_000))
    request = request_of(booking)
    assert (request.amount, request.due, request.status) == (5_000_000, 5_000_000, PaymentStatus.OPEN)
    assert len(request.reference) == 8 and request.reference.startswith("KN") and request.reference.isalnum()
    assert request.due_at is not None and request.due_at > timezone.now() + timedelta(days=6)
    assert ActivityEntry.objects.filter(action="booths.payment_requested").count() == 1


def test_hold_opens_no_request(event, hall, payee):
    app = exhibitor(event)
    svc.hold_booth(booth_id=BoothFactory(hall=hall).pk, application=app)
    assert PaymentRequest.objects.count() == 0


def test_no_payee_no_request(event, hall):
    reserve(event, BoothFactory(hall=hall))
    assert PaymentRequest.objects.count() == 0


def test_free_booth_opens_no_request(event, hall, payee):
    reserve(event, BoothFactory(hall=hall, price=0))
    assert PaymentRequest.objects.count() == 0


def test_confirming_a_reservation_keeps_one_request(event, hall, payee):
    booking = reserve(event, BoothFactory(hall=hall))
    svc.confirm_booking(booking_id=booking.pk, event_id=event.pk)
    assert PaymentRequest.objects.filter(booking=booking).count() == 1


def test_allocation_reserves_priced_booths_until_paid(event, hall, payee):
    booth = BoothFactory(hall=hall, price=4_000_000)
    app = exhibitor(event)
    run = propose_allocation(event=event)
    assert run.items.filter(booth=booth, application=app).exists()
    commit_allocation(run=run)
    booking = Booking.objects.get(booth=booth)
    assert booking.status == BookingStatus.RESERVED
    assert request_of(booking).amount == 4_000_000


def test_full_payment_confirms_booking(event, hall, payee):
    booking = reserve(event, BoothFactory(hall=hall))
    request = request_of(booking)
    payment = fees.mark_paid(request_id=request.pk, event_id=event.pk, amount=5_000_000, note="Tiền mặt tại bàn",
                             by_user=None)
    request.refresh_from_db()
    booking.refresh_from_db()
    assert (request.status, request.due, booking.status) == (PaymentStatus.PAID, 0, BookingStatus.CONFIRMED)
    assert payment.receipt_number == f"{request.reference}-1"
    actions = list(ActivityEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions[-2:] == ["booths.payment_received", "booths.confirm"]


def test_partial_payment_keeps_reservation(event, hall, payee):
    booking = reserve(event, BoothFactory(hall=hall))
    request = request_of(booking)
    fees.mark_paid(request_id=request.pk, event_id=event.pk, amount=2_000_000, note="Đặt cọc", by_user=None)
    request.refresh_from_db()
    booking.refresh_from_db()
    assert (request.status, request.due, booking.status) == (PaymentStatus.OPEN, 3_000_000, BookingStatus.RESERVED)


def test_settled_request_refuses_second_payment(event, hall, payee):
    request = request_of(reserve(event, BoothFactory(hall=hall)))
    fees.mark_paid(request_id=request.pk, event_id=event.pk, amount=5_000_000, note="x", by_user=None)
    with pytest.raises(Conflict) as caught:
        fees.mark_paid(request_id=request.pk, event_id=event.pk, amount=5_000_000, note="x", by_user=None)
    assert caught.value.code == "already_settled"
    assert Payment.objects.count() == 1


def test_mark_paid_needs_a_note(event, hall, payee):
    request = request_of(reserve(event, BoothFactory(hall=hall)))
    with pytest.raises(DomainError) as caught:
        fees.mark_paid(request_id=request.pk, event_id=event.pk, amount=5_000_000, note="  ", by_user=None)
    assert caught.value.code == "note_required"


def test_partial_waiver_then_payment_of_the_rest(event, hall, payee):
    booking = reserve(event, BoothFactory(hall=hall))
    request = request_of(booking)
    fees.waive_fee(request_id=request.pk, event_id=event.pk, amount=3_000_000,
                   reason="HTX được hỗ trợ theo chương trình OCOP", by_user=None)
    request.refresh_from_db()
    booking.refresh_from_db()
    assert (request.due, request.status, booking.status) == (2_000_000, PaymentStatus.OPEN, BookingStatus.RESERVED)
    fees.mark_paid(request_id=request.pk, event_id=event.pk, amount=2_000_000, note="CK", by_user=None)
    request.refresh_from_db()
    assert request.status == PaymentStatus.PAID
    entry = ActivityEntry.objects.get(action="booths.fee_waived")
    assert entry.after["reason"] == "HTX được hỗ trợ theo chương trình OCOP"
    assert entry.after["amount"] == 3_000_000


def test_full_waiver_confirms_booking(event, hall, payee):
    booking = reserve(event, BoothFactory(hall=hall))
    request = request_of(booking)
    fees.waive_fee(request_id=request.pk, event_id=event.pk, amount=5_000_000, reason="Hộ nghèo", by_user=None)
    request.refresh_from_db()
    booking.refresh_from_db()
    assert (request.status, booking.status) == (PaymentStatus.WAIVED, BookingStatus.CONFIRMED)


@pytest.mark.parametrize("amount", [0, 5_000_001])
def test_waiver_beyond_due_refused(event, hall, payee, amount):
    request = request_of(reserve(event, BoothFactory(hall=hall)))
    with pytest.raises(DomainError) as caught:
        fees.waive_fee(request_id=request.pk, event_id=event.pk, amount=amount, reason="x", by_user=None)
    assert caught.value.code == "bad_amount"


def test_cancel_closes_open_request(event, hall, payee):
    booking = reserve(event, BoothFactory(hall=hall))
    svc.cancel_booking(booking_id=booking.pk, event_id=event.pk)
    assert request_of(booking).status == PaymentStatus.CANCELLED


def test_swap_moves_requests_with_their_exhibitors(event, hall, payee):
    a_app, b_app = exhibitor(event), exhibitor(event)
    a = reserve(event, BoothFactory(hall=hall, price=1_000_000), a_app)
    b = reserve(event, BoothFactory(hall=hall, price=2_000_000), b_app)
    ref_a, ref_b = request_of(a).reference, request_of(b).reference
    svc.swap_bookings(booking_a_id=a.pk, booking_b_id=b.pk, event_id=event.pk)
    assert PaymentRequest.objects.get(reference=ref_a).booking.application_id == a_app.pk
    assert PaymentRequest.objects.get(reference=ref_b).booking.application_id == b_app.pk


def test_expiry_releases_booth_to_waitlist(event, hall, payee):
    booth = BoothFactory(hall=hall, kind=BoothKind.STANDARD)
    booking = reserve(event, booth)
    waiting = exhibitor(event)
    entry = svc.join_waitlist(application=waiting, kind=BoothKind.STANDARD)
    request = request_of(booking)
    assert svc.release_unpaid_reservations(event_id=event.pk, now=request.due_at - timedelta(minutes=1)) == 0
    assert svc.release_unpaid_reservations(event_id=event.pk, now=request.due_at + timedelta(minutes=1)) == 1
    booking.refresh_from_db()
    request.refresh_from_db()
    entry.refresh_from_db()
    assert booking.status == BookingStatus.UNPAID
    assert request.status == PaymentStatus.EXPIRED
    offer = Booking.objects.get(booth=booth, status=BookingStatus.HELD)
    assert offer.application_id == waiting.pk
    assert (entry.status, entry.offer_id) == (WaitlistStatus.OFFERED, offer.pk)
    assert ActivityEntry.objects.filter(action="booths.release_unpaid").count() == 1


def test_expiry_spares_paid_and_confirmed(event, hall, payee):
    paid = reserve(event, BoothFactory(hall=hall))
    fees.mark_paid(request_id=request_of(paid).pk, event_id=event.pk, amount=5_000_000, note="x", by_user=None)
    confirmed = reserve(event, BoothFactory(hall=hall))
    svc.confirm_booking(booking_id=confirmed.pk, event_id=event.pk)
    later = timezone.now() + timedelta(days=30)
    assert svc.release_unpaid_reservations(event_id=event.pk, now=later) == 0
    assert set(Booking.objects.values_list("status", flat=True)) == {BookingStatus.CONFIRMED}


def test_release_command_releases_past_due(event, hall, payee):
    from django.core.management import call_command

    booking = reserve(event, BoothFactory(hall=hall))
    PaymentRequest.objects.filter(booking=booking).update(due_at=timezone.now() - timedelta(minutes=1))
    call_command("release_unpaid_reservations")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.UNPAID


# --- Reconciliation ---------------------------------------------------------------------------------------------

@pytest.fixture
def three_reservations(event, hall, payee):
    """Three reservations whose references the statement fixture names (exact, cut short, mistyped)."""
    out = {}
    for ref, price in (("KNAAAB22", 5_000_000), ("KNAAAC34", 6_000_000), ("KNAAAD22", 7_000_000)):
        booking = reserve(event, BoothFactory(hall=hall, price=price))
        PaymentRequest.objects.filter(booking=booking).update(reference=ref)
        out[ref] = booking
    return out


def statement_bytes() -> bytes:
    return (FIXTURES / "vcb_statement.csv").read_bytes()


def test_statement_exact_partial_mistyped_duplicate(event, three_reservations):
    statement = reconcile.reconcile_statement(event=event, data=statement_bytes(), filename="sao-ke.csv")
    assert (statement.layout, statement.lines_total, statement.lines_new) == ("vcb", 5, 5)
    lines = {line.description[:20]: line for line in StatementLine.objects.select_related("request")}
    exact = lines["MBVCB.11223344.KNAAA"]
    assert (exact.status, exact.request.reference) == (LineStatus.MATCHED, "KNAAAB22")
    duplicate = lines["MBVCB.11229876.KNAAA"]
    assert (duplicate.status, duplicate.request.reference) == (LineStatus.DUPLICATE, "KNAAAB22")
    partial = lines["IBFT HTX MAT ONG U M"]
    assert (partial.status, partial.reason, partial.request.reference) == (LineStatus.PROPOSED, "partial",
                                                                          "KNAAAC34")
    mistyped = lines["CTY TNHH KHO CA DAM "]
    assert (mistyped.status, mistyped.reason, mistyped.request.reference) == (LineStatus.PROPOSED, "mistyped",
                                                                            "KNAAAD22")
    assert lines["LAI TIEN GUI THANG 1"].status == LineStatus.UNMATCHED
    paid = PaymentRequest.objects.get(reference="KNAAAB22")
    assert (paid.status, paid.paid_amount) == (PaymentStatus.PAID, 5_000_000)
    assert Payment.objects.count() == 1
    booking = three_reservations["KNAAAB22"]
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    for ref in ("KNAAAC34", "KNAAAD22"):  # proposals wait for the organizer
        assert PaymentRequest.objects.get(reference=ref).status == PaymentStatus.OPEN

    reconcile.confirm_line(line_id=partial.pk, event_id=event.pk)
    assert PaymentRequest.objects.get(reference="KNAAAC34").status == PaymentStatus.PAID
    with pytest.raises(Conflict):
        reconcile.confirm_line(line_id=partial.pk, event_id=event.pk)
    assert Payment.objects.count() == 2


def test_same_statement_twice_changes_nothing(event, three_reservations):
    reconcile.reconcile_statement(event=event, data=statement_bytes(), filename="a.csv")
    before = (list(StatementLine.objects.values_list("pk", "status", "request_id", "payment")),
              list(PaymentRequest.objects.values_list("pk", "status", "paid_amount")),
              Payment.objects.count(), list(Booking.objects.values_list("pk", "status")))
    again = reconcile.reconcile_statement(event=event, data=statement_bytes(), filename="a.csv")
    assert (again.lines_total, again.lines_new) == (5, 0)
    after = (list(StatementLine.objects.values_list("pk", "status", "request_id", "payment")),
             list(PaymentRequest.objects.values_list("pk", "status", "paid_amount")),
             Payment.objects.count(), list(Booking.objects.values_list("pk", "status")))
    assert after == before


def tcb_xlsx(rows: list[list]) -> bytes:
    """A Techcombank-layout statement as XLSX: a title block, the header row, signed amounts."""
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["TECHCOMBANK"])
    sheet.append(["SAO KÊ TÀI KHOẢN"])
    sheet.append([])
    sheet.append(["Ngày giao dịch", "Mã giao dịch", "Diễn giải", "Số tiền (VND)", "Số dư (VND)"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_techcombank_xlsx_layout(event, three_reservations):
    data = tcb_xlsx([["03/11/2026", "FT2630712345", "KNAAAD22 HTX KHO CA", 7_000_000, 17_000_000],
                     ["03/11/2026", "FT2630712399", "PHI SMS", -11_000, 16_989_000]])
    statement = reconcile.reconcile_statement(event=event, data=data, filename="tcb.xlsx")
    assert (statement.layout, statement.lines_total) == ("tcb", 1)
    assert PaymentRequest.objects.get(reference="KNAAAD22").status == PaymentStatus.PAID


@pytest.mark.parametrize(("data", "code"), [
    (b"%PDF-1.7 not a statement", "wrong_format"),
    (b"", "empty"),
    (b"a,b,c\n1,2,3\n", "unknown_layout"),
    (b"STT,Ng\xc3\xa0y giao d\xe1\xbb\x8bch,S\xe1\xbb\x91 tham chi\xe1\xba\xbfu,S\xe1\xbb\x91 ti\xe1\xbb\x81n ghi n"
     b"\xe1\xbb\xa3,S\xe1\xbb\x91 ti\xe1\xbb\x81n ghi c\xc3\xb3,M\xc3\xb4 t\xe1\xba\xa3\n1,02/11/2026,x,,"
     b"99999999999999999999999,KNAAAB22\n", "bad_amount"),
    (b"STT,Ng\xc3\xa0y giao d\xe1\xbb\x8bch,S\xe1\xbb\x91 tham chi\xe1\xba\xbfu,S\xe1\xbb\x91 ti\xe1\xbb\x81n ghi n"
     b"\xe1\xbb\xa3,S\xe1\xbb\x91 ti\xe1\xbb\x81n ghi c\xc3\xb3,M\xc3\xb4 t\xe1\xba\xa3\n1,02/11/2026,x,,inf,KN\n",
     "bad_amount"),
    (b"\xff\xd8\xff\xe0 jpeg", "wrong_format"),
    (b"\x81\x82 not utf-8 \xff", "encoding"),
])
def test_bad_statement_files_refused_with_code(event, payee, data, code):
    with pytest.raises(DomainError) as caught:
        reconcile.reconcile_statement(event=event, data=data, filename="x")
    assert caught.value.code == code
    assert caught.value.status == 400


def test_huge_float_in_xlsx_refused(event, payee):
    data = tcb_xlsx([["03/11/2026", "FT1", "KNAAAD22", 1e300, 0]])
    with pytest.raises(DomainError) as caught:
        reconcile.reconcile_statement(event=event, data=data, filename="tcb.xlsx")
    assert caught.value.code == "bad_amount"


def test_release_command_can_queue_tasks(event, hall, payee, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    booking = reserve(event, BoothFactory(hall=hall))
    PaymentRequest.objects.filter(booking=booking).update(due_at=timezone.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("release_unpaid_reservations", "--queue")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.UNPAID


# --- Any bytes: a statement or a clear 400, never a crash ---------------------------------------------------------

VCB_HEADER = "STT,Ngày giao dịch,Số tham chiếu,Số tiền ghi nợ,Số tiền ghi có,Mô tả\n".encode()


@settings(max_examples=80, deadline=None)
@given(prefix=st.sampled_from([b"", b"PK\x03\x04", b"%PDF", b"\xff\xfe", VCB_HEADER, b"\xef\xbb\xbf" + VCB_HEADER]),
       body=st.binary(max_size=300))
def test_any_upload_parses_or_is_refused_with_400(prefix, body):
    from booths.statements import parse_statement

    try:
        layout, credits = parse_statement(prefix + body)
    except DomainError as error:
        assert error.status == 400 and error.code
    else:
        assert layout in ("vcb", "tcb")
        assert all(0 < c.amount < 10**13 for c in credits)


@settings(max_examples=40, deadline=None)
@given(cells=st.lists(st.tuples(st.text(max_size=12), st.text(max_size=40)), max_size=6))
def test_any_amount_text_gives_credits_or_a_bad_amount(cells):
    from booths.statements import parse_statement

    rows = "".join(f'{i},02/11/2026,x,,"{amount}","{text}"\n'.replace('""', "")
                   for i, (amount, text) in enumerate(cells))
    try:
        parse_statement(VCB_HEADER + rows.encode())
    except DomainError as error:
        assert error.code in {"bad_amount", "unreadable", "wrong_format", "encoding"}


@settings(max_examples=25, deadline=None)
@given(position=st.integers(min_value=2, max_value=7), char=st.sampled_from("ABCDEFGHJKMNPQRSTVWXYZ23456789"))
def test_one_character_mistyped_is_proposed(position, char):
    from booths.services.reconcile import _Index

    reference = "KNAAAD22"
    typed = reference[:position] + char + reference[position + 1:]
    request = PaymentRequest(pk=1, reference=reference, amount=7_000_000, status=PaymentStatus.OPEN)
    index = _Index([request])
    if typed == reference:
        assert index.exact(f"TT{typed}HOICHO") is request
    else:
        assert index.exact(f"TT{typed}HOICHO") is None
        assert index.near(f"TT GIAN HANG {typed} HOI CHO".replace(" ", "")) == ({reference}, "mistyped")
