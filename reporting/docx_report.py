"""The official report as a Word document (python-docx), laid out per Decree 30/2020/NĐ-CP, Appendix I.

It prints the ``OfficialReport`` that reporting/content.py builds (the PDF renderer, reporting/pdf_report.py,
prints the same object). Plain paragraphs, tables and styles only, so the file opens and stays editable in Word
and LibreOffice. Page numbers from the second page, centred at the top. Times New Roman throughout, in the
decree's sizes: national motto 13 and 14 pt; issuing body, number, title, subject, body and signature 13–14 pt;
"Nơi nhận:" 12 pt and its list 11 pt. A4 with margins top and bottom 20 mm, left 30 mm, right 15 mm.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from .content import MOTTO, MOTTO_NATION, TABLE_HEADER, OfficialReport, count_text, shown_figures

FONT = "Times New Roman"
BODY_PT = 14
HEADER_PT = 13
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
PAGE_MM = (210, 297)  # A4


def _set_font(run, size: float, *, bold: bool = False, italic: bool = False) -> None:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    # Word picks the East Asian / complex-script font slots for some Vietnamese letters: name it everywhere.
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)


def _para(container, text: str = "", *, size: float = BODY_PT, bold: bool = False, italic: bool = False,
          align=WD_ALIGN_PARAGRAPH.LEFT, indent_first: bool = False, after: float = 0, before: float = 0,
          keep: bool = False):
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.keep_with_next = keep or None
    fmt.space_after, fmt.space_before = Pt(after), Pt(before)
    if indent_first:
        fmt.first_line_indent = Cm(1.27)
    if text:
        _set_font(paragraph.add_run(text), size, bold=bold, italic=italic)
    return paragraph


def _rule_below(paragraph, *, indent_mm: float) -> None:
    """The short horizontal line the decree draws under the motto, the issuing body and the subject: a bottom
    border of a paragraph narrowed by its indents (editable as ordinary paragraph formatting)."""
    fmt = paragraph.paragraph_format
    fmt.left_indent = fmt.right_indent = Mm(indent_mm)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _no_borders(table) -> None:
    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    properties.append(borders)


def _two_columns(document, left_mm: float, right_mm: float):
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _no_borders(table)
    for cell, width in zip(table.rows[0].cells, (left_mm, right_mm), strict=True):
        cell.width = Mm(width)
        cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)  # start each cell empty
    return table.rows[0].cells


def _page_numbers(section) -> None:
    """The decree numbers pages from the second one, centred at the top: a PAGE field in the header, with an
    empty header on the first page."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = paragraph.add_run("2")  # what Word shows until it updates the field
    _set_font(run, BODY_PT)
    field.append(run._r)
    paragraph._p.append(field)


def render_docx(report: OfficialReport) -> bytes:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    for side, value in MARGINS_MM.items():
        setattr(section, f"{side}_margin", Mm(value))
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    _page_numbers(section)
    document.core_properties.title = report.document_title
    document.core_properties.author = report.issuing_body
    document.core_properties.language = "vi-VN"
    width = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]

    # Header: issuing body and number on the left, national motto and place/date on the right.
    left, right = _two_columns(document, 65, width - 65)
    center = WD_ALIGN_PARAGRAPH.CENTER
    if report.parent_body:
        _para(left, report.parent_body, size=HEADER_PT, align=center)
    _rule_below(_para(left, report.issuing_body, size=HEADER_PT, bold=True, align=center, after=6), indent_mm=18)
    _para(left, report.number_line, size=HEADER_PT, align=center)
    _para(right, MOTTO_NATION, size=HEADER_PT, bold=True, align=center)
    _rule_below(_para(right, MOTTO, size=BODY_PT, bold=True, align=center, after=6), indent_mm=18)
    _para(right, report.place_date, size=BODY_PT, italic=True, align=center)

    _para(document, report.title, size=BODY_PT, bold=True, align=center, before=18)
    _rule_below(_para(document, report.subject, size=BODY_PT, bold=True, align=center, after=12), indent_mm=50)

    justify = WD_ALIGN_PARAGRAPH.JUSTIFY
    for text in report.opening:
        _para(document, text, align=justify, indent_first=True, after=6)
    for part in report.parts:
        _para(document, part.heading, bold=True, align=justify, indent_first=True, after=6, before=6, keep=True)
        for text in part.paragraphs:
            _para(document, text, align=justify, indent_first=True, after=6)
        for number, report_section in enumerate(part.sections, start=1):
            _para(document, f"{number}. {report_section.title}", bold=True, align=justify, indent_first=True,
                  after=6, keep=True)
            for text in report_section.sentences:
                _para(document, text, align=justify, indent_first=True, after=6)
            if shown_figures(report_section):
                _figures_table(document, shown_figures(report_section), width)
    _para(document, report.closing, align=justify, indent_first=True, after=12, before=6)

    # Recipients on the left, signature on the right.
    left, right = _two_columns(document, width / 2 - 5, width / 2 + 5)
    _para(left, report.recipients_heading, size=12, bold=True, italic=True)
    for line in report.recipients:
        _para(left, line, size=11)
    for line in report.signer_position:
        _para(right, line, size=BODY_PT, bold=True, align=center)
    _para(right, "", size=BODY_PT, after=60)  # room for the signature and the seal
    _para(right, report.signer_name, size=BODY_PT, bold=True, align=center)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _figures_table(document, figures, width_mm: float) -> None:
    table = document.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = (width_mm * 0.72, width_mm * 0.28)
    for cell, text, w in zip(table.rows[0].cells, TABLE_HEADER, widths, strict=True):
        cell.width = Mm(w)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _set_font(cell.paragraphs[0].add_run(text), HEADER_PT, bold=True)
    for figure in figures:
        cells = table.add_row().cells
        for cell, text, align, w in zip(cells, (str(figure.label), count_text(figure.value)),
                                        (WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT), widths, strict=True):
            cell.width = Mm(w)
            cell.paragraphs[0].alignment = align
            _set_font(cell.paragraphs[0].add_run(text), HEADER_PT)
    _para(document, "", after=6)
