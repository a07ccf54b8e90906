"""Normalising values before a blind index is computed, so that the same
document, phone or name written differently still matches."""

from __future__ import annotations

import datetime as dt
import unicodedata

_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ـ": None})


def ascii_digits(value: str) -> str:
    """Every Unicode decimal digit (Arabic-Indic ٠-٩, Eastern Arabic-Indic ۰-۹,
    Devanagari, fullwidth, ...) written as its ASCII digit, so `P٩٩٨٨٧٧٦٦`
    and `P99887766` normalise alike. Other characters are kept."""
    return "".join(
        str(unicodedata.decimal(c)) if not c.isascii() and unicodedata.decimal(c, None) is not None else c
        for c in value
    )


def _digits(value: str) -> str:
    out = []
    for char in ascii_digits(unicodedata.normalize("NFKC", value)):
        if char.isdigit():
            out.append(str(unicodedata.digit(char)))
    return "".join(out)


def document(value: str) -> str | None:
    text = ascii_digits(unicodedata.normalize("NFKC", value)).upper()
    text = "".join(c for c in text if c.isalnum())
    return text or None


def phone(value: str) -> str | None:
    text = unicodedata.normalize("NFKC", value).strip()
    digits = _digits(text)
    if text.startswith("00"):
        digits = digits[2:]
    # Too short to identify anyone: not indexed.
    return digits if len(digits) >= 7 else None


def name(value: str) -> str | None:
    text = unicodedata.normalize("NFKD", value.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = ascii_digits(unicodedata.normalize("NFKC", text)).translate(_ARABIC_FOLD)
    words = "".join(c if c.isalnum() else " " for c in text).split()
    return " ".join(words) or None


def name_and_date_of_birth(full_name: str | None, date_of_birth) -> str | None:
    """Name alone is low-entropy and never indexed; only with a date of birth."""
    if not full_name or not date_of_birth:
        return None
    normalised = name(full_name)
    if not normalised:
        return None
    if isinstance(date_of_birth, dt.date):
        date_of_birth = date_of_birth.isoformat()
    return f"{normalised}|{date_of_birth}"


def account(value: str) -> str | None:
    """An account number (IBAN) as the bank reads it: ASCII digits, no spaces
    or separators, upper case."""
    text = ascii_digits(unicodedata.normalize("NFKC", value)).upper()
    text = "".join(c for c in text if c.isascii() and c.isalnum())
    return text or None


NORMALISERS = {
    "account": lambda values: account(values[0]) if values[0] else None,
    "document": lambda values: document(values[0]) if values[0] else None,
    "phone": lambda values: phone(values[0]) if values[0] else None,
    "name_dob": lambda values: name_and_date_of_birth(values[0], values[1]),
}
