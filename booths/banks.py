"""Vietnamese banks that take VietQR transfers, by their NAPAS BIN (the 6-digit acquirer id in the QR).

The list is data (``booths/data/vn_banks.csv``: bin, short name, full name). It follows a maintained list, the bank
table of the npm package vietnam-qr-pay (a development package, never served): tests/booths/test_banks.py fails when
a BIN here is not one of its VietQR banks or one of its banks that receive VietQR transfers is missing here (its
wallets, such as MoMo, are left out). When the package is updated and a bank joins or is renamed, add or edit the
row; a BIN never changes.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "vn_banks.csv"


@dataclass(frozen=True)
class Bank:
    bin: str
    short_name: str
    name: str

    @property
    def label(self) -> str:
        return f"{self.short_name} – {self.name}"


@cache
def banks() -> dict[str, Bank]:
    with DATA.open(encoding="utf-8") as f:
        rows = [Bank(r["bin"].strip(), r["short_name"].strip(), r["name"].strip()) for r in csv.DictReader(f)]
    return {b.bin: b for b in rows}


def bank_choices() -> list[tuple[str, str]]:
    return [(b.bin, b.label) for b in sorted(banks().values(), key=lambda b: b.short_name.lower())]


def bank_of(bin_code: str) -> Bank | None:
    return banks().get(bin_code)
