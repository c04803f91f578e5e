"""Booth fees: the payee, payments received (a statement line or "mark paid"), waivers, and what they do to
the booking. Paid or waived in full confirms a reservation, through ``booking.confirm_locked`` under the
booking's locks (application, booth, booking, then the payment request: the global lock order).

A request is settled at most once: the request row is locked and its status re-read before any money is
recorded, and a settled request refuses more (``already_settled``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from eventsite.activity import build_entry, log_action, log_many
from eventsite.errors import Conflict, DomainError

from ..models import (
    SETTLED,
    BookingStatus,
    LineStatus,
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


def _lock_requests(event_id: int, request_ids) -> dict[int, PaymentRequest]:
    """Lock in the global order: the bookings' applications and booths and the bookings, then the requests."""
    ids = sorted(set(request_ids))
    first = dict(PaymentRequest.objects.filter(event_id=event_id, pk__in=ids).values_list("pk", "booking_id"))
    if len(first) != len(ids):
        raise PaymentRequest.DoesNotExist
    bookings = booking_service._lock_bookings(event_id, first.values())
    requests = {r.pk: r for r in PaymentRequest.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    for request in requests.values():
        if request.booking_id != first[request.pk]:  # swapped meanwhile
            raise Conflict(_("The booking changed meanwhile; reload the page."), code="stale")
        request.booking = bookings[request.booking_id]
    return requests


def _lock_request(request_id: int, event_id: int) -> PaymentRequest:
    return _lock_requests(event_id, [request_id])[request_id]


def _settle(request: PaymentRequest, now: datetime) -> bool:
    """In memory: mark the request settled when nothing is due; True when its booking is to be confirmed."""
    if request.due > 0:
        return False
    request.status = PaymentStatus.WAIVED if request.paid_amount == 0 else PaymentStatus.PAID
    request.settled_at = now
    booking = request.booking
    return booking.status in (BookingStatus.HELD, BookingStatus.RESERVED) and booking.is_active(now)


@dataclass(frozen=True)
class Incoming:
    """Money to record: ``amount`` đồng against a request, from a statement line (``line_id``) or by hand."""

    request_id: int
    amount: int
    method: str
    note: str = ""
    line_id: int | None = None


def record_payments(*, event_id: int, incoming: list[Incoming], by_user=None,
                    now: datetime | None = None) -> list[Payment | DomainError]:
    """Record money received against requests (one "mark paid", or a statement's exact matches at once). Each
    item's answer is its Payment or the DomainError that refused it: a request already settled (also by an
    earlier item of the same call) or ended takes nothing. Once what is due is covered the request is paid and
    its reservation confirmed (``booking.confirm_locked_many``). The same writes for one item or thousands:
    locks, one INSERT of payments, one UPDATE of requests, one log INSERT, one confirmation."""
    now = now or timezone.now()
    results: list[Payment | DomainError] = []
    if not incoming:
        return results
    with transaction.atomic():
        requests = _lock_requests(event_id, [i.request_id for i in incoming])
        numbers = dict(Payment.objects.filter(request__in=list(requests)).values_list("request")
                       .annotate(n=Count("pk")).values_list("request", "n"))
        payments, changed, to_confirm, lines, entries = [], {}, [], [], []
        for item in incoming:
            request = requests[item.request_id]
            if item.amount <= 0:
                results.append(FeeError(_("Enter an amount above zero."), code="bad_amount"))
                continue
            if request.status in SETTLED:
                results.append(already_settled(request.reference))
                continue
            if request.status != PaymentStatus.OPEN:
                results.append(request_closed(request.reference))
                continue
            numbers[request.pk] = numbers.get(request.pk, 0) + 1
            payment = Payment(request=request, amount=item.amount, method=item.method, note=item.note[:300],
                              receipt_number=f"{request.reference}-{numbers[request.pk]}", received_at=now,
                              recorded_by=by_user, statement_line_id=item.line_id)
            payments.append(payment)
            results.append(payment)
            request.paid_amount += item.amount
            changed[request.pk] = request
            if _settle(request, now):
                to_confirm.append(request.booking)
            if item.line_id is not None:
                lines.append(item.line_id)
            entries.append((request, item, payment.receipt_number, request.due))
        Payment.objects.bulk_create(payments, batch_size=500)
        _update_grouped(list(changed.values()), ("paid_amount", "status", "settled_at"))
        if lines:  # a statement's lines arrive matched already; a confirmed proposal becomes matched here
            StatementLine.objects.filter(pk__in=lines).exclude(status=LineStatus.MATCHED).update(
                status=LineStatus.MATCHED, reason="")
        log_many(build_entry(action="booths.payment_received", obj=r.booking.booth, event=event_id, actor=by_user,
                             after={"booking": r.booking_id, "reference": r.reference, "amount": item.amount,
                                    "method": item.method, "note": item.note[:300], "receipt": number,
                                    "line": item.line_id, "due": due},
                             note=r.booking.application.organization.name)
                 for r, item, number, due in entries)
        booking_service.confirm_locked_many(to_confirm, now=now, by_user=by_user, reason=PaymentStatus.PAID)
    return results


def _update_grouped(requests: list[PaymentRequest], fields: tuple[str, ...]) -> None:
    """Write ``fields`` of many requests with one UPDATE per distinct set of values (a statement's payments share a
    handful of amounts), which is far cheaper than one CASE expression per row."""
    groups: dict[tuple, list[int]] = {}
    for request in requests:
        groups.setdefault(tuple(getattr(request, f) for f in fields), []).append(request.pk)
    for values, ids in groups.items():
        PaymentRequest.objects.filter(pk__in=ids).update(**dict(zip(fields, values, strict=True)))


def record_payment(*, request_id: int, event_id: int, amount: int, method: str, note: str = "", by_user=None,
                   line: StatementLine | None = None, now: datetime | None = None) -> Payment:
    """One payment (see :func:`record_payments`); a refusal is raised."""
    [result] = record_payments(event_id=event_id, by_user=by_user, now=now, incoming=[
        Incoming(request_id, amount, method, note, line.pk if line is not None else None)])
    if isinstance(result, DomainError):
        raise result
    return result


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
        booking = request.booking
        log_action(action="booths.fee_waived", obj=booking.booth, event=event_id, actor=by_user, before=before,
                   after={"booking": booking.pk, "reference": request.reference, "amount": amount,
                          "waived": request.waived_amount, "reason": reason.strip(), "due": request.due},
                   note=booking.application.organization.name)
        confirm = _settle(request, now)
        request.save(update_fields=["waived_amount", "waiver_reason", "status", "settled_at"])
        if confirm:
            booking_service.confirm_locked(booking, now=now, by_user=by_user, reason=request.status)
    return request
