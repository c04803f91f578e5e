"""The official report as PDF (reportlab), laid out per Decree 30/2020/NĐ-CP from the same ``OfficialReport`` as
the DOCX (reporting/content.py builds it once; reporting/docx_report.py is the other renderer). Not converted from the
DOCX: no office suite runs on the server.

Times New Roman cannot be installed here, so the PDF uses Liberation Serif (Debian fonts-liberation2): metric-
compatible with Times New Roman (same widths, so the same line breaks) and covering Vietnamese. Its folder is the
setting ``OFFICIAL_REPORT_FONT_DIR``; a missing font raises ``ReportFontMissing`` with the package to install
(``make run`` and ``make test`` install it). Every text goes through ``eventsite.pdf_text.paragraph`` (escaped), so
names with ``<`` or ``&`` print as written.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from django.conf import settings
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import HRFlowable, SimpleDocTemplate, Spacer, Table, TableStyle

from eventsite.pdf_text import paragraph

from .content import MOTTO, MOTTO_NATION, TABLE_HEADER, OfficialReport, count_text, shown_figures
from .docx_report import BODY_PT, HEADER_PT, MARGINS_MM

REGULAR, BOLD, ITALIC, BOLD_ITALIC = ("LiberationSerif", "LiberationSerif-Bold", "LiberationSerif-Italic",
                                      "LiberationSerif-BoldItalic")
_FILES = {REGULAR: "LiberationSerif-Regular.ttf", BOLD: "LiberationSerif-Bold.ttf",
          ITALIC: "LiberationSerif-Italic.ttf", BOLD_ITALIC: "LiberationSerif-BoldItalic.ttf"}


class ReportFontMissing(RuntimeError):
    """Liberation Serif is not where the setting says."""


def font_dir() -> Path:
    return Path(getattr(settings, "OFFICIAL_REPORT_FONT_DIR", "/usr/share/fonts/truetype/liberation2"))


def missing_fonts() -> list[str]:
    return [str(font_dir() / file) for file in _FILES.values() if not (font_dir() / file).is_file()]


def register_fonts() -> None:
    """Register the four Liberation Serif faces with reportlab (once per process); raise ``ReportFontMissing``,
    naming the package, when a file is not there."""
    missing = missing_fonts()
    if missing:
        raise ReportFontMissing(
            f"Liberation Serif is missing ({', '.join(missing)}): install the Debian package fonts-liberation2 "
            "(make run and make test do) or set OFFICIAL_REPORT_FONT_DIR.")
    _register(str(font_dir()))


@cache
def _register(folder: str) -> None:
    for name, file in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(Path(folder) / file)))
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=ITALIC, boldItalic=BOLD_ITALIC)


def _style(name: str, *, font: str = REGULAR, size: float = BODY_PT, align=TA_JUSTIFY, indent: float = 0,
           after: float = 0, before: float = 0, keep: bool = False) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=font, fontSize=size, leading=size * 1.25, alignment=align,
                          firstLineIndent=indent, spaceAfter=after, spaceBefore=before, keepWithNext=int(keep))


def _styles() -> dict[str, ParagraphStyle]:
    indent = 12.7 * mm
    return {
        "header": _style("header", size=HEADER_PT, align=TA_CENTER),
        "header_bold": _style("header_bold", font=BOLD, size=HEADER_PT, align=TA_CENTER),
        "motto": _style("motto", font=BOLD, align=TA_CENTER),
        "place_date": _style("place_date", font=ITALIC, align=TA_CENTER),
        "title": _style("title", font=BOLD, align=TA_CENTER, before=18),
        "subject": _style("subject", font=BOLD, align=TA_CENTER),
        "body": _style("body", indent=indent, after=6),
        "heading": _style("heading", font=BOLD, indent=indent, after=6, before=6, keep=True),
        "cell": _style("cell", size=HEADER_PT, align=TA_LEFT),
        "cell_head": _style("cell_head", font=BOLD, size=HEADER_PT, align=TA_CENTER),
        "cell_number": _style("cell_number", size=HEADER_PT, align=TA_RIGHT),
        "recipients_heading": _style("recipients_heading", font=BOLD_ITALIC, size=12, align=TA_LEFT),
        "recipient": _style("recipient", size=11, align=TA_LEFT),
        "signer": _style("signer", font=BOLD, align=TA_CENTER),
    }


def _rule(width: float) -> HRFlowable:
    return HRFlowable(width=width, thickness=0.6, color="#000000", spaceBefore=3, spaceAfter=5, hAlign="CENTER")


def _columns(left: list, right: list, widths: tuple[float, float], *, left_align: str = "CENTER") -> Table:
    """Two borderless columns (header: issuing body | motto; footer: recipients | signature); the short rules are
    centred by the cell's alignment."""
    table = Table([[left, right]], colWidths=list(widths))
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("ALIGN", (0, 0), (0, 0), left_align),
                               ("ALIGN", (1, 0), (1, 0), "CENTER")]))
    return table


def render_pdf(report: OfficialReport) -> bytes:
    register_fonts()
    s = _styles()
    width = A4[0] - (MARGINS_MM["left"] + MARGINS_MM["right"]) * mm

    left = [paragraph(report.parent_body, s["header"])] if report.parent_body else []
    left += [paragraph(report.issuing_body, s["header_bold"]), _rule(25 * mm),
             paragraph(report.number_line, s["header"])]
    right = [paragraph(MOTTO_NATION, s["header_bold"]), paragraph(MOTTO, s["motto"]), _rule(60 * mm),
             paragraph(report.place_date, s["place_date"])]
    story: list = [_columns(left, right, (65 * mm, width - 65 * mm)),
                   paragraph(report.title, s["title"]), paragraph(report.subject, s["subject"]), _rule(50 * mm),
                   Spacer(1, 6)]
    story += [paragraph(text, s["body"]) for text in report.opening]
    for part in report.parts:
        story.append(paragraph(part.heading, s["heading"]))
        story += [paragraph(text, s["body"]) for text in part.paragraphs]
        for number, section in enumerate(part.sections, start=1):
            story.append(paragraph(f"{number}. {section.title}", s["heading"]))
            story += [paragraph(text, s["body"]) for text in section.sentences]
            if shown_figures(section):
                story += [_figures_table(shown_figures(section), width, s), Spacer(1, 6)]
    story += [paragraph(report.closing, s["body"]), Spacer(1, 12)]

    recipients = [paragraph(report.recipients_heading, s["recipients_heading"])]
    recipients += [paragraph(line, s["recipient"]) for line in report.recipients]
    signature = [paragraph(line, s["signer"]) for line in report.signer_position]
    signature += [Spacer(1, 60), paragraph(report.signer_name, s["signer"])]
    story.append(_columns(recipients, signature, (width / 2 - 5 * mm, width / 2 + 5 * mm), left_align="LEFT"))

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=MARGINS_MM["left"] * mm,
                            rightMargin=MARGINS_MM["right"] * mm, topMargin=MARGINS_MM["top"] * mm,
                            bottomMargin=MARGINS_MM["bottom"] * mm, title=report.document_title,
                            author=report.issuing_body, lang="vi")
    doc.build(story, onLaterPages=_page_number)
    return out.getvalue()


def _page_number(canvas, doc) -> None:
    """From the second page, its number centred in the top margin (Decree 30)."""
    canvas.saveState()
    canvas.setFont(REGULAR, BODY_PT)
    center = (MARGINS_MM["left"] * mm + A4[0] - MARGINS_MM["right"] * mm) / 2
    canvas.drawCentredString(center, A4[1] - MARGINS_MM["top"] * mm / 2 - 2 * mm, str(doc.page))
    canvas.restoreState()


def _figures_table(figures, width: float, s: dict) -> Table:
    rows = [[paragraph(TABLE_HEADER[0], s["cell_head"]), paragraph(TABLE_HEADER[1], s["cell_head"])]]
    rows += [[paragraph(f.label, s["cell"]), paragraph(count_text(f.value), s["cell_number"])] for f in figures]
    table = Table(rows, colWidths=[width * 0.72, width * 0.28], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "#000000"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table
