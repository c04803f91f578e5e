"""The exhibitor's payment page (amount, payee, VietQR code) and the PDF notice and receipt. Only the exhibitor
who owes the fee and the event's organizers see them (``booths.view_payment``); anyone else gets a 404."""

from __future__ import annotations

import base64

from django.http import Http404, HttpResponse
from django.shortcuts import render

from eventsite.access import event_view

from .. import vietqr
from ..banks import bank_of
from ..fee_documents import render_payment_notice, render_receipt
from ..models import Payee, PaymentRequest
from ..rules import may_see_payment


def _payment_for(request, request_id: int) -> PaymentRequest:
    payment = (PaymentRequest.objects.select_related("event", "booking__booth__hall",
                                                     "booking__application__organization")
               .filter(event=request.event, pk=request_id).first())
    if payment is None or not may_see_payment(request.user, payment):
        raise Http404("No such payment")
    return payment


@event_view(roles=None)
def payment_page(request, request_id: int):
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    payment = _payment_for(request, request_id)
    payee = Payee.objects.filter(event=request.event).first()
    qr = payload = ""
    if payee and payment.is_open and payment.due > 0:
        payload = vietqr.payload(bank_bin=payee.bank_bin, account=payee.account_number, amount=payment.due,
                                 purpose=payment.reference)
        qr = "data:image/png;base64," + base64.b64encode(vietqr.qr_png(payload, box_size=6)).decode()
    return render(request, "booths/payment.html", {
        "payment": payment, "payee": payee, "bank": bank_of(payee.bank_bin) if payee else None, "qr": qr,
        "payments": payment.payments.all(),
    })


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@event_view(roles=None)
def payment_notice(request, request_id: int):
    payment = _payment_for(request, request_id)
    payee = Payee.objects.filter(event=request.event).first()
    return _pdf(render_payment_notice(request=payment, payee=payee, event=request.event),
                f"notice-{payment.reference}.pdf")


@event_view(roles=None)
def payment_receipt(request, request_id: int):
    payment = _payment_for(request, request_id)
    if not payment.paid_amount and not payment.waived_amount:
        raise Http404("Nothing received yet")
    return _pdf(render_receipt(request=payment, event=request.event), f"receipt-{payment.reference}.pdf")
