"""The committee's figures, aggregated in the database.

Case figures come from referrals.Case; money figures from the fund's
append-only ledger, through the fund's own definition of the balances
(fund.services.ledger.balances_from_totals), so they equal what the fund shows.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from config.formats import country_name
from fund.choices import LedgerEntryKind as Kind
from fund.models import Disbursement, Fund, LedgerEntry
from fund.services.ledger import ZERO, balances_from_totals
from referrals.choices import AgeBand, AssistanceCategory, CaseStatus, ExploitationType, Sex
from referrals.models import Case, VictimProfile

SECONDS_PER_DAY = 86400


@dataclass
class MonthRow:
    month: dt.date
    deposited: Decimal = ZERO  # in the month
    committed: Decimal = ZERO  # new commitments in the month
    released: Decimal = ZERO
    paid: Decimal = ZERO
    # Balances at the end of the month.
    deposited_total: Decimal = ZERO
    committed_outstanding: Decimal = ZERO
    paid_total: Decimal = ZERO
    available: Decimal = ZERO


@dataclass
class CategoryRow:
    category: str
    label: str
    committed_outstanding: Decimal
    paid: Decimal


@dataclass
class CountRow:
    key: str
    label: str
    count: int


@dataclass
class Duration:
    label: str
    median_days: Decimal | None
    count: int


def report_fund() -> Fund | None:
    """The fund in the configured currency (never created by a report)."""
    return Fund.objects.filter(currency=settings.VAF_FUND_CURRENCY).first()


def _month_start(moment) -> dt.date:
    if isinstance(moment, dt.datetime):
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return moment.date().replace(day=1)
    return moment.replace(day=1)


def _next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def fund_months(fund: Fund | None) -> list[MonthRow]:
    """Money in and out per month (the user's time zone) and the balances at
    each month's end: one GROUP BY query, every month from the first entry on."""
    if fund is None:
        return []
    sums = (
        LedgerEntry.objects.filter(fund=fund)
        .annotate(month=TruncMonth("created_at"))
        .values("month", "kind")
        .annotate(total=Sum("amount"))
        .order_by("month")
    )
    by_month: dict[dt.date, dict[str, Decimal]] = {}
    for row in sums:
        by_month.setdefault(_month_start(row["month"]), {})[row["kind"]] = row["total"] or ZERO
    if not by_month:
        return []
    rows: list[MonthRow] = []
    month, last = min(by_month), max(by_month)
    to_date: dict[str, Decimal] = {}  # totals per kind up to the end of `month`
    while month <= last:
        kinds = by_month.get(month, {})
        for kind, total in kinds.items():
            to_date[kind] = to_date.get(kind, ZERO) + total
        balances = balances_from_totals(to_date, currency=fund.currency)
        rows.append(
            MonthRow(
                month=month,
                deposited=kinds.get(Kind.DEPOSIT, ZERO),
                committed=kinds.get(Kind.COMMIT, ZERO),
                released=kinds.get(Kind.RELEASE, ZERO),
                paid=kinds.get(Kind.PAYMENT, ZERO),
                deposited_total=balances.deposited,
                committed_outstanding=balances.committed,
                paid_total=balances.paid,
                available=balances.available,
            )
        )
        month = _next_month(month)
    return rows


def fund_by_category(fund: Fund | None) -> list[CategoryRow]:
    """Outstanding commitments and payments per assistance category."""
    totals: dict[str, dict[str, Decimal]] = {}
    if fund is not None:
        sums = (
            LedgerEntry.objects.filter(fund=fund, kind__in=[Kind.COMMIT, Kind.RELEASE, Kind.PAYMENT])
            .values("disbursement__category", "kind")
            .annotate(total=Sum("amount"))
            .order_by()
        )
        for row in sums:
            totals.setdefault(row["disbursement__category"], {})[row["kind"]] = row["total"] or ZERO
    currency = fund.currency if fund is not None else settings.VAF_FUND_CURRENCY
    rows = []
    for category, label in AssistanceCategory.choices:
        balances = balances_from_totals(totals.get(category, {}), currency=currency)
        rows.append(CategoryRow(category, str(label), balances.committed, balances.paid))
    return rows


def cases_by_status() -> list[CountRow]:
    counts = dict(Case.objects.values_list("status").annotate(n=Count("id")).order_by())
    return [CountRow(status, str(label), counts.get(status, 0)) for status, label in CaseStatus.choices]


def cases_by_exploitation_type() -> list[CountRow]:
    """Cases per exploitation type (a case with several types counts in each).

    The types are a JSON list, which SQLite cannot group by: counted in
    Python over the one column, streamed.
    """
    counts: Counter[str] = Counter()
    for types in Case.objects.values_list("exploitation_types", flat=True).iterator(chunk_size=2000):
        counts.update(set(types or []))
    return [CountRow(kind, str(label), counts.get(kind, 0)) for kind, label in ExploitationType.choices]


def _victim_counts(field: str) -> dict[str, int]:
    return dict(VictimProfile.objects.values_list(field).annotate(n=Count("id")).order_by())


def cases_by_sex() -> list[CountRow]:
    counts = _victim_counts("sex")
    return [CountRow(sex, str(label), counts.get(sex, 0)) for sex, label in Sex.choices]


def cases_by_age_band() -> list[CountRow]:
    counts = _victim_counts("age_band")
    return [CountRow(band, str(label), counts.get(band, 0)) for band, label in AgeBand.choices]


def cases_by_nationality() -> list[CountRow]:
    """Every nationality present, most frequent first, named in the active
    language (the code kept as the row's key); unknown last."""
    counts = _victim_counts("nationality")
    known = sorted(((code, n) for code, n in counts.items() if code), key=lambda item: (-item[1], item[0]))
    rows = [CountRow(code, country_name(code), n) for code, n in known]
    if counts.get(""):
        rows.append(CountRow("", _("Unknown"), counts[""]))
    return rows


def _median_days(pairs) -> tuple[Decimal | None, int]:
    days = [(end - start).total_seconds() / SECONDS_PER_DAY for start, end in pairs]
    if not days:
        return None, 0
    return Decimal(str(statistics.median(days))).quantize(Decimal("0.1")), len(days)


def median_durations() -> list[Duration]:
    referral = Case.objects.filter(approved_at__isnull=False).values_list("created_at", "approved_at")
    payment = Disbursement.objects.filter(approved_at__isnull=False, paid_at__isnull=False).values_list(
        "approved_at", "paid_at"
    )
    return [
        Duration(_("From referral to the case's approval"), *_median_days(referral.iterator(chunk_size=2000))),
        Duration(_("From a payment's approval to its payment"), *_median_days(payment.iterator(chunk_size=2000))),
    ]
