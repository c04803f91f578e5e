"""Exports that open in Excel or LibreOffice: never let a cell run as a formula (CSV/formula injection)."""

from __future__ import annotations

# What a spreadsheet treats as the start of a formula, including the full-width forms Excel also accepts.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise_cell(value):
    """Prefix a quote to text that a spreadsheet would run as a formula; other values pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
