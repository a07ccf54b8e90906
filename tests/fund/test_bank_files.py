"""The bank's files: the payment batch we export, the statement we import."""

import csv
import io
from decimal import Decimal

import pytest

from audit.exports import neutralise
from audit.models import AuditEvent
from audit.selectors import REVEAL_ACTIONS
from config.errors import PermissionDenied, ValidationFailed
from config.spreadsheets import neutralise_formula
from fund.bank_files import parse_statement
from fund.models import Disbursement
from fund.services import bank
from fund.services.bank import payment_batch_export, statement_reconcile
from tests.fund.conftest import drive, request_payment


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Demo Clinic", "Demo Clinic"),
        (Decimal("12.50"), "12.50"),
        (None, ""),
    ],
)
def test_cells_that_spreadsheets_would_evaluate_are_neutralised(value, expected):
    assert neutralise_formula(value) == expected
    if isinstance(value, str):  # the audit exports apply the same rule to text
        assert neutralise(value) == expected


def test_batch_lists_approved_and_failed_payments_and_is_audited(people, case, funded):
    approved = drive(request_payment(case, people.caseworker, payee_name="=cmd|' /C calc'!A0"), people, "approved")
    failed = drive(request_payment(case, people.caseworker, amount="20.00"), people, "failed")
    drive(request_payment(case, people.caseworker), people, "paid")
    drive(request_payment(case, people.caseworker), people, "submitted")
    rows = list(csv.DictReader(io.StringIO(payment_batch_export(actor=people.finance))))
    assert {row["disbursement_id"] for row in rows} == {str(approved.pk), str(failed.pk)}
    first = next(row for row in rows if row["disbursement_id"] == str(approved.pk))
    assert first["payee_name"] == "'=cmd|' /C calc'!A0"
    assert first["payee_account"] == "GB46WEST12345600000001"
    assert (first["amount"], first["currency"], first["case_reference"]) == ("1000.00", "SAR", case.reference)
    event = AuditEvent.objects.get(action="fund.batch_exported")
    assert event.payload["count"] == 2 and event.payload["total"] == "1020.00"
    assert "GB46WEST12345600000001" not in str(event.payload)


def test_batch_export_records_each_payee_it_carries_as_revealed(people, case, funded):
    approved = drive(request_payment(case, people.caseworker), people, "approved")
    failed = drive(request_payment(case, people.caseworker, amount="20.00"), people, "failed")
    drive(request_payment(case, people.caseworker), people, "paid")
    before = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    payment_batch_export(actor=people.finance2)
    exported = list(AuditEvent.objects.filter(seq__gt=before).order_by("seq"))
    assert [e.action for e in exported] == ["fund.batch_exported"] + ["disbursement.payee_revealed"] * 2
    revealed = exported[1:]
    assert {e.object_id for e in revealed} == {str(approved.pk), str(failed.pk)}
    for event in revealed:
        assert (event.object_type, event.actor_username) == ("disbursement", people.finance2.username)
        assert event.reason == "payment batch export"
        assert event.payload["batch"] is True
        assert (event.payload["case_id"], event.payload["case_reference"]) == (str(case.pk), case.reference)
        assert "GB46WEST12345600000001" not in str(event.payload) and "Test Clinic" not in str(event.payload)
    # The personal-data access review lists the export and each payee it carried.
    assert {"fund.batch_exported", "disbursement.payee_revealed"} <= set(REVEAL_ACTIONS)


def test_a_batch_export_that_fails_records_nothing(people, case, funded, monkeypatch):
    drive(request_payment(case, people.caseworker), people, "approved")
    events = AuditEvent.objects.count()

    def broken(rows):
        raise RuntimeError("disk full")

    monkeypatch.setattr(bank, "batch_csv", broken)
    with pytest.raises(RuntimeError):
        payment_batch_export(actor=people.finance2)
    assert AuditEvent.objects.count() == events


def test_batch_export_is_for_finance_only(people):
    for who in ("approver", "caseworker", "auditor"):
        with pytest.raises(PermissionDenied):
            payment_batch_export(actor=getattr(people, who))
    assert not AuditEvent.objects.filter(action__in=["fund.batch_exported", "disbursement.payee_revealed"]).exists()


def _paid(people, case, amount, reference):
    disbursement = drive(request_payment(case, people.caseworker, amount=amount), people, "approved")
    from fund import services

    return services.disbursement_pay(disbursement=disbursement, actor=people.finance, payment_reference=reference)


def test_statement_reconciles_by_reference_and_reports_the_rest(people, case, funded):
    one = _paid(people, case, "100.00", "TRX-1")
    two = _paid(people, case, "200.00", "TRX-2")
    _paid(people, case, "50.00", "TRX-DUP")
    _paid(people, case, "50.00", "TRX-DUP")
    statement = (
        b"date,payment_reference,amount,description\n"
        b"2026-11-01,TRX-1,-100.00,Transfer\n"
        b"2026-11-01,TRX-2,250.00,Wrong amount\n"
        b"2026-11-02,TRX-404,10.00,Unknown\n"
        b"2026-11-02,TRX-DUP,50.00,Ambiguous\n"
        b"2026-11-03,TRX-1,100.00,Listed twice\n"
    )
    report = statement_reconcile(actor=people.finance2, statement_reference="STMT-2026-11", raw=statement)
    assert [m["disbursement"].pk for m in report.matched] == [one.pk]
    assert [u["line"] for u in report.unmatched] == [3, 4, 5, 6]
    assert Disbursement.objects.get(pk=one.pk).status == "reconciled"
    assert Disbursement.objects.get(pk=one.pk).statement_reference == "STMT-2026-11 line 2"
    assert Disbursement.objects.get(pk=two.pk).status == "paid"
    assert AuditEvent.objects.filter(action="disbursement.reconcile").count() == 1
    imported = AuditEvent.objects.get(action="fund.statement_imported")
    assert imported.payload["unmatched_lines"] == [3, 4, 5, 6]
    again = statement_reconcile(actor=people.finance2, statement_reference="STMT-2026-11", raw=statement)
    assert not again.matched  # already reconciled: reported, not repeated


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\xff\xfe\x00bad",
        b"date,amount\n2026-11-01,10.00\n",
        b"payment_reference,amount\n",
        b"payment_reference,amount\nTRX-1,ten\n",
        b"payment_reference,amount\nTRX-1,10.001\n",
        b"payment_reference,amount\n,10.00\n",
        b"payment_reference,amount,date\nTRX-1\n",
        b'payment_reference,amount\n"TRX-1,10.00\n',
    ],
)
def test_malformed_statements_are_refused_and_change_nothing(people, case, funded, raw):
    paid = _paid(people, case, "10.00", "TRX-1")
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        statement_reconcile(actor=people.finance2, statement_reference="S-1", raw=raw)
    assert "file" in refused.value.errors
    assert Disbursement.objects.get(pk=paid.pk).status == "paid"
    assert AuditEvent.objects.count() == events


def test_statement_needs_a_reference_and_finance(people):
    with pytest.raises(ValidationFailed):
        statement_reconcile(actor=people.finance, statement_reference=" ", raw=b"reference,amount\nX,1\n")
    with pytest.raises(PermissionDenied):
        statement_reconcile(actor=people.approver, statement_reference="S", raw=b"reference,amount\nX,1\n")


def test_parse_accepts_reference_alias_and_thousands_separators():
    lines = parse_statement(b'Reference,Amount\nTRX-7,"1,250.50"\n\n')
    assert [(line.line, line.payment_reference, line.amount) for line in lines] == [(2, "TRX-7", Decimal("1250.50"))]


def test_statement_with_a_huge_amount_or_a_nul_byte_is_refused_cleanly():
    import pytest

    from config.errors import ValidationFailed
    from fund.bank_files import parse_statement

    for body in (b"payment_reference,amount\nR1,1e30\n", b"payment_reference,amount\nR\x001,10.00\n"):
        with pytest.raises(ValidationFailed) as refused:
            parse_statement(body)
        assert "file" in refused.value.errors
