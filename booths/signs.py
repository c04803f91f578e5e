"""Printable booth signs (A4 landscape PDF): booth code, exhibitor, and a QR code to the booth's catalog page.

One element per method, like pretix's badge renderer; Be Vietnam Pro is embedded so diacritics print.
"""

from __future__ import annotations

import io

import qrcode
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from eventsite.pdf_fonts import BOLD, REGULAR, register_fonts

_register_fonts = register_fonts


class BoothSignRenderer:
    width, height = landscape(A4)
    margin = 18 * mm

    def __init__(self, canvas: Canvas):
        self.c = canvas

    def draw_event(self, event_name: str) -> None:
        self.c.setFont(REGULAR, 14)
        self.c.drawString(self.margin, self.height - self.margin, event_name[:110])

    def draw_code(self, code: str) -> None:
        self.c.setFont(BOLD, 120)
        self.c.drawString(self.margin, self.height - self.margin - 130, code)

    def draw_exhibitor(self, name: str, province: str) -> None:
        size = 34 if len(name) < 40 else 24
        self.c.setFont(BOLD, size)
        y = self.height / 2 - 40
        max_width = self.width - 2 * self.margin - 75 * mm
        words, line = name.split(), ""
        for word in words:
            trial = f"{line} {word}".strip()
            if pdfmetrics.stringWidth(trial, BOLD, size) > max_width and line:
                self.c.drawString(self.margin, y, line)
                y -= size * 1.25
                line = word
            else:
                line = trial
        self.c.drawString(self.margin, y, line)
        if province:
            self.c.setFont(REGULAR, 18)
            self.c.drawString(self.margin, y - 30, province)

    def draw_qr(self, url: str) -> None:
        image = qrcode.make(url, box_size=10, border=2).get_image()
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        buffer.seek(0)
        side = 70 * mm
        self.c.drawImage(ImageReader(buffer), self.width - self.margin - side, self.margin + 12 * mm, side, side)
        self.c.setFont(REGULAR, 9)
        self.c.drawRightString(self.width - self.margin, self.margin + 6 * mm, url)

    def draw_footer(self, text: str) -> None:
        self.c.setFont(REGULAR, 12)
        self.c.drawString(self.margin, self.margin, text)


def render_booth_signs(*, event, signs: list[tuple]) -> bytes:
    """One page per (booth, exhibitor organization, url)."""
    _register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=landscape(A4))
    canvas.setTitle(event.name)
    for booth, exhibitor, url in signs:
        renderer = BoothSignRenderer(canvas)
        renderer.draw_event(event.name)
        renderer.draw_code(booth.code)
        renderer.draw_exhibitor(exhibitor.name, exhibitor.province_name)
        renderer.draw_qr(url)
        renderer.draw_footer(f"{booth.hall.name} · {booth.get_kind_display()} · {booth.w:g} × {booth.h:g} m")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def render_booth_sign(*, booth, exhibitor, url: str, event) -> bytes:
    return render_booth_signs(event=event, signs=[(booth, exhibitor, url)])
