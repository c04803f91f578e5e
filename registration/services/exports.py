"""CSV and XLSX exports of a registration list, safe to open in a spreadsheet.

A cell that starts with = + - @, a tab or a carriage return would be run as a formula by Excel or
LibreOffice (CSV injection); such cells get a leading apostrophe, which spreadsheets show as text."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from catalog.ocop import ProductGroup

from ..models import Registration, RegistrationQuestion
from .columns import COLUMNS, EXPORT_ONLY

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    text = "" if value is None else str(value)
    if text.startswith(DANGEROUS_PREFIXES):
        return "'" + text
    return text


def export_table(registrations: Iterable[Registration],
                 questions: list[RegistrationQuestion]) -> tuple[list[str], list[list[str]]]:
    """Header and rows (all text, already neutralised) for the given registrations."""
    groups = dict(ProductGroup.choices)
    headers = [str(label) for _f, label in COLUMNS + EXPORT_ONLY] + [q.label for q in questions]
    rows = []
    for r in registrations:
        answers = []
        for q in questions:
            value = r.answers.get(q.key)
            if isinstance(value, bool):
                value = _("Yes") if value else _("No")
            answers.append(value)
        values = [
            r.full_name, r.email, r.phone, r.company, r.get_role_display(),
            r.get_buyer_type_display() if r.buyer_type else "", r.job_title, r.province_name,
            r.get_status_display(), "; ".join(str(groups.get(g, g)) for g in r.product_groups), r.needs,
            date_format(timezone.localtime(r.created_at), "SHORT_DATETIME_FORMAT"), r.get_source_display(),
            *answers,
        ]
        rows.append([neutralise(v) for v in values])
    return [neutralise(h) for h in headers], rows


def render_csv(headers: list[str], rows: list[list[str]]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel shows Vietnamese diacritics correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def render_xlsx(headers: list[str], rows: list[list[str]], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=(title or "Registrations")[:31].translate(str.maketrans("[]:*?/\\", "       ")))
    bold = Font(bold=True)
    header_cells = []
    for h in headers:
        cell = WriteOnlyCell(sheet, value=h)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # never let openpyxl read a value as a formula
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
