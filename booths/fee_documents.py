"""PDF payment notice (what to pay, to whom, with the VietQR code) and receipt (what was received), A4 portrait.

One element per method, like the booth signs; Be Vietnam Pro embedded so Vietnamese names print.
"""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from eventsite.pdf_fonts import BOLD, REGULAR, SEMIBOLD, register_fonts
from eventsite.templatetags.ketnoi import format_vnd

from . import vietqr
from .banks import bank_of


class FeeDocumentRenderer:
    width, height = A4
    margin = 20 * mm

    def __init__(self, canvas: Canvas):
        self.c = canvas
        self.y = self.height - self.margin

    def draw_heading(self, event_name: str, title: str) -> None:
        self.c.setFont(REGULAR, 11)
        self.c.drawString(self.margin, self.y, event_name[:95])
        self.y -= 14 * mm
        self.c.setFont(BOLD, 22)
        self.c.drawString(self.margin, self.y, title)
        self.y -= 12 * mm

    def draw_rows(self, rows: list[tuple[str, str]]) -> None:
        label_width = 55 * mm
        for label, value in rows:
            self.c.setFont(REGULAR, 11)
            self.c.drawString(self.margin, self.y, label)
            self.c.setFont(SEMIBOLD, 11)
            for line in self._wrap(value, SEMIBOLD, 11, self.width - 2 * self.margin - label_width):
                self.c.drawString(self.margin + label_width, self.y, line)
                self.y -= 6.5 * mm
            self.y -= 1.5 * mm

    def draw_qr(self, payload: str, caption: str) -> None:
        side = 60 * mm
        image = ImageReader(io.BytesIO(vietqr.qr_png(payload, box_size=10)))
        self.y -= side
        self.c.drawImage(image, self.margin, self.y, side, side)
        self.c.setFont(REGULAR, 10)
        for i, line in enumerate(self._wrap(caption, REGULAR, 10, self.width - 3 * self.margin - side)):
            self.c.drawString(self.margin + side + 8 * mm, self.y + side - 8 * mm - i * 5 * mm, line)
        self.y -= 8 * mm

    def draw_note(self, text: str) -> None:
        self.c.setFont(REGULAR, 10)
        for line in self._wrap(text, REGULAR, 10, self.width - 2 * self.margin):
            self.c.drawString(self.margin, self.y, line)
            self.y -= 5 * mm

    @staticmethod
    def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
        lines, line = [], ""
        for word in str(text).split():
            trial = f"{line} {word}".strip()
            if pdfmetrics.stringWidth(trial, font, size) > width and line:
                lines.append(line)
                line = word
            else:
                line = trial
        return [*lines, line] if line else lines or [""]


def _document(title: str) -> tuple[io.BytesIO, Canvas]:
    register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.setTitle(title)
    return buffer, canvas


def _booking_rows(request) -> list[tuple[str, str]]:
    booking = request.booking
    return [
        (_("Exhibitor"), booking.application.organization.name),
        (_("Booth"), f"{booking.booth.code} · {booking.booth.hall.name} · {booking.booth.get_kind_display()}"),
        (_("Transfer reference"), request.reference),
    ]


def render_payment_notice(*, request, payee, event) -> bytes:
    """What the exhibitor owes, a waiver with its reason, the payee, the deadline and the VietQR code."""
    buffer, canvas = _document(f"{request.reference} – {event.name}")
    r = FeeDocumentRenderer(canvas)
    r.draw_heading(event.name, _("Payment notice: booth fee"))
    rows = [*_booking_rows(request), (_("Booth fee"), format_vnd(request.amount))]
    if request.waived_amount:
        rows.append((_("Waived"), f"− {format_vnd(request.waived_amount)} ({request.waiver_reason})"))
    if request.paid_amount:
        rows.append((_("Received"), f"− {format_vnd(request.paid_amount)}"))
    rows.append((_("To pay"), format_vnd(request.due)))
    if request.due_at:
        rows.append((_("Pay by"), timezone.localtime(request.due_at).strftime("%d/%m/%Y %H:%M")))
    bank = bank_of(payee.bank_bin) if payee else None
    if payee:
        rows += [(_("Bank"), bank.label if bank else payee.bank_bin), (_("Account number"), payee.account_number),
                 (_("Account name"), payee.account_name)]
    r.draw_rows(rows)
    if payee and request.due > 0:
        r.draw_qr(vietqr.payload(bank_bin=payee.bank_bin, account=payee.account_number, amount=request.due,
                                 purpose=request.reference),
                  _("Scan with your banking app (VietQR): the account, the amount and the reference %(ref)s are "
                    "filled in. Keep the reference unchanged so the transfer is matched to your booth.")
                  % {"ref": request.reference})
    elif request.due == 0:
        r.draw_note(_("Nothing is left to pay for this booth."))
    else:
        r.draw_note(_("The organizer has not set the bank account yet."))
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def render_receipt(*, request, event) -> bytes:
    """Every payment received against the request, the waiver, and what is left to pay."""
    buffer, canvas = _document(f"{_('Receipt')} {request.reference} – {event.name}")
    r = FeeDocumentRenderer(canvas)
    r.draw_heading(event.name, _("Receipt: booth fee"))
    rows = [*_booking_rows(request), (_("Booth fee"), format_vnd(request.amount))]
    if request.waived_amount:
        rows.append((_("Waived"), f"{format_vnd(request.waived_amount)} ({request.waiver_reason})"))
    for payment in request.payments.all():
        rows.append((f"{_('Receipt number')} {payment.receipt_number}",
                     f"{format_vnd(payment.amount)} · {timezone.localtime(payment.received_at):%d/%m/%Y} · "
                     f"{payment.get_method_display()}"))
    rows += [(_("Received in total"), format_vnd(request.paid_amount)), (_("Still to pay"), format_vnd(request.due)),
             (_("Status"), str(request.get_status_display()))]
    r.draw_rows(rows)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
