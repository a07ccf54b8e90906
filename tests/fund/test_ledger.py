"""The ledger: deposits, balances derived from it, and its protection."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from audit.append_only import AppendOnlyError
from audit.models import AuditEvent
from config.errors import PermissionDenied, ValidationFailed
from fund import services
from fund.models import Approval, LedgerEntry
from fund.services.ledger import balances_from_totals
from reports.selectors import fund_months
from tests.conftest import postgresql_only
from tests.fund.conftest import balances, deposit, drive, request_payment
from tests.reports.conftest import Ledger, at, make_case


def test_deposit_is_recorded_with_source_reference_and_audit(people):
    entry = deposit(people.finance, amount="2500.50", source="Demo Donor", reference="DEP-77")
    assert (entry.kind, entry.amount, entry.source, entry.reference) == (
        "deposit",
        Decimal("2500.50"),
        "Demo Donor",
        "DEP-77",
    )
    assert entry.fund.currency == "SAR"
    assert balances() == (Decimal("2500.50"), Decimal("0.00"), Decimal("0.00"), Decimal("2500.50"))
    event = AuditEvent.objects.get(action="fund.deposit")
    assert event.payload["amount"] == "2500.50" and event.payload["reference"] == "DEP-77"
    assert event.actor_username == people.finance.username


def test_balances_from_totals_is_the_one_formula():
    totals = {"deposit": Decimal("100"), "commit": Decimal("60.5"), "release": Decimal("10"), "payment": None}
    b = balances_from_totals(totals, currency="SAR")
    assert (b.deposited, b.committed, b.paid, b.available) == (
        Decimal("100.00"),
        Decimal("50.50"),
        Decimal("0.00"),
        Decimal("49.50"),
    )
    paid = balances_from_totals(
        {"deposit": Decimal("100"), "commit": Decimal("60"), "payment": Decimal("60")}, currency="SAR"
    )
    assert (paid.committed, paid.paid, paid.available) == (Decimal("0.00"), Decimal("60.00"), Decimal("40.00"))
    assert balances_from_totals({}, currency="SAR").available == Decimal("0.00")


def test_balances_until_a_moment_and_the_report_month_ends_agree(people):
    """The reports derive their month-end balances through the fund's formula:
    each equals fund_balances(until=the start of the next month)."""
    fund = services.fund_get_current()
    ledger = Ledger(fund, people.caseworker)
    case = make_case(status="active")
    ledger.deposit("10000.00", at(2026, 1, 10))
    shelter = ledger.disbursement(case, "shelter", "1200.00", status="paid")
    ledger.entry(shelter, "commit", at(2026, 1, 12))
    ledger.entry(shelter, "payment", at(2026, 1, 14))
    legal = ledger.disbursement(case, "legal", "700.00", status="cancelled")
    ledger.entry(legal, "commit", at(2026, 3, 1))
    ledger.entry(legal, "release", at(2026, 3, 2))
    ledger.deposit("2500.50", at(2026, 3, 5))
    open_one = ledger.disbursement(case, "medical", "50.00")
    ledger.entry(open_one, "commit", at(2026, 3, 25))

    on_13_january = services.fund_balances(fund, until=at(2026, 1, 13))
    assert (on_13_january.deposited, on_13_january.committed, on_13_january.available) == (
        Decimal("10000.00"),
        Decimal("1200.00"),
        Decimal("8800.00"),
    )
    rows = fund_months(fund)
    assert [row.month for row in rows] == [dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)]
    for row, next_month in zip(rows, [dt.date(2026, 2, 1), dt.date(2026, 3, 1), dt.date(2026, 4, 1)], strict=True):
        end = services.fund_balances(fund, until=timezone.make_aware(dt.datetime.combine(next_month, dt.time())))
        assert (row.deposited_total, row.committed_outstanding, row.paid_total, row.available) == (
            end.deposited,
            end.committed,
            end.paid,
            end.available,
        )
    now = services.fund_balances(fund)
    assert (now.deposited, now.committed, now.paid, now.available) == (
        Decimal("12500.50"),
        Decimal("50.00"),
        Decimal("1200.00"),
        Decimal("11250.50"),
    )
    assert rows[-1].available == now.available


def test_fund_currency_comes_from_settings(people, settings):
    settings.VAF_FUND_CURRENCY = "EUR"
    assert deposit(people.finance).fund.currency == "EUR"


@pytest.mark.parametrize("who", ["approver", "caseworker", "auditor", "admin"])
def test_only_finance_records_deposits(people, who):
    with pytest.raises(PermissionDenied):
        deposit(getattr(people, who))
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize(
    ("amount", "source", "reference", "field"),
    [
        ("-5.00", "Budget", "R", "amount"),
        ("0.00", "Budget", "R", "amount"),
        ("1.001", "Budget", "R", "amount"),
        ("ten", "Budget", "R", "amount"),
        ("5.00", "  ", "R", "source"),
        ("5.00", "Budget", "", "reference"),
    ],
)
def test_bad_deposits_are_refused(people, amount, source, reference, field):
    with pytest.raises(ValidationFailed) as refused:
        services.fund_deposit(actor=people.finance, amount=amount, source=source, reference=reference)
    assert field in refused.value.errors
    assert not LedgerEntry.objects.exists()


def test_balances_are_the_ledger_sums(people, case, funded):
    for state, amount in [("approved", "100.00"), ("paid", "20.00"), ("reconciled", "3.00"), ("failed", "0.40")]:
        drive(request_payment(case, people.caseworker, amount=amount), people, state)
    deposited, committed, paid, available = balances()
    assert (committed, paid) == (Decimal("100.40"), Decimal("23.00"))
    assert available == deposited - committed - paid == Decimal("99876.60")


def test_ledger_entries_refuse_update_and_delete_in_the_model(people):
    entry = deposit(people.finance)
    entry.amount = Decimal("1.00")
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1.00"))
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.all().delete()
    assert LedgerEntry.objects.get(pk=entry.pk).amount == Decimal("100000.00")


@pytest.mark.parametrize(
    "statement", ["UPDATE {table} SET amount = 1 WHERE id = %s", "DELETE FROM {table} WHERE id = %s"]
)
@pytest.mark.parametrize("model", [LedgerEntry, Approval])
def test_database_refuses_update_and_delete(people, case, funded, statement, model):
    drive(request_payment(case, people.caseworker), people, "approved")
    row = model.objects.first()
    sql = statement.format(table=model._meta.db_table)
    if model is Approval:
        sql = sql.replace("amount = 1", "comment = 'x'")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [row.pk.hex if connection.vendor == "sqlite" else row.pk])
    assert model.objects.filter(pk=row.pk).exists()


@postgresql_only()
def test_database_refuses_truncate_on_postgresql(people):
    deposit(people.finance)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending: the trigger decides
        cursor.execute("TRUNCATE fund_ledgerentry CASCADE")
    assert LedgerEntry.objects.count() == 1


def test_database_allows_one_commit_per_disbursement(people, case, funded):
    disbursement = drive(request_payment(case, people.caseworker), people, "approved")
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(fund=funded.fund, kind="commit", amount=Decimal("1.00"), disbursement=disbursement)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(fund=funded.fund, kind="deposit", amount=Decimal("-1.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(fund=funded.fund, kind="payment", amount=Decimal("1.00"))
