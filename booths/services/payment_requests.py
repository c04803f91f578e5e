"""The booking rules' side of booth fees: open a payment request when a priced booth is reserved, close it
when the booking ends. Called by ``booking.py`` inside its locked transactions (so a request exists exactly
when its reservation does); everything else about money is in ``fees.py``.

Fees are collected through the app only once the organizer has set the event's payee; before that, booking
works as it always did and no request is opened.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from eventsite.activity import build_entry, log_action, log_many

from ..models import Booking, Payee, PaymentRequest, PaymentStatus

# Bank-safe: upper-case ASCII letters and digits only, without the look-alikes 0/O, 1/I/L and U.
ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
PREFIX = "KN"
BODY = 6  # 30**6 ≈ 729 million references
REFERENCE_LENGTH = len(PREFIX) + BODY


def new_reference() -> str:
    while True:
        reference = PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(BODY))
        if not PaymentRequest.objects.filter(reference=reference).exists():
            return reference  # the unique index stays the last guard


def payee_of(event_id: int) -> Payee | None:
    return Payee.objects.filter(event_id=event_id).first()


def collects_fees(event_id: int) -> bool:
    return Payee.objects.filter(event_id=event_id).exists()


def open_request(booking: Booking, *, now: datetime, by_user=None) -> PaymentRequest | None:
    """A reserved or confirmed booking of a priced booth owes its price (see :func:`open_requests`)."""
    return open_requests([booking], now=now, by_user=by_user).get(booking.pk)


def open_requests(bookings: list[Booking], *, now: datetime, by_user=None) -> dict[int, PaymentRequest]:
    """Open a request for each booking of a priced booth that has none open or settled (a hold reserved, then
    confirmed, owes once). Returns each priced booking's request, by booking id."""
    payee = payee_of(bookings[0].event_id) if bookings else None
    priced = [b for b in bookings if b.booth.price]
    if payee is None or not priced:
        return {}
    found = {r.booking_id: r for r in PaymentRequest.objects.filter(
        booking__in=priced, status__in=[PaymentStatus.OPEN, PaymentStatus.PAID, PaymentStatus.WAIVED])}
    due_at = now + timedelta(days=payee.pay_within_days) if payee.pay_within_days else None
    new = [PaymentRequest(event_id=b.event_id, booking=b, amount=b.booth.price, reference=new_reference(),
                          due_at=due_at) for b in priced if b.pk not in found]
    if new:
        PaymentRequest.objects.bulk_create(new)
        log_many(build_entry(action="booths.payment_requested", obj=r.booking.booth, event=r.event_id, actor=by_user,
                             after={"booking": r.booking_id, "reference": r.reference, "amount": r.amount,
                                    "due": due_at}, note=r.booking.application.organization.name) for r in new)
    return {**found, **{r.booking_id: r for r in new}}


def close_requests(booking: Booking, *, status: str, by_user=None) -> None:
    """The booking ended (cancelled, vacated, released): its open request is closed with ``status``. Money
    already received stays recorded on the request (a refund is settled outside the app)."""
    for request in PaymentRequest.objects.filter(booking=booking, status=PaymentStatus.OPEN):
        request.status = status
        request.save(update_fields=["status"])
        log_action(action="booths.payment_closed", obj=booking.booth, event=booking.event_id, actor=by_user,
                   before={"status": PaymentStatus.OPEN},
                   after={"booking": booking.pk, "reference": request.reference, "status": status,
                          "received": request.paid_amount},
                   note=booking.application.organization.name)


def swap_requests(a: Booking, b: Booking) -> None:
    """``swap_bookings`` exchanges exhibitors between two booking rows; each exhibitor's requests follow them."""
    ids_a = list(PaymentRequest.objects.filter(booking=a).values_list("pk", flat=True))
    ids_b = list(PaymentRequest.objects.filter(booking=b).values_list("pk", flat=True))
    PaymentRequest.objects.filter(pk__in=ids_a).update(booking=b)
    PaymentRequest.objects.filter(pk__in=ids_b).update(booking=a)
