"""Booth fees: the payee, payments received (a statement line or "mark paid"), waivers, and what they do to
the booking. Paid or waived in full confirms a reservation, through ``booking.confirm_locked`` under the
booking's locks (application, booth, booking, then the payment request: the global lock order).

A request is settled at most once: the request row is locked and its status re-read before any money is
recorded, and a settled request refuses more (``already_settled``).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from eventsite.activity import log_action
from eventsite.errors import Conflict, DomainError

from ..models import (
    SETTLED,
    BookingStatus,
    Payee,
    Payment,
    PaymentMethod,
    PaymentRequest,
    PaymentStatus,
    StatementLine,
)
from . import booking as booking_service


class FeeError(DomainError):
    code = "fee"


def already_settled(reference: str) -> Conflict:
    return Conflict(_("Payment %(ref)s is already settled; nothing was recorded twice.") % {"ref": reference},
                    code="already_settled")


def request_closed(reference: str) -> FeeError:
    return FeeError(_("Payment %(ref)s belongs to a booking that has ended; record the money outside the app or "
                      "refund it.") % {"ref": reference}, code="request_closed")


PAYEE_FIELDS = ("bank_bin", "account_number", "account_name", "pay_within_days")


def save_payee(*, event, bank_bin: str, account_number: str, account_name: str, pay_within_days: int | None,
               by_user=None) -> Payee:
    """Set who exhibitors pay. Requests already opened keep their amount and reference; their QR shows the
    current payee (the reference, not the account, is what reconciliation matches)."""
    with transaction.atomic():
        payee = Payee.objects.select_for_update().filter(event=event).first()
        before = {f: getattr(payee, f) for f in PAYEE_FIELDS} if payee else None
        payee = payee or Payee(event=event)
        payee.bank_bin, payee.account_number = bank_bin, account_number
        payee.account_name, payee.pay_within_days = account_name, pay_within_days
        payee.full_clean()
        payee.save()
        log_action(action="booths.payee_saved", obj=event, event=event, actor=by_user, before=before,
                   after={f: getattr(payee, f) for f in PAYEE_FIELDS})
    return payee


def _lock_request(request_id: int, event_id: int) -> PaymentRequest:
    """Lock in the global order: the booking's application and booth and the booking, then the request."""
    first = PaymentRequest.objects.get(pk=request_id, event_id=event_id)
    booking = booking_service._lock_booking(first.booking_id, event_id)
    request = PaymentRequest.objects.select_for_update().get(pk=request_id)
    if request.booking_id != booking.pk:  # swapped meanwhile
        raise Conflict(_("The booking changed meanwhile; reload the page."), code="stale")
    request.booking = booking
    return request


def _settle_if_done(request: PaymentRequest, *, now: datetime, by_user) -> None:
    if request.due > 0:
        return
    request.status = PaymentStatus.WAIVED if request.paid_amount == 0 else PaymentStatus.PAID
    request.settled_at = now
    request.save(update_fields=["status", "settled_at"])
    booking = request.booking
    if booking.status in (BookingStatus.HELD, BookingStatus.RESERVED) and booking.is_active(now):
        booking_service.confirm_locked(booking, now=now, by_user=by_user, reason=request.status)


def _log_money(action: str, request: PaymentRequest, by_user, **after) -> None:
    booking = request.booking
    log_action(action=action, obj=booking.booth, event=request.event_id, actor=by_user,
               after={"booking": booking.pk, "reference": request.reference, **after},
               note=booking.application.organization.name)


def record_payment(*, request_id: int, event_id: int, amount: int, method: str, note: str = "", by_user=None,
                   line: StatementLine | None = None, now: datetime | None = None) -> Payment:
    """Money received against a request (a matched statement line, or the organizer's "mark paid" with a note).
    Once what is due is covered the request is paid and its reservation confirmed."""
    now = now or timezone.now()
    if amount <= 0:
        raise FeeError(_("Enter an amount above zero."), code="bad_amount")
    with transaction.atomic():
        request = _lock_request(request_id, event_id)
        if request.status in SETTLED:
            raise already_settled(request.reference)
        if request.status != PaymentStatus.OPEN:
            raise request_closed(request.reference)
        number = f"{request.reference}-{request.payments.count() + 1}"
        payment = Payment.objects.create(request=request, amount=amount, method=method, note=note[:300],
                                         receipt_number=number, received_at=now, recorded_by=by_user)
        request.paid_amount += amount
        request.save(update_fields=["paid_amount"])
        if line is not None:
            StatementLine.objects.filter(pk=line.pk).update(payment=payment, request=request,
                                                             status="matched")
        _log_money("booths.payment_received", request, by_user, amount=amount, method=method, note=note[:300],
                   receipt=number, line=line.pk if line is not None else None, due=request.due)
        _settle_if_done(request, now=now, by_user=by_user)
    return payment


def mark_paid(*, request_id: int, event_id: int, amount: int, note: str, by_user,
              now: datetime | None = None) -> Payment:
    """The organizer records money received outside a statement (cash at the desk, another account)."""
    if not note.strip():
        raise FeeError(_("Say how the money was received (a note is required)."), code="note_required")
    return record_payment(request_id=request_id, event_id=event_id, amount=amount, method=PaymentMethod.MANUAL,
                          note=note.strip(), by_user=by_user, now=now)


def waive_fee(*, request_id: int, event_id: int, amount: int, reason: str, by_user,
              now: datetime | None = None) -> PaymentRequest:
    """Waive all or part of what is still due (e.g. for a supported cooperative), with a reason the notice
    prints. A waiver that leaves nothing due settles the request and confirms the reservation."""
    now = now or timezone.now()
    if not reason.strip():
        raise FeeError(_("Give the reason for the waiver."), code="reason_required")
    with transaction.atomic():
        request = _lock_request(request_id, event_id)
        if request.status in SETTLED:
            raise already_settled(request.reference)
        if request.status != PaymentStatus.OPEN:
            raise request_closed(request.reference)
        if not 0 < amount <= request.due:
            raise FeeError(_("The waiver must be between 1 and %(due)s đồng (what is still due).")
                           % {"due": f"{request.due:,}".replace(",", ".")}, code="bad_amount")
        before = {"waived": request.waived_amount, "reason": request.waiver_reason}
        request.waived_amount += amount
        request.waiver_reason = "; ".join(filter(None, [request.waiver_reason, reason.strip()]))[:300]
        request.save(update_fields=["waived_amount", "waiver_reason"])
        booking = request.booking
        log_action(action="booths.fee_waived", obj=booking.booth, event=event_id, actor=by_user, before=before,
                   after={"booking": booking.pk, "reference": request.reference, "amount": amount,
                          "waived": request.waived_amount, "reason": reason.strip(), "due": request.due},
                   note=booking.application.organization.name)
        _settle_if_done(request, now=now, by_user=by_user)
    return request
