"""Reading an uploaded spreadsheet (CSV or XLSX) into rows of text, with the checks every upload needs:
size, format by content (not by name), encoding, an XLSX that unpacks to a huge size, too many rows.

Failures raise :class:`TableFileError` (a translated 400 with a ``code``), never a 500. The same checks as
``registration.services.imports.read_table``, parametrised for any app (booths reads bank statements here).
"""

from __future__ import annotations

import csv
import io
import zipfile

from django.utils.translation import gettext as _

from .errors import DomainError

SIGNATURES = (b"%PDF", b"MZ", b"\x7fELF", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"Rar!",
              b"\x1f\x8b", b"<", b"\xef\xbb\xbf<")


class TableFileError(DomainError):
    """The file as a whole cannot be read (size, format, encoding, rows)."""

    code = "table_file"
    status = 400


def _wrong_format() -> TableFileError:
    return TableFileError(_("This file is not a CSV or XLSX spreadsheet. Save it as .xlsx or CSV (UTF-8) and try "
                            "again."), code="wrong_format")


def too_large(max_bytes: int) -> TableFileError:
    """The error for a file over ``max_bytes`` (views check an upload's size before reading it)."""
    return TableFileError(_("The file is larger than %(size)s MB. Split it into smaller files.")
                          % {"size": f"{max_bytes / 1024 / 1024:g}"}, code="too_large")


def read_table(data: bytes, *, max_bytes: int, max_rows: int, max_columns: int = 40,
               max_unpacked: int = 40 * 1024 * 1024) -> list[list[str]]:
    """All non-empty rows (header rows included) as stripped text; numbers from XLSX as plain digits."""
    if len(data) > max_bytes:
        raise too_large(max_bytes)
    if not data.strip():
        raise TableFileError(_("The file is empty."), code="empty")
    if data.startswith(b"PK\x03\x04"):
        rows = _read_xlsx(data, max_rows=max_rows, max_columns=max_columns, max_unpacked=max_unpacked,
                          max_bytes=max_bytes)
    elif data.lstrip().startswith(SIGNATURES):
        raise _wrong_format()
    else:
        rows = _read_csv(data, max_rows=max_rows, max_columns=max_columns)
    rows = [r for r in rows if any(r)]
    if len(rows) > max_rows:
        raise TableFileError(_("The file has more than %(max)d rows. Split it into smaller files.")
                             % {"max": max_rows}, code="too_many_rows")
    return rows


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise TableFileError(_("The CSV file could not be read."), code="unreadable") from None
    if b"\x00" in data:
        raise _wrong_format()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TableFileError(_("The CSV file is not in UTF-8. In Excel choose “CSV UTF-8” when saving."),
                             code="encoding") from None


def _read_csv(data: bytes, *, max_rows: int, max_columns: int) -> list[list[str]]:
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = []
    try:
        for row in csv.reader(io.StringIO(text), dialect):
            rows.append([cell.strip() for cell in row[:max_columns]])
            if len(rows) > max_rows + 50:  # headers and blank lines aside, far too many: stop reading
                break
    except csv.Error:
        raise TableFileError(_("The CSV file could not be read."), code="unreadable") from None
    return rows


def _read_xlsx(data: bytes, *, max_rows: int, max_columns: int, max_unpacked: int,
               max_bytes: int) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise _wrong_format() from None
    if unpacked > max_unpacked:
        raise too_large(max_bytes)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise _wrong_format() from None
    rows = []
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True, max_col=max_columns):
            rows.append([cell_text(v) for v in values])
            if len(rows) > max_rows + 50:
                break
    except Exception:  # a damaged workbook: openpyxl raises many kinds of errors
        raise TableFileError(_("The XLSX file could not be read."), code="unreadable") from None
    finally:
        workbook.close()
    return rows


def cell_text(value) -> str:
    """A cell as text: whole floats without ".0", dates as dd/mm/yyyy (how statements print them)."""
    from datetime import date, datetime

    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    return str(value).strip()
