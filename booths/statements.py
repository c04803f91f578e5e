"""Bank statements as Vietnamese banks export them, read into credit lines. The layout is recognised by its
header row (banks put a title block above it), never by the file name. Layouts (see booths/README.md):

* ``vcb`` (Vietcombank "Sao kê tài khoản"): STT | Ngày giao dịch | Số tham chiếu | Số tiền ghi nợ |
  Số tiền ghi có | Mô tả — amounts with ``,`` as the thousands separator, dates dd/mm/yyyy.
* ``tcb`` (Techcombank "Sao kê tài khoản"): Ngày giao dịch | Mã giao dịch | Diễn giải | Số tiền | Số dư —
  one signed amount per line (credits positive, debits negative), ``.`` as the thousands separator.

Only credits are kept. Every number goes through ``eventsite.numbers`` (huge, non-finite or malformed amounts
are a translated 400 naming the line).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from eventsite.errors import DomainError
from eventsite.numbers import NumberError, parse_int
from eventsite.provinces import fold
from eventsite.tables import read_table

from .models import StatementLayout

MAX_BYTES = 4 * 1024 * 1024
MAX_LINES = 20_000
MAX_AMOUNT = 10**13 - 1  # VietQR's amount field holds 13 digits; no booth fee comes near it
HEADER_SEARCH = 30  # title rows banks put above the header


class StatementError(DomainError):
    code = "statement"
    status = 400


@dataclass(frozen=True)
class Layout:
    code: str
    columns: dict[str, str]  # our field → folded header
    thousands: str
    signed: bool  # one signed amount column instead of debit/credit


LAYOUTS = (
    Layout(StatementLayout.VIETCOMBANK, {"date": "ngay giao dich", "ref": "so tham chieu",
                                         "credit": "so tien ghi co", "description": "mo ta"}, ",", False),
    Layout(StatementLayout.TECHCOMBANK, {"date": "ngay giao dich", "ref": "ma giao dich",
                                         "amount": "so tien", "description": "dien giai"}, ".", True),
)


@dataclass(frozen=True)
class Credit:
    row: int  # 1-based row in the file, for messages
    posted_on: date | None
    amount: int
    description: str
    bank_ref: str
    line_hash: str


def _header(cell: str) -> str:
    return " ".join(fold(cell).replace("/", " ").split())


def detect(rows: list[list[str]]) -> tuple[Layout, int, dict[str, int]]:
    """The layout whose header row appears in the first rows, that row's index, and field → column."""
    for index, row in enumerate(rows[:HEADER_SEARCH]):
        headers = [_header(c) for c in row]
        for layout in LAYOUTS:
            positions = {}
            for field, name in layout.columns.items():
                matches = [i for i, h in enumerate(headers) if h == name or h.startswith(name + " ")]
                if matches:
                    positions[field] = matches[0]
            if len(positions) == len(layout.columns):
                return layout, index, positions
    raise StatementError(_("The statement's layout was not recognised. Upload the account statement as your bank "
                           "exports it (Vietcombank or Techcombank, CSV or XLSX) without changing its columns."),
                         code="unknown_layout")


_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


def _date(text: str) -> date | None:
    match = _DATE.search(text)
    if not match:
        return None
    try:
        return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        return None


def _amount(text: str, layout: Layout, row: int) -> int:
    cleaned = text.replace("VND", "").replace("đ", "").replace(" ", "").replace("\u00a0", "")
    if layout.thousands in cleaned:
        cleaned = cleaned.replace(layout.thousands, "")
    if cleaned.endswith((".00", ",00")):
        cleaned = cleaned[:-3]
    if not cleaned:
        return 0
    try:
        return parse_int(cleaned, minimum=-MAX_AMOUNT, maximum=MAX_AMOUNT)
    except NumberError:
        raise StatementError(_("Line %(row)d: the amount “%(value)s” is not a whole number of đồng within range.")
                             % {"row": row, "value": text[:30]}, code="bad_amount") from None


def parse_statement(data: bytes) -> tuple[str, list[Credit]]:
    """The layout code and the credit lines of an uploaded statement."""
    rows = read_table(data, max_bytes=MAX_BYTES, max_rows=MAX_LINES)
    layout, header_at, columns = detect(rows)
    credits: list[Credit] = []
    seen: Counter[tuple] = Counter()
    width = max(columns.values()) + 1
    for offset, raw in enumerate(rows[header_at + 1:], start=header_at + 2):
        row = raw + [""] * (width - len(raw))
        posted_on = _date(row[columns["date"]])
        if posted_on is None:  # totals, opening balance, footers
            continue
        if layout.signed:
            amount = _amount(row[columns["amount"]], layout, offset)
        else:
            amount = _amount(row[columns["credit"]], layout, offset)
        if amount <= 0:
            continue
        description = " ".join(row[columns["description"]].split())[:500]
        bank_ref = row[columns["ref"]].strip()[:60]
        key = (posted_on.isoformat(), amount, bank_ref, description)
        seen[key] += 1  # identical lines in one file stay apart; the same file again hashes the same
        digest = hashlib.sha256("\x1f".join([*map(str, key), str(seen[key])]).encode()).hexdigest()
        credits.append(Credit(offset, posted_on, amount, description, bank_ref, digest))
    return layout.code, credits
