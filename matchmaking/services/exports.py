"""Printable and importable schedules: a personal PDF, one sheet per table, and iCal.

PDFs use Be Vietnam Pro (``fontpkg-be-vietnam-pro``) so every Vietnamese diacritic prints.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, SimpleDocTemplate, Spacer, Table, TableStyle

from eventsite.models import Event, Organization
from eventsite.pdf_fonts import BOLD, REGULAR, register_fonts
from eventsite.pdf_text import paragraph

from ..models import Meeting, MeetingTable

FONT, FONT_BOLD = REGULAR, BOLD
_fonts = register_fonts


def _styles() -> dict[str, ParagraphStyle]:
    _fonts()
    return {
        "title": ParagraphStyle("title", fontName=FONT_BOLD, fontSize=16, leading=20, spaceAfter=4),
        "sub": ParagraphStyle("sub", fontName=FONT, fontSize=10, leading=13, textColor=colors.HexColor("#333333")),
        "cell": ParagraphStyle("cell", fontName=FONT, fontSize=9, leading=11.5),
        "head": ParagraphStyle("head", fontName=FONT_BOLD, fontSize=9, leading=11.5),
    }


def _time(meeting: Meeting) -> str:
    start, end = timezone.localtime(meeting.slot.starts_at), timezone.localtime(meeting.slot.ends_at)
    return f"{start:%d/%m/%Y}\n{start:%H:%M}–{end:%H:%M}"


def _grid(rows: list[list[str]], widths: list[float], styles) -> Table:
    data = [[paragraph(c, styles["head" if i == 0 else "cell"]) for c in row]
            for i, row in enumerate(rows)]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#888888")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e7eef5")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def _document(buffer: BytesIO, title: str) -> SimpleDocTemplate:
    return SimpleDocTemplate(buffer, pagesize=A4, title=title, leftMargin=15 * mm, rightMargin=15 * mm,
                             topMargin=15 * mm, bottomMargin=15 * mm)


def personal_schedule_pdf(*, event: Event, organization: Organization, meetings: Iterable[Meeting]) -> bytes:
    """One organization's meetings in time order: when, where, with whom, about what."""
    styles = _styles()
    buffer = BytesIO()
    title = _("Meeting schedule")
    rows = [[_("Time"), _("Table"), _("With"), _("Products")]]
    for m in meetings:
        other = m.producer if m.buyer_id == organization.pk else m.buyer
        products = ", ".join(p.name for p in m.request.products.all()) or "—"
        rows.append([_time(m), str(m.table), other.name, products])
    story = [paragraph(f"{title} · {organization.name}", styles["title"]),
             paragraph(f"{event.name} · {event.venue}", styles["sub"]), Spacer(1, 6 * mm)]
    if len(rows) == 1:
        story.append(paragraph(_("No meetings scheduled yet."), styles["cell"]))
    else:
        story.append(_grid(rows, [30 * mm, 32 * mm, 62 * mm, 56 * mm], styles))
    _document(buffer, title).build(story)
    return buffer.getvalue()


def table_sheets_pdf(*, event: Event, tables: Iterable[MeetingTable], meetings: Iterable[Meeting]) -> bytes:
    """One page per table, to lay on it: every meeting at that table, with a box to tick when held."""
    styles = _styles()
    buffer = BytesIO()
    by_table: dict[int, list[Meeting]] = {}
    for m in meetings:
        by_table.setdefault(m.table_id, []).append(m)
    story: list = []
    for table in tables:
        if story:
            story.append(PageBreak())
        story += [paragraph(str(table), styles["title"]),
                  paragraph(f"{event.name} · {_('%(n)s seats') % {'n': table.seats}}", styles["sub"]),
                  Spacer(1, 6 * mm)]
        rows = [[_("Time"), _("Buyer"), _("Producer"), pgettext("meeting", "Held")]]
        rows += [[_time(m), m.buyer.name, m.producer.name, "☐"] for m in by_table.get(table.pk, [])]
        if len(rows) == 1:
            story.append(paragraph(_("No meetings at this table."), styles["cell"]))
        else:
            story.append(_grid(rows, [30 * mm, 68 * mm, 68 * mm, 14 * mm], styles))
    if not story:
        story.append(paragraph(_("No meeting tables yet."), styles["cell"]))
    _document(buffer, _("Table sheets")).build(story)
    return buffer.getvalue()


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """RFC 5545: lines longer than 75 octets continue on the next line after a space."""
    out, current = [], b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > 75:
            out.append(current.decode())
            current = b" "
        current += encoded
    out.append(current.decode())
    return "\r\n".join(out)


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def schedule_ics(*, event: Event, organization: Organization, meetings: Iterable[Meeting], host: str) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Ket Noi//matchmaking//VI", "CALSCALE:GREGORIAN",
             f"X-WR-CALNAME:{_ics_text(event.name)}"]
    stamp = _utc(timezone.now())
    for m in meetings:
        other = m.producer if m.buyer_id == organization.pk else m.buyer
        lines += ["BEGIN:VEVENT", f"UID:meeting-{m.pk}@{host}", f"DTSTAMP:{stamp}",
                  f"DTSTART:{_utc(m.slot.starts_at)}", f"DTEND:{_utc(m.slot.ends_at)}",
                  f"SUMMARY:{_ics_text(_('B2B meeting: %(name)s') % {'name': other.name})}",
                  f"LOCATION:{_ics_text(f'{m.table} · {event.venue}')}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
