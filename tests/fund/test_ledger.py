"""The ledger: deposits, balances derived from it, and its protection."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from audit.append_only import AppendOnlyError
from audit.models import AuditEvent
from config.errors import PermissionDenied, ValidationFailed
from fund import services
from fund.models import Approval, LedgerEntry
from tests.conftest import postgresql_only
from tests.fund.conftest import balances, deposit, drive, request_payment


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
