"""Races on PostgreSQL: real threads, separate connections, lined up by a barrier.

Two people acting on the same request at the same moment produce exactly one
effect; the other is told 409. Approvals racing for the last of the money
never drive `available` below zero. (SQLite serialises whole transactions, so
these races cannot happen there; the tests skip with a reason.)
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.test import APIClient

from fund.models import Approval, Disbursement, LedgerEntry
from tests.conftest import postgresql_only
from tests.fund.conftest import balances, deposit, drive, request_payment

pytestmark = [postgresql_only(), pytest.mark.django_db(transaction=True)]
CONFLICT_CODES = {"transition_not_allowed", "concurrent_update"}


def race(*calls):
    """Run the calls in threads released together; each returns (status, code)."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # reported to the test, not swallowed
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for result in results:
        if isinstance(result, Exception):
            raise result
    return results


def transition(user, disbursement, name, **data):
    def call():
        client = APIClient()
        client.force_authenticate(user)
        response = client.post(f"/api/v1/disbursements/{disbursement.pk}/transitions/{name}/", data, format="json")
        return response.status_code, response.json().get("code", "")

    return call


def test_two_approvers_at_once_give_one_approval(people, case, funded):
    disbursement = drive(request_payment(case, people.caseworker, amount="1000.00"), people, "submitted")
    results = race(
        transition(people.approver, disbursement, "approve"), transition(people.approver2, disbursement, "approve")
    )
    statuses = sorted(status for status, _code in results)
    assert statuses == [200, 409]
    assert next(code for status, code in results if status == 409) in CONFLICT_CODES
    assert Approval.objects.filter(disbursement=disbursement).count() == 1
    assert LedgerEntry.objects.filter(disbursement=disbursement, kind="commit").count() == 1
    assert balances() == (Decimal("100000.00"), Decimal("1000.00"), Decimal("0.00"), Decimal("99000.00"))


def test_two_approvals_of_a_dual_request_at_once_commit_once(people, case, funded):
    disbursement = drive(request_payment(case, people.caseworker, amount="8000.00"), people, "submitted")
    results = race(
        transition(people.approver, disbursement, "approve"), transition(people.approver2, disbursement, "approve")
    )
    assert [status for status, _code in results] == [200, 200]
    assert Disbursement.objects.get(pk=disbursement.pk).status == "approved"
    assert LedgerEntry.objects.filter(disbursement=disbursement, kind="commit").count() == 1
    assert balances()[1] == Decimal("8000.00")


def test_the_same_approver_twice_at_once_counts_once(people, case, funded):
    disbursement = drive(request_payment(case, people.caseworker, amount="8000.00"), people, "submitted")
    results = race(
        transition(people.approver, disbursement, "approve"), transition(people.approver, disbursement, "approve")
    )
    assert sorted(results) == [(200, ""), (403, "segregation_of_duties")]
    assert Approval.objects.filter(disbursement=disbursement).count() == 1
    assert Disbursement.objects.get(pk=disbursement.pk).status == "submitted"


def test_two_finance_officers_pay_once(people, case, funded):
    disbursement = drive(request_payment(case, people.caseworker, amount="1000.00"), people, "approved")
    results = race(
        transition(people.finance, disbursement, "pay", payment_reference="TRX-A"),
        transition(people.finance2, disbursement, "pay", payment_reference="TRX-B"),
    )
    assert sorted(status for status, _code in results) == [200, 409]
    assert next(code for status, code in results if status == 409) in CONFLICT_CODES
    assert LedgerEntry.objects.filter(disbursement=disbursement, kind="payment").count() == 1
    assert balances() == (Decimal("100000.00"), Decimal("0.00"), Decimal("1000.00"), Decimal("99000.00"))


def test_cancel_and_pay_at_once_settle_one_way(people, case, funded):
    disbursement = drive(request_payment(case, people.caseworker, amount="1000.00"), people, "approved")
    results = race(
        transition(people.approver2, disbursement, "cancel", reason="Not needed."),
        transition(people.finance, disbursement, "pay", payment_reference="TRX-C"),
    )
    assert sorted(status for status, _code in results) == [200, 409]
    status = Disbursement.objects.get(pk=disbursement.pk).status
    kinds = tuple(sorted(LedgerEntry.objects.filter(disbursement=disbursement).values_list("kind", flat=True)))
    assert (status, kinds) in {("cancelled", ("commit", "release")), ("paid", ("commit", "payment"))}
    deposited, committed, paid, available = balances()
    assert committed == 0 and deposited - paid == available


def test_approvals_racing_for_the_last_money_never_overdraw(people, case):
    deposit(people.finance, amount="1000.00")
    requests = [drive(request_payment(case, people.caseworker, amount="300.00"), people, "submitted") for _ in range(8)]
    approvers = [people.approver, people.approver2, people.approver3]
    results = race(*(transition(approvers[i % 3], d, "approve") for i, d in enumerate(requests)))
    assert sorted(results).count((200, "")) == 3
    assert [code for status, code in results if status != 200] == ["insufficient_funds"] * 5
    assert balances() == (Decimal("1000.00"), Decimal("900.00"), Decimal("0.00"), Decimal("100.00"))
    assert LedgerEntry.objects.filter(kind="commit").count() == 3


def test_case_withdrawal_racing_an_approval_leaves_nothing_committed(people, case, funded):
    from referrals.services import case_transition

    disbursement = drive(request_payment(case, people.caseworker, amount="500.00"), people, "submitted")

    def withdraw():
        case_transition(case=case, actor=people.caseworker, name="withdraw", reason="Consent withdrawn.")
        return 200, ""

    race(withdraw, transition(people.approver, disbursement, "approve"))
    assert Disbursement.objects.get(pk=disbursement.pk).status == "cancelled"
    assert balances() == (Decimal("100000.00"), Decimal("0.00"), Decimal("0.00"), Decimal("100000.00"))


def _case_transition(user, case, name, reason):
    def call():
        client = APIClient()
        client.force_authenticate(user)
        response = client.post(f"/api/v1/cases/{case.pk}/transitions/{name}/", {"reason": reason}, format="json")
        return response.status_code, response.json().get("code", "")

    return call


def _create_request(user, case):
    def call():
        client = APIClient()
        client.force_authenticate(user)
        body = {
            "case": str(case.pk),
            "category": "medical",
            "amount": "10.00",
            "payee_type": "vendor",
            "payee_name": "Race Clinic",
            "payee_account": "GB83WEST12345600000111",
            "justification": "Race test.",
        }
        response = client.post("/api/v1/disbursements/", body, format="json")
        return response.status_code, response.json().get("code", "")

    return call


ROUNDS = 6  # each round is one race; a missing case lock loses at least one of them


def test_closing_a_case_while_a_request_is_made_never_leaves_a_closed_case_with_an_open_request(people, funded):
    from referrals.models import Case
    from tests.fund.conftest import make_active_case

    for _ in range(ROUNDS):
        case = make_active_case(people.caseworker, people.approver)
        close = _case_transition(people.caseworker, case, "close", "Race: assistance ended")
        results = race(close, _create_request(people.caseworker, case))
        assert sorted(status for status, _code in results) in ([200, 409], [201, 409])
        status = Case.objects.get(pk=case.pk).status
        open_requests = Disbursement.objects.filter(case=case).exclude(status__in=["cancelled", "rejected"]).count()
        assert not (status == "closed" and open_requests), "a closed case kept an open payment request"


def test_withdrawing_a_case_while_its_request_is_approved_leaves_no_commitment(people, funded):
    from referrals.models import Case
    from tests.fund.conftest import make_active_case

    for _ in range(ROUNDS):
        case = make_active_case(people.caseworker, people.approver)
        disbursement = drive(request_payment(case, people.caseworker, amount="100.00"), people, "submitted")
        withdraw = _case_transition(people.caseworker, case, "withdraw", "Race: consent withdrawn")
        race(withdraw, transition(people.approver, disbursement, "approve"))
        assert Case.objects.get(pk=case.pk).status == "withdrawn"
        disbursement.refresh_from_db()
        assert disbursement.status == "cancelled"
        commits = LedgerEntry.objects.filter(disbursement=disbursement, kind="commit").count()
        releases = LedgerEntry.objects.filter(disbursement=disbursement, kind="release").count()
        assert commits == releases  # whatever was committed was released
    deposited, committed, paid, available = balances()
    assert committed == Decimal("0.00") and available == deposited - paid


def _edit(user, disbursement, **changes):
    def call():
        client = APIClient()
        client.force_authenticate(user)
        response = client.patch(f"/api/v1/disbursements/{disbursement.pk}/", changes, format="json")
        return response.status_code, response.json().get("code", "")

    return call


def test_an_edit_racing_an_approval_never_changes_what_was_approved(people, funded, case):
    from audit.models import AuditEvent

    for _ in range(ROUNDS):
        disbursement = drive(request_payment(case, people.caseworker, amount="100.00"), people, "submitted")
        results = race(
            _edit(people.caseworker2, disbursement, amount="4000.00"),
            transition(people.approver, disbursement, "approve"),
        )
        assert sorted(results) == [(200, ""), (409, "transition_not_allowed")]
        fresh = Disbursement.objects.get(pk=disbursement.pk)
        assert (fresh.status, fresh.amount) == ("approved", Decimal("100.00"))
        approved = AuditEvent.objects.get(action="disbursement.approve", object_id=str(disbursement.pk))
        assert approved.payload["amount"] == "100.00"
        assert not fresh.makers.filter(user=people.caseworker2).exists()


def test_an_edit_racing_a_submission_is_either_in_what_was_submitted_or_refused(people, funded, case):
    from audit.models import AuditEvent

    for _ in range(ROUNDS):
        draft = request_payment(case, people.caseworker, amount="100.00")
        results = race(
            _edit(people.caseworker2, draft, amount="6000.00"), transition(people.caseworker, draft, "submit")
        )
        fresh = Disbursement.objects.get(pk=draft.pk)
        submitted = AuditEvent.objects.get(action="disbursement.submit", object_id=str(draft.pk))
        assert fresh.status == "submitted"
        assert submitted.payload["amount"] == str(fresh.amount)
        assert fresh.approvals_required == (2 if fresh.amount >= Decimal("5000.00") else 1)
        if fresh.amount == Decimal("6000.00"):
            assert sorted(results) == [(200, ""), (200, "")]
            assert fresh.makers.filter(user=people.caseworker2, role="editor").exists()
        else:
            assert sorted(results) == [(200, ""), (409, "transition_not_allowed")]
