"""Masking personal values for display to people who do not work the case."""

from __future__ import annotations

import datetime as dt

MASK = "***"


def mask_value(value) -> str | None:
    """'Amina Karimova' -> 'A*** K***'; dates and numbers are hidden whole."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return "****-**-**"
    words = str(value).split()
    if not words:
        return None
    return " ".join(word[0] + MASK for word in words)
