"""Controls that hold against insiders (DESIGN.md §4): every maker counted,
reconciliation by someone else or by the bank's statement, IBANs only,
the case limit checked from the draft on."""

import hashlib
from decimal import Decimal

import pytest

from audit.models import AuditEvent
from fund.models import Disbursement, DisbursementMaker
from tests.factories import fake_iban
from tests.fund.conftest import drive, request_payment
from tests.fund.test_api import LIST, act, body, client_for


def _patch(user, pk, **changes):
    return client_for(user).patch(f"{LIST}{pk}/", changes, format="json")


def _code(response):
    return response.status_code, response.json().get("code")


def test_an_editor_of_a_colleagues_draft_may_not_approve_it(people, case, funded):
    """The insider's walk-around: edit amount and payee, let the colleague submit, approve."""
    pk = client_for(people.caseworker).post(LIST, body(case), format="json").json()["id"]
    edited = _patch(people.caseworker_approver, pk, amount="1600.00", payee_account=fake_iban(666))
    assert edited.status_code == 200, edited.json()
    assert act(people.caseworker, pk, "submit").status_code == 200
    before = Disbursement.objects.get(pk=pk).status
    refused = act(people.caseworker_approver, pk, "approve")
    assert _code(refused) == (403, "segregation_of_duties")
    assert _code(act(people.caseworker_approver, pk, "reject", reason="x")) == (403, "segregation_of_duties")
    assert Disbursement.objects.get(pk=pk).status == before == "submitted"
    makers = list(DisbursementMaker.objects.filter(disbursement_id=pk).order_by("created_at"))
    assert [(m.user_id, m.role) for m in makers] == [
        (people.caseworker.pk, "creator"),
        (people.caseworker_approver.pk, "editor"),
        (people.caseworker.pk, "submitter"),
    ]
    assert makers[1].fields == ["amount", "payee_account"]
    detail = client_for(people.approver).get(f"{LIST}{pk}/").json()
    assert [(m["role"], m["fields"]) for m in detail["makers"]][1] == ("editor", ["amount", "payee_account"])
    assert "approve" not in client_for(people.caseworker_approver).get(f"{LIST}{pk}/").json()["available_transitions"]


def test_an_editor_who_holds_finance_may_not_pay_it(people, case, funded):
    from tests.factories import make_user

    cw_finance = make_user("caseworker", "finance", organisation=case.organisation.name)
    draft = request_payment(case, people.caseworker)
    assert _patch(cw_finance, draft.pk, justification="Changed by a colleague.").status_code == 200
    approved = drive(draft, people, "approved")
    assert _code(act(cw_finance, approved.pk, "pay", payment_reference="P-1")) == (403, "segregation_of_duties")
    assert Disbursement.objects.get(pk=approved.pk).status == "approved"
    assert act(people.finance, approved.pk, "pay", payment_reference="P-1").status_code == 200
    # ... nor reconcile it
    refused = act(cw_finance, approved.pk, "reconcile", statement_reference="S-1")
    assert _code(refused) == (403, "segregation_of_duties")


def test_an_approver_neither_pays_nor_reconciles(people, case, funded):
    approved = drive(request_payment(case, people.caseworker), people, "submitted")
    act(people.approver_finance, approved.pk, "approve")
    assert _code(act(people.approver_finance, approved.pk, "pay", payment_reference="P")) == (
        403,
        "segregation_of_duties",
    )
    assert act(people.finance, approved.pk, "pay", payment_reference="P-2").status_code == 200
    refused = act(people.approver_finance, approved.pk, "reconcile", statement_reference="S")
    assert _code(refused) == (403, "segregation_of_duties")


def test_the_payer_does_not_reconcile_by_hand_but_another_finance_officer_does(people, case, funded):
    paid = drive(request_payment(case, people.caseworker), people, "paid")
    assert paid.paid_by == people.finance
    events = AuditEvent.objects.count()
    refused = act(people.finance, paid.pk, "reconcile", statement_reference="no statement at all")
    assert _code(refused) == (403, "segregation_of_duties")
    assert Disbursement.objects.get(pk=paid.pk).status == "paid"
    # nothing changed but the refusal on the record
    assert list(AuditEvent.objects.filter(seq__gt=events).values_list("action", flat=True)) == ["access.denied"]
    done = act(people.finance2, paid.pk, "reconcile", statement_reference="STMT-7")
    assert done.status_code == 200 and done.json()["status"] == "reconciled"


def _statement(*lines: tuple[str, str]) -> bytes:
    rows = ["payment_reference,amount", *(f"{ref},{amount}" for ref, amount in lines)]
    return ("\n".join(rows) + "\n").encode()


def test_the_statement_import_reconciles_the_payers_own_payment_on_exact_match(people, case, funded):
    from fund.services.bank import statement_reconcile

    paid = drive(request_payment(case, people.caseworker, amount="250.00"), people, "paid")
    other = drive(request_payment(case, people.caseworker, amount="300.00"), people, "paid")
    raw = _statement((paid.payment_reference, "250.00"), (other.payment_reference, "300.01"))
    report = statement_reconcile(actor=people.finance, statement_reference="STMT-2026-12", raw=raw)
    assert [m["disbursement"].pk for m in report.matched] == [paid.pk]
    assert [u["line"] for u in report.unmatched] == [3]
    assert Disbursement.objects.get(pk=other.pk).status == "paid"  # amount differs: never guessed
    event = AuditEvent.objects.get(action="disbursement.reconcile", object_id=str(paid.pk))
    assert event.payload["via"] == "statement_import"
    assert event.payload["statement"] == {
        "file_sha256": hashlib.sha256(raw).hexdigest(),
        "line": 2,
        "statement_reference": "STMT-2026-12",
    }
    imported = AuditEvent.objects.get(action="fund.statement_imported")
    assert imported.payload["file_sha256"] == hashlib.sha256(raw).hexdigest()


@pytest.mark.parametrize(
    "account",
    ["SA12 3456", "GB82WEST12345698765433", "NOT-AN-IBAN-0001", "XX00 0000 0000", "GB33 BUKB 2020 1555 5555"],
)
def test_a_payee_account_that_is_not_an_iban_is_refused(people, case, account):
    response = client_for(people.caseworker).post(LIST, body(case, payee_account=account), format="json")
    assert (response.status_code, response.json()["code"]) == (400, "validation_error")
    assert list(response.json()["errors"]) == ["payee_account"]
    assert account not in response.content.decode()  # the value is never echoed
    assert not Disbursement.objects.exists()
    draft = request_payment(case, people.caseworker)
    refused = _patch(people.caseworker, draft.pk, payee_account=account)
    assert refused.status_code == 400 and "payee_account" in refused.json()["errors"]
    assert Disbursement.objects.get(pk=draft.pk).payee_account == draft.payee_account


@pytest.mark.parametrize("written", ["gb82 west 1234 5698 7654 32", "GB82WEST12345698765432", "GB٨٢WEST١٢٣٤٥٦٩٨٧٦٥٤٣٢"])
def test_spaces_lower_case_and_arabic_indic_digits_are_normalised(people, case, written):
    response = client_for(people.caseworker).post(LIST, body(case, payee_account=written), format="json")
    assert response.status_code == 201, response.json()
    assert Disbursement.objects.get(pk=response.json()["id"]).payee_account == "GB82WEST12345698765432"


def test_the_case_limit_is_checked_when_created_edited_and_submitted(people, case, funded, settings):
    settings.VAF_CASE_LIMIT = Decimal("50000.00")
    over = client_for(people.caseworker).post(LIST, body(case, amount="60000.00"), format="json")
    assert _code(over) == (409, "case_limit_exceeded")
    assert "60000.00" in over.json()["detail"] and "50000.00" in over.json()["detail"]
    assert not Disbursement.objects.exists()
    draft = request_payment(case, people.caseworker, amount="1000.00")
    assert _code(_patch(people.caseworker, draft.pk, amount="50000.01")) == (409, "case_limit_exceeded")
    assert Disbursement.objects.get(pk=draft.pk).amount == Decimal("1000.00")
    settings.VAF_CASE_LIMIT = Decimal("900.00")  # lowered while the draft waits
    assert _code(act(people.caseworker, draft.pk, "submit")) == (409, "case_limit_exceeded")
    assert Disbursement.objects.get(pk=draft.pk).status == "draft"


def test_the_approver_deciding_sees_the_payee_in_full_with_a_warning(people, case, funded):
    from tests.fund.conftest import make_active_case

    shared = fake_iban(4040)
    elsewhere = make_active_case(people.caseworker, people.approver2)
    request_payment(elsewhere, people.caseworker, payee_account=shared)
    submitted = drive(request_payment(case, people.caseworker, payee_account=shared), people, "submitted")
    seen = client_for(people.approver).get(f"{LIST}{submitted.pk}/").json()
    assert (seen["payee_name"], seen["payee_account"], seen["payee_shown_in_full"]) == ("Test Clinic", shared, True)
    assert seen["payee_account_on_other_cases"] == [elsewhere.reference]
    for other in (people.finance, people.auditor, people.caseworker):
        masked = client_for(other).get(f"{LIST}{submitted.pk}/").json()
        assert masked["payee_account"] != shared and masked["payee_shown_in_full"] is False
        assert masked["payee_account_on_other_cases"] == []
    viewed = AuditEvent.objects.filter(action="case.pii_viewed", object_id=str(case.pk))
    assert [(e.actor_id, e.payload["fields"]) for e in viewed] == [
        (people.approver.pk, ["payee_account", "payee_name"])
    ]
    assert act(people.approver, submitted.pk, "approve").status_code == 200
    event = AuditEvent.objects.get(action="disbursement.approve", object_id=str(submitted.pk))
    assert event.payload["payee_shown"] == ["payee_account", "payee_name"]
    assert event.payload["payee_account_on_other_cases"] == [elsewhere.reference]
    assert shared not in str(event.payload)


def test_a_refusal_shown_on_a_page_is_on_the_record_with_its_code(people, case, funded):
    from django.test import Client
    from django.urls import reverse

    submitted = drive(request_payment(case, people.caseworker_approver), people, "submitted")
    browser = Client()
    browser.force_login(people.caseworker_approver)
    url = reverse("fund:disbursement_transition", args=[submitted.pk, "approve"])
    response = browser.post(url, {"next": "/fund/approvals/"})
    assert response.status_code == 302  # the page reports it as a message
    event = AuditEvent.objects.get(action="access.denied")
    assert (event.actor_id, event.object_type, event.object_id) == (
        people.caseworker_approver.pk,
        "disbursement",
        str(submitted.pk),
    )
    assert event.payload["code"] == "segregation_of_duties" and event.payload["tried"].endswith("approve")
    assert Disbursement.objects.get(pk=submitted.pk).status == "submitted"


def test_a_bad_api_token_is_on_the_record_without_the_token(db):
    from rest_framework.test import APIClient

    response = APIClient().get(LIST, HTTP_AUTHORIZATION="Token not-a-real-token-0000")
    assert response.status_code == 401
    event = AuditEvent.objects.get(action="auth.token_rejected")
    assert "not-a-real-token" not in str(event.payload) and event.actor_id is None
