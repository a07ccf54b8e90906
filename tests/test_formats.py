"""One date and money format per language (config/formats.py)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from audit.labels import action_label, field_label, object_type_label
from config import formats

WHEN = dt.datetime(2026, 12, 2, 17, 39, tzinfo=dt.UTC)  # 20:39 in Riyadh


def test_english_formats():
    with translation.override("en"):
        assert formats.format_date(dt.date(2026, 12, 2)) == "2 Dec 2026"
        assert formats.format_datetime(WHEN) == "2 Dec 2026, 20:39"
        assert formats.format_money(Decimal("50000")) == "50,000.00 SAR"
        assert formats.format_money("243100.00") == "243,100.00 SAR"
        assert formats.format_hijri(dt.date(2026, 12, 2)) == "22 Jumada al-Akhirah 1448 AH"
        assert formats.country_name("ET") == "Ethiopia"


def test_arabic_formats():
    with translation.override("ar"):
        assert formats.format_date(dt.date(2026, 12, 2)) == "2 ديسمبر 2026"
        assert formats.format_datetime(WHEN) == "2 ديسمبر 2026، 20:39"
        assert formats.format_money(Decimal("5000")) == "5,000.00 ر.س"
        assert formats.format_hijri(WHEN) == "22 جمادى الآخرة 1448 هـ"
        assert formats.country_name("ET") == "إثيوبيا"
        assert all(name and not name.isascii() for _code, name in formats.country_choices("ar"))


@pytest.mark.parametrize(("value", "shown"), [(Decimal("1234.5"), "1,234.50"), (12345, "12,345"), ("x", "x")])
def test_report_figures(value, shown):
    assert formats.format_figure(value) == shown


def test_unknown_values_fall_back_without_error():
    assert formats.format_date(None) == "" and formats.format_money(None) == ""
    assert formats.format_amount("not a number") == "not a number"
    assert formats.country_name("ZZ") == "ZZ"
    assert formats.format_hijri(dt.date(1800, 1, 1)) == ""  # before the Umm al-Qura tables


def test_audit_codes_have_human_labels():
    assert action_label("disbursement.return_for_changes") == "Payment request returned for changes"
    assert object_type_label("disbursement") == "Payment request"
    assert field_label("assessment_notes") == "Assessment notes"
    assert action_label("something.never_seen") == "Never seen"
