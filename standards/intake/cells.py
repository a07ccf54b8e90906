"""Turning one spreadsheet cell into a typed value, or a message saying what
is wrong with it. Messages name the accepted values, never the cell's content
(it may be personal data)."""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _

from referrals.validation import is_country_code


class CellError(Exception):
    pass


# Text a spreadsheet program could run as a formula. A leading + or - is
# still accepted before a digit (phone numbers, negative numbers).
FORMULA_START = re.compile(r"^(?:[=@\t\r]|[+-](?![\d\s]))")
TRUE = {"true", "yes", "y", "1"}
FALSE = {"false", "no", "n", "0"}


def text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raw = str(value)
    result = raw.strip()
    if FORMULA_START.match(raw) or FORMULA_START.match(result):
        raise CellError(_("Looks like a formula: type the value itself."))
    return result


def date(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(text(value))
    except ValueError:
        raise CellError(_("Expected a date (YYYY-MM-DD).")) from None


def boolean(value) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    word = text(value).casefold()
    if word in TRUE:
        return True
    if word in FALSE:
        return False
    raise CellError(_("Expected TRUE or FALSE."))


def integer(value) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellError(_("Expected a whole number."))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    word = text(value)
    if word.isdigit():
        return int(word)
    raise CellError(_("Expected a whole number."))


def split(value) -> list[str]:
    """Several values in one cell, separated by ';' (the HTCDS template's
    multi-select) or ','."""
    return [part.strip() for part in re.split(r"[;,]", text(value)) if part.strip()]


def choice(value, accepted: dict[str, str]) -> str:
    """`accepted` maps the value names a sheet may use to ours."""
    word = text(value)
    if not word:
        return ""
    if word not in accepted:
        raise CellError(_("Unknown value. Accepted values: %(values)s.") % {"values": ", ".join(accepted)})
    return accepted[word]


def choices(value, accepted: dict[str, str]) -> list[str]:
    words = split(value)
    unknown = [w for w in words if w not in accepted]
    if unknown:
        raise CellError(_("Unknown value. Accepted values: %(values)s.") % {"values": ", ".join(accepted)})
    return sorted({accepted[w] for w in words})


def countries(value) -> list[str]:
    codes = [code.upper() for code in split(value)]
    if not all(is_country_code(code) for code in codes):
        raise CellError(_("Use ISO 3166-1 two-letter country codes, separated by ';'."))
    return list(dict.fromkeys(codes))  # in the order written: the first is the nationality
