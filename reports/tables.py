"""The reports as tables (rows of plain values) with the chart drawn from
each: one definition feeds the page, its chart and its CSV export."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from config.formats import currency_name
from reports import selectors


@dataclass
class ReportTable:
    name: str
    title: str
    headers: list[str]
    rows: list[list]
    chart: dict | None = None
    note: str = ""
    numeric: set[int] = field(default_factory=set)  # columns aligned to the end
    # A code column the CSV carries after the first one (e.g. ISO country
    # codes beside the names people read), for other systems to match on.
    code_heading: str = ""
    codes: list[str] = field(default_factory=list)

    @property
    def export_headers(self) -> list[str]:
        if not self.code_heading:
            return self.headers
        return [self.headers[0], self.code_heading, *self.headers[1:]]

    @property
    def export_rows(self) -> list[list]:
        if not self.code_heading:
            return self.rows
        return [[row[0], code, *row[1:]] for row, code in zip(self.rows, self.codes, strict=True)]

    @property
    def chart_id(self) -> str:
        return f"chart-data-{self.name.replace('_', '-')}"


def _chart(kind: str, labels: list, datasets: list[tuple[str, list]], *, stacked: bool = False) -> dict:
    return {
        "type": kind,
        "labels": [str(label) for label in labels],
        "datasets": [
            {"label": str(label), "data": [None if v is None else str(v) for v in values]} for label, values in datasets
        ],
        "stacked": stacked,
    }


def _month(month) -> str:
    return month.strftime("%Y-%m")


def balances_table(months) -> ReportTable:
    currency = settings.VAF_FUND_CURRENCY
    labels = [_month(r.month) for r in months]
    return ReportTable(
        name="balances",
        title=_("Fund balances at the end of each month (%(currency)s)") % {"currency": currency_name(currency)},
        headers=[_("Month"), _("Deposited to date"), _("Committed, not yet paid"), _("Paid to date"), _("Available")],
        rows=[[_month(r.month), r.deposited_total, r.committed_outstanding, r.paid_total, r.available] for r in months],
        # A line needs two months; one month is drawn as bars, not four lone dots.
        chart=_chart(
            "line" if len(months) > 1 else "bar",
            labels,
            [
                (_("Deposited to date"), [r.deposited_total for r in months]),
                (_("Committed, not yet paid"), [r.committed_outstanding for r in months]),
                (_("Paid to date"), [r.paid_total for r in months]),
                (_("Available"), [r.available for r in months]),
            ],
        ),
        numeric={1, 2, 3, 4},
    )


def spending_by_month_table(months) -> ReportTable:
    currency = settings.VAF_FUND_CURRENCY
    return ReportTable(
        name="spending_by_month",
        title=_("Money in and out by month (%(currency)s)") % {"currency": currency_name(currency)},
        headers=[_("Month"), _("Deposited"), _("Committed (new approvals)"), _("Released"), _("Paid")],
        rows=[[_month(r.month), r.deposited, r.committed, r.released, r.paid] for r in months],
        chart=_chart(
            "bar",
            [_month(r.month) for r in months],
            # Every series the table shows, so the chart and the table agree.
            [
                (_("Deposited"), [r.deposited for r in months]),
                (_("Committed (new approvals)"), [r.committed for r in months]),
                (_("Released"), [r.released for r in months]),
                (_("Paid"), [r.paid for r in months]),
            ],
        ),
        numeric={1, 2, 3, 4},
    )


def by_category_table(categories) -> ReportTable:
    currency = settings.VAF_FUND_CURRENCY
    return ReportTable(
        name="by_category",
        title=_("Paid and committed by assistance category (%(currency)s)") % {"currency": currency_name(currency)},
        headers=[_("Category"), _("Committed, not yet paid"), _("Paid")],
        rows=[[r.label, r.committed_outstanding, r.paid] for r in categories],
        chart=_chart(
            "bar",
            [r.label for r in categories],
            [
                (_("Committed, not yet paid"), [r.committed_outstanding for r in categories]),
                (_("Paid"), [r.paid for r in categories]),
            ],
            stacked=True,
        ),
        numeric={1, 2},
    )


def small_cell(count: int):
    """A count of victims, or "< N" when it is above zero and below the
    small-cell threshold: a handful of people with a given attribute could be
    recognised from a published table."""
    threshold = settings.VAF_REPORT_SMALL_CELL
    if 0 < count < threshold:
        return f"< {threshold}"
    return count


def count_table(name: str, title: str, heading: str, rows, *, about_victims: bool = False) -> ReportTable:
    """Counts per category; `about_victims` tables break victims down by a
    personal attribute, so their small counts are hidden (in the chart too)."""
    shown = [small_cell(r.count) if about_victims else r.count for r in rows]
    table = ReportTable(
        name=name,
        title=title,
        headers=[heading, _("Cases")],
        rows=[[r.label, value] for r, value in zip(rows, shown, strict=True)],
        chart=_chart(
            "bar", [r.label for r in rows], [(_("Cases"), [v if isinstance(v, int) else None for v in shown])]
        ),
        numeric={1},
    )
    if about_victims:
        table.note = _("Counts from 1 to %(n)d are shown as “< %(m)d” so that no one can be recognised.") % {
            "n": settings.VAF_REPORT_SMALL_CELL - 1,
            "m": settings.VAF_REPORT_SMALL_CELL,
        }
    return table


def durations_table(durations) -> ReportTable:
    return ReportTable(
        name="durations",
        title=_("Median time taken"),
        headers=[_("Interval"), _("Median (days)"), _("Number measured")],
        rows=[[d.label, "" if d.median_days is None else d.median_days, d.count] for d in durations],
        note=_("Days in decimals; an empty median means nothing has been measured yet."),
        numeric={1, 2},
    )


def cases_by_status_table() -> ReportTable:
    return count_table("cases_by_status", _("Cases by state"), _("State"), selectors.cases_by_status())


def cases_by_type_table() -> ReportTable:
    rows = selectors.cases_by_exploitation_type()
    table = count_table(
        "cases_by_type", _("Cases by exploitation type"), _("Exploitation type"), rows, about_victims=True
    )
    table.note = _("A case with several exploitation types counts once in each.") + " " + table.note
    return table


def cases_by_sex_table() -> ReportTable:
    return count_table("cases_by_sex", _("Cases by sex"), _("Sex"), selectors.cases_by_sex(), about_victims=True)


def cases_by_age_band_table() -> ReportTable:
    rows = selectors.cases_by_age_band()
    return count_table("cases_by_age_band", _("Cases by age band"), _("Age band"), rows, about_victims=True)


def cases_by_nationality_table() -> ReportTable:
    rows = selectors.cases_by_nationality()
    table = count_table("cases_by_nationality", _("Cases by nationality"), _("Nationality"), rows, about_victims=True)
    table.code_heading = _("Country code (ISO 3166)")
    table.codes = [r.key for r in rows]
    return table


def all_tables() -> list[ReportTable]:
    fund = selectors.report_fund()
    months = selectors.fund_months(fund)  # one query for both monthly tables
    return [
        balances_table(months),
        spending_by_month_table(months),
        by_category_table(selectors.fund_by_category(fund)),
        cases_by_status_table(),
        cases_by_type_table(),
        cases_by_sex_table(),
        cases_by_age_band_table(),
        cases_by_nationality_table(),
        durations_table(selectors.median_durations()),
    ]


def table_named(name: str) -> ReportTable | None:
    builders = {
        "balances": lambda: balances_table(selectors.fund_months(selectors.report_fund())),
        "spending_by_month": lambda: spending_by_month_table(selectors.fund_months(selectors.report_fund())),
        "by_category": lambda: by_category_table(selectors.fund_by_category(selectors.report_fund())),
        "cases_by_status": cases_by_status_table,
        "cases_by_type": cases_by_type_table,
        "cases_by_sex": cases_by_sex_table,
        "cases_by_age_band": cases_by_age_band_table,
        "cases_by_nationality": cases_by_nationality_table,
        "durations": lambda: durations_table(selectors.median_durations()),
    }
    builder = builders.get(name)
    return builder() if builder else None
