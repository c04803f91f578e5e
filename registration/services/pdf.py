"""Badge PDFs with reportlab: a renderer that draws one element per method, and an exporter that lays badges
out on pages (one A6 badge, or A4 sheets of 4 × A6 / 8 × A7 with cut marks). Bulk jobs draw a chunk of badges per
plain reportlab canvas and merge the chunks with pypdf (``write_badge_volumes``), public APIs only.

Text uses Be Vietnam Pro (static TTFs from the ``fontpkg-be-vietnam-pro`` package) so every Vietnamese
diacritic prints; the QR matrix comes from ``qrcode`` (alphanumeric mode, error correction L → version 4 for
our 114-character tokens) and is drawn as vector rectangles, one per horizontal run of dark modules.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager as ContextManager
from contextlib import nullcontext
from dataclasses import dataclass
from itertools import islice

import qrcode
from django.utils import timezone, translation
from pypdf import PdfReader, PdfWriter
from qrcode.constants import ERROR_CORRECT_L
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A4, A6
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from eventsite.pdf_fonts import BOLD, REGULAR, SEMIBOLD, register_fonts

from ..models import Badge, BadgeLayout, RegistrationRole

# Role colour bands: dark enough for white text (WCAG AA), and the role word is always printed on the band.
ROLE_COLOURS = {
    RegistrationRole.BUYER: "#0b5c8a",
    RegistrationRole.EXHIBITOR_STAFF: "#116b2e",
    RegistrationRole.SPEAKER: "#5b2a86",
    RegistrationRole.PRESS: "#8a4b00",
    RegistrationRole.ORGANIZER_STAFF: "#a4161a",
}


@dataclass(frozen=True)
class BadgeData:
    """Everything printed on one badge, resolved before drawing (no queries while rendering)."""

    name: str
    company: str
    role: str
    role_label: str
    role_label_en: str
    token: str
    event_name: str
    event_dates: str
    venue: str


def badge_data(badge: Badge, token: str | None = None) -> BadgeData:
    from .badges import token_for

    reg = badge.registration
    event = badge.event
    role = RegistrationRole(reg.role)
    with translation.override("vi"):
        label = str(role.label)
    with translation.override("en"):
        label_en = str(role.label)
    start, end = timezone.localtime(event.starts_at), timezone.localtime(event.ends_at)
    dates = start.strftime("%d/%m/%Y")
    if end.date() != start.date():
        dates += " – " + end.strftime("%d/%m/%Y")
    return BadgeData(name=reg.full_name, company=reg.company or (reg.organization.name if reg.organization else ""),
                     role=reg.role, role_label=label, role_label_en=label_en, token=token or token_for(badge),
                     event_name=event.name, event_dates=dates, venue=event.venue)


def qr_matrix(token: str) -> list[list[bool]]:
    from .qr import matrix

    return matrix(token)


def qr_version(token: str) -> int:
    qr = qrcode.QRCode(version=None, error_correction=ERROR_CORRECT_L, border=0)
    qr.add_data(token)
    qr.make(fit=True)
    return qr.version


def fit_text(text: str, font: str, width: float, max_size: float, min_size: float,
             max_lines: int = 2) -> tuple[list[str], float]:
    """Shrink ``text`` to fit ``width``: one line if it can at ≥ min_size, else up to ``max_lines`` lines,
    and only as a last resort cut with an ellipsis. Returns (lines, font size)."""
    size = max_size
    while size >= min_size:
        if pdfmetrics.stringWidth(text, font, size) <= width:
            return [text], size
        size -= 0.5
    words = text.split()
    for lines_wanted in range(2, max_lines + 1):
        size = max_size * 0.8
        while size >= min_size:
            lines = _wrap(words, font, size, width)
            if len(lines) <= lines_wanted:
                return lines, size
            size -= 0.5
    lines = _wrap(words, font, min_size, width)[:max_lines]
    last = lines[-1]
    while last and pdfmetrics.stringWidth(last + "…", font, min_size) > width:
        last = last[:-1]
    lines[-1] = last.rstrip() + "…"
    return lines, min_size


def _wrap(words: list[str], font: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if current and pdfmetrics.stringWidth(candidate, font, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


class BadgeRenderer:
    """Draws one badge into a box on a canvas. Each element has its own method; ``draw`` composes them.

    Landscape boxes (A7) put the QR on the right; portrait boxes (A6) put it under the name.
    """

    def __init__(self, canvas: Canvas):
        register_fonts()
        self.c = canvas

    def draw(self, data: BadgeData, x: float, y: float, w: float, h: float) -> None:
        pad = 4 * mm if w < 90 * mm else 6 * mm
        band_h = h * (0.16 if h < w else 0.11)
        self.draw_role_band(data, x, y, w, band_h)
        top = y + h - pad
        top = self.draw_event(data, x + pad, top, w - 2 * pad, small=h < w)
        if h < w:  # landscape: text left, QR right
            qr_size = min(h - band_h - (y + h - top) - 2 * pad, w * 0.42)
            qr_x = x + w - pad - qr_size
            text_w = qr_x - x - 2 * pad
            self.draw_qr(data, qr_x, y + band_h + pad, qr_size)
            name_top = top - 3 * mm
            after = self.draw_name(data, x + pad, name_top, text_w, max_size=20, min_size=10, max_lines=3)
            self.draw_company(data, x + pad, after - 1.5 * mm, text_w, size=8.5)
        else:
            qr_size = min(w * 0.5, 50 * mm)
            after = self.draw_name(data, x + pad, top - 6 * mm, w - 2 * pad, max_size=30, min_size=14, center=True)
            self.draw_company(data, x + pad, after - 2 * mm, w - 2 * pad, size=12, center=True)
            self.draw_qr(data, x + (w - qr_size) / 2, y + band_h + pad, qr_size)

    def draw_role_band(self, data: BadgeData, x: float, y: float, w: float, h: float) -> None:
        c = self.c
        c.setFillColor(HexColor(ROLE_COLOURS.get(data.role, "#333333")))
        c.rect(x, y, w, h, stroke=0, fill=1)
        c.setFillColor(white)
        text = data.role_label.upper()
        if data.role_label_en and data.role_label_en != data.role_label:
            text += " · " + data.role_label_en.upper()
        lines, size = fit_text(text, BOLD, w - 6 * mm, min(h * 0.5, 18), 6, max_lines=1)
        c.setFont(BOLD, size)
        c.drawCentredString(x + w / 2, y + (h - size * 0.7) / 2, lines[0])

    def draw_event(self, data: BadgeData, x: float, top: float, w: float, *, small: bool) -> float:
        c = self.c
        c.setFillColor(HexColor("#1f2d3a"))
        lines, size = fit_text(data.event_name, SEMIBOLD, w, 8 if small else 11, 5.5, max_lines=2)
        for line in lines:
            top -= size * 1.15
            c.setFont(SEMIBOLD, size)
            c.drawString(x, top, line)
        top -= (size if small else 10) * 1.2
        c.setFont(REGULAR, 6.5 if small else 9)
        c.setFillColor(HexColor("#4a5460"))
        c.drawString(x, top, data.event_dates)
        return top

    def draw_name(self, data: BadgeData, x: float, top: float, w: float, *, max_size: float, min_size: float,
                  center: bool = False, max_lines: int = 2) -> float:
        c = self.c
        c.setFillColor(HexColor("#000000"))
        lines, size = fit_text(data.name, BOLD, w, max_size, min_size, max_lines=max_lines)
        c.setFont(BOLD, size)
        for line in lines:
            top -= size * 1.05
            if center:
                c.drawCentredString(x + w / 2, top, line)
            else:
                c.drawString(x, top, line)
            top -= size * 0.15
        return top

    def draw_company(self, data: BadgeData, x: float, top: float, w: float, *, size: float,
                     center: bool = False) -> float:
        if not data.company:
            return top
        c = self.c
        c.setFillColor(HexColor("#1f2d3a"))
        lines, fsize = fit_text(data.company, REGULAR, w, size, size * 0.6, max_lines=3)
        c.setFont(REGULAR, fsize)
        for line in lines:
            top -= fsize * 1.2
            if center:
                c.drawCentredString(x + w / 2, top, line)
            else:
                c.drawString(x, top, line)
        return top

    def draw_qr(self, data: BadgeData, x: float, y: float, size: float) -> None:
        """Dark modules as one filled path in module units (integers), scaled into place: one rectangle per
        horizontal run, written straight into the page stream (reportlab's per-float formatting is the slow part)."""
        modules = qr_matrix(data.token)
        n = len(modules)
        cell = size / (n + 4)  # a 2-module quiet zone inside the box; the badge's white space adds more
        ops = []
        for row_index, row in enumerate(modules):
            top = n - 1 - row_index
            col = 0
            while col < n:
                if row[col]:
                    start = col
                    while col < n and row[col]:
                        col += 1
                    ops.append(f"{start} {top} {col - start} 1 re")
                else:
                    col += 1
        c = self.c
        c.saveState()
        c.setFillColor(HexColor("#000000"))
        c.transform(cell, 0, 0, cell, x + 2 * cell, y + 2 * cell)
        c.addLiteral(" ".join(ops) + " f")
        c.restoreState()


@dataclass(frozen=True)
class Sheet:
    page: tuple[float, float]
    cols: int
    rows: int
    cell: tuple[float, float]
    cut_marks: bool


SHEETS = {
    BadgeLayout.A6_SINGLE: Sheet(A6, 1, 1, A6, False),
    BadgeLayout.A4_4XA6: Sheet(A4, 2, 2, (105 * mm, 148 * mm), True),
    BadgeLayout.A4_8XA7: Sheet(A4, 2, 4, (105 * mm, 74 * mm), True),
}


class BadgeExporter:
    """Draws badges onto the pages of one layout with a plain reportlab canvas writing to ``out``.

    reportlab keeps a canvas's pages in memory until ``save`` (about 60 KB per A4 sheet of 8 QR badges), so one
    exporter is meant for one chunk of at most ``CHUNK_BADGES`` badges; ``write_badges`` merges the chunks.
    """

    def __init__(self, layout: str, out, *, title: str = "Badges"):
        self.sheet = SHEETS[BadgeLayout(layout)]
        self.canvas = Canvas(out, pagesize=self.sheet.page, pageCompression=1, invariant=1)
        self.canvas.setTitle(title)
        self.canvas.setCreator("Kết Nối")
        self.renderer = BadgeRenderer(self.canvas)
        self.slot = 0
        self.count = 0

    def _origin(self, slot: int) -> tuple[float, float]:
        s = self.sheet
        col, row = slot % s.cols, slot // s.cols
        margin_x = (s.page[0] - s.cols * s.cell[0]) / 2
        margin_y = (s.page[1] - s.rows * s.cell[1]) / 2
        return margin_x + col * s.cell[0], s.page[1] - margin_y - (row + 1) * s.cell[1]

    def add(self, data: BadgeData) -> None:
        x, y = self._origin(self.slot)
        self.renderer.draw(data, x, y, *self.sheet.cell)
        self.slot += 1
        self.count += 1
        if self.slot == self.sheet.cols * self.sheet.rows:
            self._end_page()

    def _end_page(self) -> None:
        if self.sheet.cut_marks:
            self._draw_cut_marks()
        self.canvas.showPage()
        self.slot = 0

    def _draw_cut_marks(self) -> None:
        """Short crosses at every cell corner and ticks on the page edge, in grey: cut along them."""
        s, c = self.sheet, self.canvas
        c.setStrokeColor(HexColor("#6e7781"))
        c.setLineWidth(0.3)
        x0, y_top = self._origin(0)[0], s.page[1] - (s.page[1] - s.rows * s.cell[1]) / 2
        arm = 3 * mm
        for i in range(s.cols + 1):
            for j in range(s.rows + 1):
                x, y = x0 + i * s.cell[0], y_top - j * s.cell[1]
                c.line(x - arm, y, x + arm, y)
                c.line(x, y - arm, x, y + arm)

    def close(self) -> None:
        if self.slot:
            self._end_page()
        if self.count == 0:
            self.canvas.showPage()  # an empty but valid PDF
        self.canvas.save()


# Bulk printing keeps memory bounded by public means only: badges are drawn CHUNK_BADGES at a time, each chunk
# by its own plain reportlab canvas (≈ 60 KB per A4 sheet until that chunk is saved), and the chunks' pages are
# merged with pypdf, which holds about 15 KB per merged page until it writes the file. So one file holds at most
# MAX_PAGES_PER_FILE pages (≈ 30 MB): 16,000 badges on A7 sheets, 8,000 on A6 sheets, 2,000 single A6 badges.
# Bigger jobs become several files ("volumes"), which jobs.py puts in one zip. Both numbers are multiples of every
# layout's badges per page (1, 4, 8), so only the last page of a job is ever part-filled.
CHUNK_BADGES = 400
MAX_PAGES_PER_FILE = 2000


def _render_chunk(layout: str, items: list[BadgeData], title: str, tick: Callable[[], None]) -> bytes:
    buffer = io.BytesIO()
    exporter = BadgeExporter(layout, buffer, title=title)
    for data in items:
        exporter.add(data)
        tick()
    exporter.close()
    return buffer.getvalue()


def write_badge_volumes(layout: str, items: Iterable[BadgeData], open_volume: Callable[[int], ContextManager],
                        *, title: str = "Badges", progress: Callable[[int], None] | None = None, every: int = 50,
                        max_pages: int | None) -> tuple[int, int]:
    """Render ``items`` into one or more PDF files of at most ``max_pages`` pages (None: a single file; bulk jobs
    pass ``MAX_PAGES_PER_FILE``).

    ``open_volume(n)`` returns a context manager giving the binary file for volume ``n`` (1, 2, …); each volume is
    written once its pages are all merged. ``progress(done)`` is called every ``every`` badges and at the end.
    Returns (badges, volumes). No badges still makes one valid PDF with one blank page.
    """
    sheet = SHEETS[BadgeLayout(layout)]
    per_page = sheet.cols * sheet.rows
    count = volumes = pages = 0
    writer: PdfWriter | None = None

    def tick() -> None:
        nonlocal count
        count += 1
        if progress and count % every == 0:
            progress(count)

    def write_volume() -> None:
        nonlocal writer, volumes, pages
        volumes += 1
        with open_volume(volumes) as out:
            writer.write(out)
        writer, pages = None, 0

    iterator = iter(items)
    while (chunk := list(islice(iterator, CHUNK_BADGES))) or (volumes == 0 and writer is None):
        rendered = _render_chunk(layout, chunk, title, tick)
        if writer is None and len(chunk) < CHUNK_BADGES:  # the whole job is this one chunk: no merging needed
            volumes += 1
            with open_volume(volumes) as out:
                out.write(rendered)
            break
        if writer is None:
            writer = PdfWriter()
            writer.add_metadata({"/Title": title, "/Creator": "Kết Nối"})
        for page in PdfReader(io.BytesIO(rendered)).pages:
            writer.add_page(page)
        pages += max(1, -(-len(chunk) // per_page))
        if not chunk or (max_pages is not None and pages + CHUNK_BADGES // per_page > max_pages):
            write_volume()
    if writer is not None:
        write_volume()
    if progress:
        progress(count)
    return count, volumes


def write_badges(layout: str, items: Iterable[BadgeData], out, *, title: str = "Badges",
                 progress: Callable[[int], None] | None = None, every: int = 50) -> int:
    """All ``items`` as one PDF written to the binary file ``out``; returns the number of badges."""
    count, _volumes = write_badge_volumes(layout, items, lambda n: nullcontext(out), title=title,
                                          progress=progress, every=every, max_pages=None)
    return count


def render_single(badge: Badge) -> bytes:
    badge = Badge.objects.select_related("registration__organization", "event").get(pk=badge.pk)
    buffer = io.BytesIO()
    write_badges(BadgeLayout.A6_SINGLE, [badge_data(badge)], buffer, title=badge.registration.full_name)
    return buffer.getvalue()


def iter_badge_data(registrations, chunk: int = 500) -> Iterator[BadgeData]:
    """Badge data for a registration queryset, a chunk at a time (badges issued on the way).

    Only one chunk of registrations, badges and tokens is in memory at a time: the ids come from a database
    cursor (``iterator``: a server-side cursor on PostgreSQL), each chunk's rows are loaded, badged, rendered and
    dropped before the next.
    """
    ids = registrations.values_list("pk", flat=True).iterator(chunk_size=chunk)
    while batch := list(islice(ids, chunk)):
        yield from _chunk_badge_data(registrations.model, batch)


def _chunk_badge_data(model, batch: list[int]) -> Iterator[BadgeData]:
    from .badges import ensure_badges

    ensure_badges(model.objects.filter(pk__in=batch).only("pk", "event_id"))
    by_id = {
        b.registration_id: b
        for b in Badge.objects.filter(registration__in=batch).select_related("registration__organization", "event")
    }
    for pk in batch:
        yield badge_data(by_id.pop(pk))
