"""How dates, money and countries are shown to people: one format per
language, taken from the active locale.

- Dates: `2 Dec 2026` in English, `2 ديسمبر 2026` in Arabic (Django's own
  catalogue names the months); with the time: `2 Dec 2026, 20:39`, in the
  user's time zone.
- Hijri (Umm al-Qura) dates through `hijridate`: `22 جمادى الآخرة 1448 هـ`
  in Arabic, `22 Jumada al-Akhirah 1448 AH` in English.
- Money: grouped thousands and two decimals, `50,000.00 SAR`; in Arabic the
  same digits with the currency's Arabic name, `50,000.00 ر.س`.
- Countries: their names in the active language (pycountry's catalogues),
  never the bare ISO code.

Exports and the API keep machine formats (ISO dates, decimal strings, codes).
"""

from __future__ import annotations

import datetime as dt
import gettext as gettext_module
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import pycountry
from django.utils import dateformat, timezone
from django.utils.translation import get_language

# Per language: the date pattern (Django `date` syntax), the separator
# between date and time, and the currency names. Currency names are locale
# data (like CLDR's), not sentences, so they live here rather than in the
# message catalogue.
LOCALE_FORMATS = {
    "en": {"date": "j M Y", "joiner": ", ", "hijri_era": "AH", "currency": {"SAR": "SAR"}},
    "ar": {"date": "j F Y", "joiner": "، ", "hijri_era": "هـ", "currency": {"SAR": "ر.س"}},
}
HIJRI_FIRST_YEAR = 1343  # Umm al-Qura tables start in 1924 (1343 AH)


def _locale(language: str | None = None) -> dict:
    language = (language or get_language() or "en").split("-")[0]
    return LOCALE_FORMATS.get(language, LOCALE_FORMATS["en"])


def _as_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def format_date(value) -> str:
    """`2 Dec 2026` / `2 ديسمبر 2026`; empty for nothing."""
    day = _as_date(value)
    return dateformat.format(day, _locale()["date"]) if day else ""


def format_datetime(value) -> str:
    """`2 Dec 2026, 20:39` in the current time zone; a plain date gets no time."""
    if not isinstance(value, dt.datetime):
        return format_date(value)
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{format_date(value)}{_locale()['joiner']}{value:%H:%M}"


def format_hijri(value, language: str | None = None) -> str:
    """The Umm al-Qura date of `value`, marked `هـ` (Arabic) or `AH` (English);
    in the active language unless `language` is given (a streamed export
    names it, as its rows are written after the request's language is gone)."""
    from hijridate import Gregorian

    day = _as_date(value)
    if day is None:
        return ""
    try:
        hijri = Gregorian(day.year, day.month, day.day).to_hijri()
    except (OverflowError, ValueError):  # outside the Umm al-Qura tables
        return ""
    locale = _locale(language)
    language = "ar" if locale is LOCALE_FORMATS["ar"] else "en"
    return f"{hijri.day} {hijri.month_name(language)} {hijri.year} {locale['hijri_era']}"


def hijri_beside_gregorian() -> bool:
    """Arabic pages show the Hijri date beside the Gregorian one."""
    return _locale() is LOCALE_FORMATS["ar"]


def currency_name(code: str) -> str:
    return _locale()["currency"].get(code, code)


def format_amount(value) -> str:
    """`50,000.00`: grouped thousands, two decimals; unchanged if not a number."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return f"{number:,.2f}"


def format_money(value, currency: str = "SAR") -> str:
    """`50,000.00 SAR` / `50,000.00 ر.س`."""
    amount = format_amount(value)
    return f"{amount} {currency_name(currency)}" if amount else ""


@lru_cache(maxsize=8)
def _country_catalogue(language: str):
    return gettext_module.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True)


def country_name(code: str | None, language: str | None = None) -> str:
    """The country's common name in the active language; the code if unknown."""
    if not code:
        return ""
    country = pycountry.countries.get(alpha_2=code.upper())
    if country is None:
        return code
    name = getattr(country, "common_name", None) or country.name
    language = (language or get_language() or "en").split("-")[0]
    if language == "en":
        return name
    translated = _country_catalogue(language).gettext(name)
    if translated == name and name != country.name:
        translated = _country_catalogue(language).gettext(country.name)
    return translated


def country_choices(language: str | None = None) -> list[tuple[str, str]]:
    """Every country as (code, name in the active language), sorted by name."""
    rows = [(c.alpha_2, country_name(c.alpha_2, language)) for c in pycountry.countries]
    return sorted(rows, key=lambda row: row[1])


def format_figure(value) -> str:
    """Report cells: Decimals as money amounts, whole numbers grouped, the rest unchanged."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, Decimal):
        return format_amount(value)
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
