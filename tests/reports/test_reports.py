"""The committee's reports: access, figures (checked against independent sums
and the fund API), charts without inline script, CSV exports."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from reports import selectors
from reports.tables import all_tables
from tests.factories import make_user
from tests.reports.conftest import at, make_case

BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def reader_client(client, db):
    client.force_login(make_user("approver", username="report-reader"), backend=BACKEND)
    return client


@pytest.fixture
def money(ledger):
    """Deposits in January and March, spending across categories and months
    (nothing in February), one commitment released and one still open."""
    ledger.deposit("10000.00", at(2026, 1, 10))
    ledger.deposit("2500.50", at(2026, 3, 5))
    case = make_case(status="active")
    shelter = ledger.disbursement(
        case, "shelter", "1200.00", status="paid", approved=at(2026, 1, 12), paid=at(2026, 1, 14)
    )
    ledger.entry(shelter, "commit", at(2026, 1, 12))
    ledger.entry(shelter, "payment", at(2026, 1, 14))
    medical = ledger.disbursement(
        case, "medical", "300.25", status="paid", approved=at(2026, 1, 20), paid=at(2026, 3, 20)
    )
    ledger.entry(medical, "commit", at(2026, 1, 20))
    ledger.entry(medical, "payment", at(2026, 3, 20))
    legal = ledger.disbursement(case, "legal", "700.00", status="cancelled", approved=at(2026, 3, 1))
    ledger.entry(legal, "commit", at(2026, 3, 1))
    ledger.entry(legal, "release", at(2026, 3, 2))
    open_medical = ledger.disbursement(case, "medical", "50.00", status="approved", approved=at(2026, 3, 25))
    ledger.entry(open_medical, "commit", at(2026, 3, 25))
    return ledger


@pytest.mark.parametrize("role", ["approver", "finance", "auditor"])
def test_committee_roles_see_the_reports(client, db, role):
    client.force_login(make_user(role), backend=BACKEND)
    response = client.get(reverse("reports:index"))
    assert response.status_code == 200
    assert response.content.decode().count("<h1") == 1


@pytest.mark.parametrize("role", ["caseworker", "admin", "intake_partner"])
def test_other_roles_are_refused(client, db, role):
    client.force_login(make_user(role), backend=BACKEND)
    assert client.get(reverse("reports:index")).status_code == 403
    assert client.get(reverse("reports:export_csv", kwargs={"name": "cases_by_status"})).status_code == 403


def test_fund_balances_by_month_fill_the_gaps_and_add_up(money):
    rows = selectors.fund_months(money.fund)
    assert [r.month.isoformat() for r in rows] == ["2026-01-01", "2026-02-01", "2026-03-01"]
    january, february, march = rows
    assert (january.deposited, january.committed, january.paid) == (
        Decimal("10000.00"),
        Decimal("1500.25"),
        Decimal("1200.00"),
    )
    assert (january.committed_outstanding, january.available) == (Decimal("300.25"), Decimal("8499.75"))
    assert (february.deposited, february.paid, february.available) == (Decimal("0"), Decimal("0"), Decimal("8499.75"))
    assert (march.committed, march.released, march.paid) == (Decimal("750.00"), Decimal("700.00"), Decimal("300.25"))
    # Independent sums: deposited 12500.50; paid 1500.25; open commitments 50.00.
    assert (march.deposited_total, march.paid_total, march.committed_outstanding) == (
        Decimal("12500.50"),
        Decimal("1500.25"),
        Decimal("50.00"),
    )
    assert march.available == Decimal("12500.50") - Decimal("1500.25") - Decimal("50.00")


def test_the_latest_balances_equal_the_fund_api(money):
    """The fund API computes its balances in its own code: both must agree."""
    api = APIClient()
    api.force_authenticate(make_user("finance"))
    response = api.get("/api/v1/fund/")
    assert response.status_code == 200
    figures = response.json()
    latest = selectors.fund_months(money.fund)[-1]
    assert Decimal(figures["deposited"]) == latest.deposited_total
    assert Decimal(figures["committed"]) == latest.committed_outstanding
    assert Decimal(figures["paid"]) == latest.paid_total
    assert Decimal(figures["available"]) == latest.available


def test_paid_and_committed_by_category(money):
    rows = {r.category: (r.committed_outstanding, r.paid) for r in selectors.fund_by_category(money.fund)}
    assert rows["shelter"] == (Decimal("0.00"), Decimal("1200.00"))
    assert rows["medical"] == (Decimal("50.00"), Decimal("300.25"))
    assert rows["legal"] == (Decimal("0.00"), Decimal("0.00"))
    assert rows["repatriation"] == (Decimal("0.00"), Decimal("0.00"))
    assert sum(paid for _c, paid in rows.values()) == Decimal("1500.25")


def test_no_fund_yet_reports_nothing(db):
    assert selectors.report_fund() is None
    assert selectors.fund_months(None) == []
    assert all(r.paid == 0 for r in selectors.fund_by_category(None))


def test_cases_by_state_and_exploitation_type(db):
    make_case(status="referred", types=["forced_labour", "domestic_servitude"])
    make_case(status="active", types=["forced_labour"])
    make_case(status="active", types=["sexual_exploitation"])
    by_status = {r.key: r.count for r in selectors.cases_by_status()}
    assert by_status == {
        "referred": 1,
        "in_assessment": 0,
        "pending_approval": 0,
        "active": 2,
        "rejected": 0,
        "closed": 0,
        "withdrawn": 0,
    }
    by_type = {r.key: r.count for r in selectors.cases_by_exploitation_type()}
    assert (by_type["forced_labour"], by_type["domestic_servitude"], by_type["sexual_exploitation"]) == (2, 1, 1)
    assert by_type["organ_removal"] == 0


def test_median_days(money):
    make_case(status="active", created=at(2026, 1, 1), approved=at(2026, 1, 3))
    make_case(status="active", created=at(2026, 1, 1), approved=at(2026, 1, 11))
    make_case(status="active", created=at(2026, 1, 1), approved=at(2026, 1, 5))
    make_case(status="pending_approval", created=at(2026, 1, 1))
    referral, payment = selectors.median_durations()
    assert (referral.median_days, referral.count) == (Decimal("4.0"), 3)
    # Paid disbursements: shelter 2 days, medical 59 days (20 Jan to 20 Mar).
    assert (payment.median_days, payment.count) == (Decimal("30.5"), 2)


def test_median_of_nothing_is_empty(db):
    assert [(d.median_days, d.count) for d in selectors.median_durations()] == [(None, 0), (None, 0)]


def test_the_page_draws_charts_from_json_data_without_inline_script(reader_client, money):
    make_case(status="active")
    body = reader_client.get(reverse("reports:index")).content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", body, flags=re.S)
    for attributes, content in scripts:
        if content.strip():
            assert 'type="application/json"' in attributes  # data, never code
        else:
            assert "src=" in attributes
    assert "/static/vendor/chartjs/chart.umd.min.js" in body and "/static/vaf/charts.js" in body
    assert "style=" not in body
    data = json.loads(
        re.search(r'id="chart-data-balances" type="application/json">(.*?)</script>', body, flags=re.S).group(1)
    )
    assert data["labels"] == ["2026-01", "2026-02", "2026-03"]
    available = next(d for d in data["datasets"] if d["label"] == "Available")
    assert available["data"][-1] == "10950.25"
    assert 'data-chart-source="chart-data-balances"' in body
    assert "10950.25" in body  # the same figure in the table


def test_the_page_query_count_does_not_grow_with_the_data(reader_client, ledger):
    reader_client.get(reverse("reports:index"))
    with CaptureQueriesContext(connection) as few:
        reader_client.get(reverse("reports:index"))
    for i in range(20):
        case = make_case(status="active", types=["forced_labour", "other"])
        disbursement = ledger.disbursement(
            case, "shelter", "10.00", status="paid", approved=at(2026, 2, 1), paid=at(2026, 2, 2 + i % 5)
        )
        ledger.entry(disbursement, "commit", at(2026, 2, 1))
        ledger.entry(disbursement, "payment", at(2026, 2, 2))
    ledger.deposit("5000.00", at(2026, 1, 1))
    with CaptureQueriesContext(connection) as many:
        reader_client.get(reverse("reports:index"))
    assert len(many) == len(few)


@pytest.mark.parametrize(
    "name", ["balances", "spending_by_month", "by_category", "cases_by_status", "cases_by_type", "durations"]
)
def test_each_report_exports_as_csv_with_the_table_figures(reader_client, money, name):
    make_case(status="closed", types=["forced_begging"])
    response = reader_client.get(reverse("reports:export_csv", kwargs={"name": name}))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    table = next(t for t in all_tables() if t.name == name)
    assert rows[0] == table.export_headers == table.headers
    assert rows[1:] == [[str(value) for value in row] for row in table.rows]


def test_an_unknown_report_is_404(reader_client):
    assert reader_client.get("/reports/nothing.csv").status_code == 404


def test_charts_show_every_series_of_their_table_and_one_month_as_bars():
    import datetime as dt
    from decimal import Decimal
    from types import SimpleNamespace

    from reports.tables import balances_table, spending_by_month_table

    month = SimpleNamespace(
        month=dt.date(2026, 12, 1),
        deposited=Decimal("10.00"),
        committed=Decimal("2.00"),
        released=Decimal("1.00"),
        paid=Decimal("3.00"),
        deposited_total=Decimal("10.00"),
        committed_outstanding=Decimal("1.00"),
        paid_total=Decimal("3.00"),
        available=Decimal("6.00"),
    )
    spending = spending_by_month_table([month])
    assert [d["label"] for d in spending.chart["datasets"]] == spending.headers[1:]
    assert balances_table([month]).chart["type"] == "bar"
    assert balances_table([month, month]).chart["type"] == "line"


def test_small_counts_of_victims_show_as_below_the_threshold(reader_client, settings):
    settings.VAF_REPORT_SMALL_CELL = 5
    for _ in range(3):
        make_case(types=["forced_begging"])
    for _ in range(6):
        make_case(types=["forced_labour"])
    table = next(t for t in all_tables() if t.name == "cases_by_type")
    shown = {row[0]: row[1] for row in table.rows}
    assert shown["Forced begging"] == "< 5"
    assert shown["Forced labour"] == 6
    assert shown["Organ removal"] == 0
    begging = [r[0] for r in table.rows].index("Forced begging")
    assert table.chart["datasets"][0]["data"][begging] is None
    response = reader_client.get(reverse("reports:export_csv", kwargs={"name": "cases_by_type"}))
    assert "Forced begging,< 5" in b"".join(response.streaming_content).decode("utf-8-sig")
    assert "&lt; 5" in reader_client.get(reverse("reports:index")).content.decode()


def test_victims_by_sex_age_and_nationality_hide_small_cells(db, settings):
    from referrals.models import VictimProfile

    settings.VAF_REPORT_SMALL_CELL = 3
    for i in range(4):
        VictimProfile.objects.create(case=make_case(), sex="female", age_band="25-34", nationality="PH" if i else "NP")
    tables = {t.name: {row[0]: row[1] for row in t.rows} for t in all_tables()}
    assert tables["cases_by_sex"]["Female"] == 4
    assert tables["cases_by_age_band"]["25 to 34"] == 4
    assert tables["cases_by_nationality"] == {"Philippines": 3, "Nepal": "< 3"}


def test_nationalities_are_named_in_the_page_language_and_the_csv_keeps_the_codes(reader_client, settings):
    from referrals.models import VictimProfile

    settings.VAF_REPORT_SMALL_CELL = 2
    for code in ("ET", "ET", "PH", ""):
        VictimProfile.objects.create(case=make_case(), sex="female", nationality=code)
    page = reader_client.get(reverse("reports:index")).content.decode()
    assert '<th scope="row">Ethiopia</th>' in page and '<th scope="row">ET</th>' not in page

    url = reverse("reports:export_csv", kwargs={"name": "cases_by_nationality"})
    rows = list(csv.reader(io.StringIO(b"".join(reader_client.get(url).streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["Nationality", "Country code (ISO 3166)", "Cases"]
    assert rows[1:] == [["Ethiopia", "ET", "2"], ["Philippines", "PH", "< 2"], ["Unknown", "", "< 2"]]

    reader_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    page = reader_client.get(reverse("reports:index")).content.decode()
    assert '<th scope="row">إثيوبيا</th>' in page and "الفلبّين" in page
    arabic = b"".join(reader_client.get(url).streaming_content).decode("utf-8-sig")
    assert "إثيوبيا,ET,2" in arabic


def test_the_standards_exports_are_offered_to_approvers_and_auditors_only(db):
    from django.test import Client

    for role, offered in (("approver", True), ("auditor", True), ("finance", False)):
        client = Client()
        client.force_login(make_user(role))
        body = client.get(reverse("reports:index")).content.decode()
        assert ("/api/v1/exports/ctdc/" in body) is offered
