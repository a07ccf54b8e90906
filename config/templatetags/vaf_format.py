"""Template filters for the display formats of `config.formats`.

Built into every template (settings `TEMPLATES[...]["OPTIONS"]["builtins"]`):
`{{ d.amount|money:d.currency }}`, `{{ event.occurred_at|datetime_display }}`,
`{{ case.created_at|date_display }}`, `{{ day|hijri }}`, `{{ code|country }}`,
`{{ case.reference|ltr }}` (isolated left-to-right text: references, phone
numbers, IBANs, document numbers).
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from config import formats

register = template.Library()


@register.filter
def money(value, currency="SAR"):
    return formats.format_money(value, currency or "SAR")


@register.filter
def amount(value):
    return formats.format_amount(value)


@register.filter
def currency_name(code):
    return formats.currency_name(code or "")


@register.filter
def date_display(value):
    return formats.format_date(value)


@register.filter
def datetime_display(value):
    return formats.format_datetime(value)


@register.filter
def hijri(value):
    return formats.format_hijri(value)


@register.filter
def country(code):
    return formats.country_name(code)


@register.filter
def ltr(value):
    """Left-to-right text kept whole inside right-to-left pages."""
    if value is None or value == "":
        return value
    return format_html('<bdi dir="ltr" class="ltr">{}</bdi>', value)


@register.simple_tag
def when(value, with_time=True):
    """A `<time>` element: the Gregorian date (and time), with the Hijri date beside it."""
    if not value:
        return "—"
    shown = formats.format_datetime(value) if with_time else formats.format_date(value)
    hijri_date = formats.format_hijri(value) if formats.hijri_beside_gregorian() else ""
    iso = value.isoformat() if hasattr(value, "isoformat") else str(value)
    if hijri_date:
        return format_html('<time datetime="{}">{}</time> <span class="hijri">({})</span>', iso, shown, hijri_date)
    return format_html('<time datetime="{}">{}</time>', iso, shown)


@register.filter
def figure(value):
    """A report figure: money (Decimal) with two decimals, counts as whole numbers, both grouped."""
    return formats.format_figure(value)


@register.filter
def bdi(value):
    """Text people typed or chose (names, usernames, organisations): isolated
    so its direction does not scramble the sentence around it."""
    if value is None or value == "":
        return value
    return format_html("<bdi>{}</bdi>", value)
