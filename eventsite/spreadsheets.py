"""Exports that open in Excel or LibreOffice: never let a cell run as a formula (CSV/formula injection)."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

# What a spreadsheet treats as the start of a formula, including the full-width forms Excel also accepts.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise_cell(value):
    """Prefix a quote to text that a spreadsheet would run as a formula; other values pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


# --- Typed cells ------------------------------------------------------------------------------------------------
# Exports hand over typed values (text, whole numbers, amounts, dates and times); each writer shows them as its
# format expects: XLSX as real dates and numbers a spreadsheet can sort and sum, CSV as Vietnamese-style text.

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
AMOUNT_FORMAT = "#,##0"


def csv_cell(value) -> str:
    """A typed value as CSV text (dates dd/mm/yyyy HH:MM in the event's time zone, text guarded)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if timezone.is_aware(value) \
            else value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return neutralise_cell(value if isinstance(value, str) else str(value))


def csv_bytes(headers: Iterable[str], rows: Iterable[Iterable]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel shows Vietnamese diacritics correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_cell(h) for h in headers])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(headers: list[str], rows: Iterable[Iterable], *, title: str,
               widths: Iterable[int] | None = None) -> bytes:
    """One sheet, streamed (write-only, so memory stays flat for long lists): a bold, frozen header row; text
    cells stored as text (never a formula); dates and times as spreadsheet dates; numbers with thousands
    separators."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=(title or "Sheet")[:31].translate(str.maketrans("[]:*?/\\", "       ")))
    sheet.freeze_panes = "A2"
    for i, width in enumerate(widths or (), start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    bold = Font(bold=True)

    def text(value: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=neutralise_cell(value))
        cell.data_type = "s"  # never let openpyxl read a value as a formula
        return cell

    def typed(value) -> WriteOnlyCell:
        if value is None:
            return WriteOnlyCell(sheet, value=None)
        if isinstance(value, datetime):
            local = timezone.localtime(value) if timezone.is_aware(value) else value
            cell = WriteOnlyCell(sheet, value=local.replace(tzinfo=None))
            cell.number_format = DATETIME_FORMAT
            return cell
        if isinstance(value, date):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = DATE_FORMAT
            return cell
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal) or not math.isfinite(value):
            return text(str(value))
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = AMOUNT_FORMAT if value == int(value) else "#,##0.##"
        return cell

    header_cells = []
    for h in headers:
        cell = text(str(h))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([typed(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
