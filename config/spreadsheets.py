"""Cells for files people open in a spreadsheet program (CSV, XLSX).

A cell whose text starts with =, +, -, @, a tab or a carriage return may be
read as a formula (CSV/formula injection, OWASP); it gets a leading
apostrophe so the program shows it as text and never evaluates it.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value) -> str:
    """The cell's text, prefixed with an apostrophe if a spreadsheet would evaluate it."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
