"""The printable PDF summary of an event's results, in Vietnamese, for the department's report."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from eventsite.apps import collect_stats
from eventsite.models import EventRole
from eventsite.pdf_fonts import BOLD, REGULAR, register_fonts
from eventsite.pdf_text import paragraph
from eventsite.templatetags.ketnoi import format_vnd

from .exports import participant_counts
from .tally import dashboard

FONT, FONT_BOLD = REGULAR, BOLD


def _pdf_text(label: str) -> str:
    """Be Vietnam Pro has no ↔ glyph: print an en dash instead of a missing-glyph box."""
    return label.replace("↔", "–")


def _sentence(label: str) -> str:
    """Upper-case the first letter only (str.capitalize would turn “OCOP” into “ocop”)."""
    return label[:1].upper() + label[1:]


def _money(value: int, language: str) -> str:
    return format_vnd(value, language) if value else "—"


def _table(data: list[list], widths: list[float]) -> Table:
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), FONT, 10),
        ("FONT", (0, 0), (-1, 0), FONT_BOLD, 10),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e7eef5")),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#8c959f")),
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def _breakdown(title: str, rows, board, language: str, styles: dict, text_width: float) -> Table:
    data = [[title, _("Number"), _("Estimated value")]]
    data += [[paragraph(r.label, styles["p"]), str(r.count), _money(r.value, language)] for r in rows]
    data.append([_("Total"), str(board.total_count), _money(board.total_value, language)])
    return _table(data, [text_width * 0.55, text_width * 0.15, text_width * 0.3])


def summary_pdf(event, *, language: str = "vi") -> bytes:
    """Participants by role, other apps' figures (via AppConfig.event_stats), agreements by kind with values."""
    register_fonts()
    with override(language):
        return _build(event, language)


def report_params(data) -> dict:
    """The report's language: Vietnamese (the department's) unless English is asked for."""
    return {"language": "en" if (data or {}).get("lang") == "en" else "vi"}


def build_pdf_report(event, params: dict, progress) -> tuple[bytes, str, str]:
    """Background kind "agreements_pdf" (eventsite.reports)."""
    content = summary_pdf(event, language=params.get("language", "vi"))
    return content, f"{event.slug}-report.pdf", "application/pdf"


def _build(event, language: str) -> bytes:
    styles = {
        "h1": ParagraphStyle("h1", fontName=FONT_BOLD, fontSize=16, leading=21, spaceAfter=6),
        "h2": ParagraphStyle("h2", fontName=FONT_BOLD, fontSize=12.5, leading=17, spaceBefore=10, spaceAfter=4),
        "p": ParagraphStyle("p", fontName=FONT, fontSize=10, leading=14),
    }
    text_width = A4[0] - 36 * mm
    story = [
        paragraph(_("Results report"), styles["h1"]),
        paragraph(event.name, styles["h2"]),
        paragraph(
            _("%(venue)s, %(start)s – %(end)s. Organized by %(organizer)s.") % {
                "venue": event.venue,
                "start": timezone.localtime(event.starts_at).strftime("%d/%m/%Y"),
                "end": timezone.localtime(event.ends_at).strftime("%d/%m/%Y"),
                "organizer": event.organizer.name,
            }, styles["p"]),
    ]

    counts = participant_counts(event)
    story.append(paragraph(_("Participants"), styles["h2"]))
    data = [[_("Role"), _("Number")]]
    for role, label in EventRole.Role.choices:
        data.append([str(label), str(counts.get(role, 0))])
    story.append(_table(data, [text_width * 0.7, text_width * 0.3]))

    # Figures other apps publish (booths, check-ins ...) through the AppConfig.event_stats hook.
    stats = [s for s in collect_stats(event) if s.label]
    if stats:
        story.append(paragraph(_("Event figures"), styles["h2"]))
        data = [[_("Figure"), _("Value")]] + [[_sentence(str(s.label)), str(s.value)] for s in stats]
        story.append(_table(data, [text_width * 0.7, text_width * 0.3]))

    board = dashboard(event)
    story.append(paragraph(_("Cooperation agreements signed"), styles["h2"]))
    data = [[_("Kind"), _("Number"), _("Estimated value")]]
    for row in board.by_kind:
        data.append([paragraph(_pdf_text(row.label), styles["p"]), str(row.count),
                     _money(row.value, language)])
    data.append([_("Total"), str(board.total_count), _money(board.total_value, language)])
    story.append(_table(data, [text_width * 0.55, text_width * 0.15, text_width * 0.3]))
    n, m = board.business_with_distributors
    if n:
        story.append(Spacer(1, 4))
        story.append(paragraph(
            _("%(n)d business agreements with %(m)d distributors and retail chains.") % {"n": n, "m": m},
            styles["p"]))
    # Every breakdown lists all agreements once (a long one ends with an "Other (K …)" row) and its total.
    if board.by_province:
        heading = (_("By partner province (top %(n)d and the rest)") % {"n": board.top}
                   if board.others.get("province") else _("By partner province"))
        story.append(paragraph(heading, styles["h2"]))
        story.append(_breakdown(_("Partner province"), board.by_province, board, language, styles, text_width))
    if board.by_product_group:
        story.append(paragraph(_("By product group"), styles["h2"]))
        story.append(_breakdown(_("Product group"), board.by_product_group, board, language, styles, text_width))
    story.append(Spacer(1, 10))
    story.append(paragraph(
        _("Only verified agreements that are not cancelled are counted. Produced on %(date)s.")
        % {"date": timezone.localtime().strftime("%d/%m/%Y %H:%M")}, styles["p"]))

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=f"{_('Results report')} – {event.name}",
                            author=event.organizer.name, lang=language)
    doc.build(story)
    return buf.getvalue()
