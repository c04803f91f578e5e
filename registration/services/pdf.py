"""Badge PDFs with reportlab: a renderer that draws one element per method, and an exporter that lays badges
out on pages (one A6 badge, or A4 sheets of 4 × A6 / 8 × A7 with cut marks) and writes them to a file.

Text uses Be Vietnam Pro (static TTFs from the ``fontpkg-be-vietnam-pro`` package) so every Vietnamese
diacritic prints; the QR matrix comes from ``qrcode`` (alphanumeric mode, error correction L → version 4 for
our 114-character tokens) and is drawn as vector rectangles, one per horizontal run of dark modules.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

import qrcode
from django.utils import timezone, translation
from qrcode.constants import ERROR_CORRECT_L
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A4, A6
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfdoc, pdfmetrics
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
        c._code.append(" ".join(ops) + " f")  # noqa: SLF001 - raw path operators, see docstring
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


class _Written(pdfdoc.PDFObject):
    """Stands in the document for an indirect object whose bytes are already in the output file."""

    def __init__(self, offset: int):
        self.offset = offset


class StreamingDocument(pdfdoc.PDFDocument):
    """A reportlab document that writes each page's content stream to the output as the page is finished.

    reportlab keeps every page's (uncompressed) content until ``save`` and then builds the whole file as one
    bytes object: about 60 KB per A4 sheet of 8 badges here, so a 5,000-badge job grew by ~40 MB. Here a finished
    page's content is compressed and written at once (an indirect object whose number is reserved then; PDF
    objects may come in any order, the cross-reference table says where each one is), then the page dictionary
    too; ``save`` writes the remaining objects (page tree, fonts, info), the xref and the trailer straight to the
    file. What stays per page is a few dozen bytes (object number, offset, a stand-in in the page tree). The
    output must be an empty binary file object (offsets are counted from its start); encryption and digital
    signatures are not supported (we use neither).
    """

    def __init__(self, out, **kwargs):
        super().__init__(**kwargs)
        self._out = out
        self._offset = 0
        self._header_version = None

    def _write(self, data: bytes) -> int:
        if self._header_version is None:  # reportlab's own header, written before the first object
            self._header_version = self._pdfVersion
            header = pdfdoc.PDFFile(self._pdfVersion).format(self)
            self._out.write(header)
            self._offset = len(header)
        offset = self._offset
        self._out.write(data)
        self._offset += len(data)
        return offset

    def addPage(self, page) -> None:  # noqa: N802 - reportlab's name
        if page.stream is not None and not page.Contents:
            content = page.stream.encode("utf8") if isinstance(page.stream, str) else page.stream
            dictionary = pdfdoc.PDFDictionary()
            if page.compression:  # what reportlab's PDFStream does at save, done now: zlib, /FlateDecode
                content = zlib.compress(content)
                dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
            else:
                dictionary["Filter"] = pdfdoc.PDFArray([])  # present, so no default filter is applied
            stream = pdfdoc.PDFStream(dictionary, content)
            ref = self.Reference(stream)
            self.idToObject[ref.name] = _Written(
                self._write(pdfdoc.PDFIndirectObject(ref.name, stream).format(self)))
            page.Contents = ref
            page.stream = None
        super().addPage(page)
        # The page dictionary itself (resources point at the shared font dictionary by number, so fonts added
        # later still resolve): written now, and the page tree keeps a stand-in that formats as its reference.
        name = getattr(page, pdfdoc.__InternalName__)
        written = _Written(self._write(pdfdoc.PDFIndirectObject(name, page).format(self)))
        setattr(written, pdfdoc.__InternalName__, name)
        self.idToObject[name] = written
        self.Pages.pages[-1] = written

    def format(self) -> bytes:
        """Write what is left (reportlab's ``PDFDocument.format`` without collecting the file in memory)."""
        self.encrypt.prepare(self)
        if self.encrypt.info():
            raise NotImplementedError("encrypted PDFs are not streamed")
        catalog = self.Reference(self.Catalog)
        info = self.Reference(self.info)
        ids = []
        number = 0
        while True:  # objects may be added while earlier ones are formatted (fonts, resources)
            number += 1
            if number not in self.numberToId:
                break
            oid = self.numberToId[number]
            obj = self.idToObject[oid]
            if isinstance(obj, _Written):
                self.idToOffset[oid] = obj.offset
            else:
                self.idToOffset[oid] = self._write(pdfdoc.PDFIndirectObject(oid, obj).format(self))
            ids.append(oid)
        if number - 1 != len(self.numberToId):
            raise ValueError("object numbers are not contiguous")
        if self._pdfVersion != self._header_version:
            raise ValueError(f"PDF version went up to {self._pdfVersion} after the header was written")
        xref = pdfdoc.PDFCrossReferenceTable()
        xref.addsection(0, ids)
        start = self._write(xref.format(self))
        trailer = pdfdoc.PDFTrailer(startxref=start, Size=len(ids) + 1, Root=catalog, Info=info, ID=self.ID())
        self._write(trailer.format(self))
        return b""  # everything is in the file already; SaveToFile writes these zero bytes


class StreamingCanvas(Canvas):
    """A canvas whose document is a ``StreamingDocument`` writing to ``out`` (an empty binary file object)."""

    def __init__(self, out, **kwargs):
        super().__init__(out, **kwargs)
        # Canvas has no hook for its document class: swap it before anything is drawn, then redo the preamble,
        # which registered the initial font in the document just replaced.
        self._doc = StreamingDocument(out, compression=self._pageCompression, invariant=kwargs.get("invariant"),
                                      filename=out, pdfVersion=pdfdoc.PDF_VERSION_DEFAULT)
        self._make_preamble()


class BadgeExporter:
    """Writes badges onto pages of one layout, streaming: each finished page goes to ``out`` at once (see
    ``StreamingDocument``), so memory stays flat however many badges a job prints."""

    def __init__(self, layout: str, out, *, title: str = "Badges"):
        self.sheet = SHEETS[BadgeLayout(layout)]
        self.canvas = StreamingCanvas(out, pagesize=self.sheet.page, pageCompression=1, invariant=1)
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


def write_badges(layout: str, items: Iterable[BadgeData], out, *, title: str = "Badges",
                 progress: Callable[[int], None] | None = None, every: int = 50) -> int:
    exporter = BadgeExporter(layout, out, title=title)
    for data in items:
        exporter.add(data)
        if progress and exporter.count % every == 0:
            progress(exporter.count)
    exporter.close()
    if progress:
        progress(exporter.count)
    return exporter.count


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
