"""The fund path through the API (DESIGN.md §4, §5, §8), balances checked to the cent."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

import pytest

from .conftest import assert_error, client_for

DISB_KEYS = {
    "id",
    "case",
    "status",
    "category",
    "amount",
    "currency",
    "approvals_required",
    "approvals",
    "available_transitions",
}
FUND_KEYS = {"currency", "deposited", "committed", "paid", "available"}


@pytest.fixture
def active(api):
    return api.case_in("active")


def test_fund_shape_and_access(p, api):
    for who in (p.approver, p.finance, p.auditor):
        r = client_for(who).get("/api/v1/fund/")
        assert r.status_code == 200
        assert set(r.json()) >= FUND_KEYS
        assert r.json()["currency"] == "SAR"
    for who in (p.cw, p.admin, p.partner):
        assert_error(client_for(who).get("/api/v1/fund/"), 403, "permission_denied")
    api.assert_balances("0.00", "0.00", "0.00", "0.00")


def test_deposit(p, api):
    r = api.deposit("10000.00")
    assert r.status_code == 201, r.content
    api.assert_balances("10000.00", "0.00", "0.00", "10000.00")
    r = api.deposit("0.01", reference="DEP-2")
    assert r.status_code == 201
    api.assert_balances("10000.01", "0.00", "0.00", "10000.01")
    r = api.deposit(250, reference="DEP-3")  # a JSON number with no fraction
    assert r.status_code == 201, r.content
    api.assert_balances("10250.01", "0.00", "0.00", "10250.01")


@pytest.mark.parametrize("who", ["cw", "approver", "auditor", "admin", "partner"])
def test_deposit_wrong_role(p, api, who):
    assert_error(api.deposit("100.00", user=getattr(p, who)), 403, "permission_denied")
    api.assert_balances("0.00", "0.00", "0.00", "0.00")


@pytest.mark.parametrize("amount", ["-5.00", "0", "0.00", "1.005", "abc", "", None, "NaN", "Infinity", True, "1.5e-3"])
def test_deposit_bad_amount(p, api, amount):
    err = assert_error(api.deposit(amount), 400, "validation_error")
    assert "amount" in err.get("errors", {}), err
    api.assert_balances("0.00", "0.00", "0.00", "0.00")


def test_deposit_missing_source_reference(p, api):
    r = client_for(p.finance).post("/api/v1/fund/deposits/", {"amount": "10.00"}, format="json")
    err = assert_error(r, 400, "validation_error")
    assert {"source", "reference"} <= set(err["errors"])


def test_disbursement_create_shape(p, api, active):
    r = api.request(active["id"], "1000.00")
    assert r.status_code == 201, r.content
    d = r.json()
    assert set(d) >= DISB_KEYS, DISB_KEYS - set(d)
    assert d["case"] == active["id"]
    assert d["status"] == "draft"
    assert d["category"] == "medical"
    assert d["amount"] == "1000.00"
    assert d["currency"] == "SAR"
    assert d["approvals_required"] == 1
    assert d["approvals"] == []
    assert set(d["available_transitions"]) == {"submit", "cancel"}
    assert "SA0380000000608010167519" not in r.content.decode()
    assert "Acceptance Clinic" not in r.content.decode()
    # visible in the list and the detail
    lst = client_for(p.cw).get("/api/v1/disbursements/").json()
    assert lst["count"] == 1 and lst["results"][0]["id"] == d["id"]
    for who in (p.cw2, p.approver, p.finance, p.auditor):
        assert api.disb(who, d["id"]).status_code == 200
    for who in (p.cw_other, p.partner, p.admin):
        r = api.disb(who, d["id"])
        assert r.status_code == 404 or (r.status_code == 403 and who is p.admin), (who, r.status_code)
    assert_error(api.disb(p.cw, uuid.uuid4()), 404, "not_found")
    assert_error(api.disb(p.cw, "nope"), 404, "not_found")


@pytest.mark.parametrize("amount", ["-5.00", "0", "0.00", "1.005", "10.001", "abc", "", None, "1,000.00"])
def test_disbursement_bad_amount(p, api, active, amount):
    err = assert_error(api.request(active["id"], amount), 400, "validation_error")
    assert "amount" in err["errors"]
    assert client_for(p.cw).get("/api/v1/disbursements/").json()["count"] == 0


def test_disbursement_bad_fields(p, api, active):
    err = assert_error(api.request(active["id"], category="spa"), 400, "validation_error")
    assert "category" in err["errors"]
    err = assert_error(api.request(active["id"], payee_type="friend"), 400, "validation_error")
    assert "payee_type" in err["errors"]
    err = assert_error(api.request(active["id"], case="not-a-uuid"), 400, "validation_error")
    assert "case" in err["errors"]
    r = client_for(p.cw).post("/api/v1/disbursements/", {"case": active["id"]}, format="json")
    err = assert_error(r, 400, "validation_error")
    assert {"category", "amount", "payee_type", "payee_name", "payee_account", "justification"} <= set(err["errors"])


def test_disbursement_case_not_visible_or_missing(p, api, active):
    assert_error(api.request(active["id"], user=p.cw_other), 404, "not_found")
    assert_error(api.request(str(uuid.uuid4())), 404, "not_found")


@pytest.mark.parametrize("who", ["approver", "finance", "auditor", "admin", "partner"])
def test_disbursement_create_wrong_role(p, api, active, who):
    assert_error(api.request(active["id"], user=getattr(p, who)), 403, "permission_denied")


@pytest.mark.parametrize("state", ["referred", "in_assessment", "pending_approval", "closed", "withdrawn", "rejected"])
def test_disbursement_on_non_active_case(p, api, state):
    case = api.case_in(state)
    r = api.request(case["id"])
    assert_error(r, 409, "transition_not_allowed")
    assert client_for(p.cw).get("/api/v1/disbursements/").json()["count"] == 0


def test_single_approval_pay_reconcile(p, api, active):
    api.deposit("10000.00")
    d = api.request_ok(active["id"], "4999.99")
    did = d["id"]
    api.assert_balances("10000.00", "0.00", "0.00", "10000.00")
    s = api.dt_ok(p.cw, did, "submit")
    assert s["status"] == "submitted" and s["approvals_required"] == 1
    api.assert_balances("10000.00", "0.00", "0.00", "10000.00")
    # requester may not approve (segregation of duties)
    assert_error(api.dt(p.cw, did, "approve"), 403, "permission_denied")  # role: not an approver
    a = api.dt_ok(p.approver, did, "approve", reason="ok")
    assert a["status"] == "approved"
    assert [x["approver"] for x in a["approvals"]] == [p.approver.username]
    datetime.fromisoformat(a["approvals"][0]["at"].replace("Z", "+00:00"))
    api.assert_balances("10000.00", "4999.99", "0.00", "5000.01")
    # pay without a reference
    err = assert_error(api.dt(p.finance, did, "pay"), 400, "validation_error")
    assert "payment_reference" in err["errors"]
    assert_error(api.dt(p.finance, did, "pay", payment_reference="  "), 400, "validation_error")
    api.assert_balances("10000.00", "4999.99", "0.00", "5000.01")
    # wrong roles for pay
    assert_error(api.dt(p.approver2, did, "pay", payment_reference="X"), 403, "permission_denied")
    assert_error(api.dt(p.cw, did, "pay", payment_reference="X"), 403, "permission_denied")
    paid = api.dt_ok(p.finance, did, "pay", payment_reference="BANK-0001")
    assert paid["status"] == "paid"
    api.assert_balances("10000.00", "0.00", "4999.99", "5000.01")
    # paid at most once
    assert_error(api.dt(p.finance2, did, "pay", payment_reference="BANK-0002"), 409, "transition_not_allowed")
    api.assert_balances("10000.00", "0.00", "4999.99", "5000.01")
    err = assert_error(api.dt(p.finance2, did, "reconcile"), 400, "validation_error")
    assert "statement_reference" in err["errors"]
    rec = api.dt_ok(p.finance2, did, "reconcile", statement_reference="STMT-2026-11")
    assert rec["status"] == "reconciled"
    api.assert_balances("10000.00", "0.00", "4999.99", "5000.01")
    assert_error(api.dt(p.finance2, did, "reconcile", statement_reference="S"), 409, "transition_not_allowed")
    assert api.verify()["ok"] is True


def test_requester_who_is_also_approver_cannot_approve(p, api):
    case = api.case_in("active", cw=p.cw_approver)
    api.deposit("10000.00")
    did = api.request_ok(case["id"], "100.00", user=p.cw_approver)["id"]
    api.dt_ok(p.cw_approver, did, "submit")
    assert "approve" not in api.disb(p.cw_approver, did).json()["available_transitions"]
    assert_error(api.dt(p.cw_approver, did, "approve"), 403, "segregation_of_duties")
    assert_error(api.dt(p.cw_approver, did, "reject", reason="no"), 403, "segregation_of_duties")
    api.assert_balances("10000.00", "0.00", "0.00", "10000.00")


def test_submitter_counts_as_requester(p, api, active):
    """Requested by cw, submitted by cw_approver (same org): cw_approver may not approve."""
    api.deposit("10000.00")
    did = api.request_ok(active["id"], "100.00")["id"]
    api.dt_ok(p.cw_approver, did, "submit")
    assert_error(api.dt(p.cw_approver, did, "approve"), 403, "segregation_of_duties")


def test_dual_approval_at_exactly_5000(p, api, active):
    api.deposit("20000.00")
    d = api.request_ok(active["id"], "5000.00")
    assert d["approvals_required"] == 2
    did = d["id"]
    api.dt_ok(p.cw, did, "submit")
    first = api.dt_ok(p.approver, did, "approve")
    assert first["status"] == "submitted"
    assert [x["approver"] for x in first["approvals"]] == [p.approver.username]
    api.assert_balances("20000.00", "0.00", "0.00", "20000.00")
    # the same approver twice is refused
    r = api.dt(p.approver, did, "approve")
    assert_error(r, 403, "segregation_of_duties")
    assert "approve" not in api.disb(p.approver, did).json()["available_transitions"]
    assert len(api.disb(p.approver, did).json()["approvals"]) == 1
    api.assert_balances("20000.00", "0.00", "0.00", "20000.00")
    second = api.dt_ok(p.approver2, did, "approve")
    assert second["status"] == "approved"
    assert {x["approver"] for x in second["approvals"]} == {p.approver.username, p.approver2.username}
    api.assert_balances("20000.00", "5000.00", "0.00", "15000.00")
    # a third approval is refused
    assert_error(api.dt(p.approver3, did, "approve"), 409, "transition_not_allowed")
    api.assert_balances("20000.00", "5000.00", "0.00", "15000.00")


def test_below_threshold_single_approval(p, api, active):
    api.deposit("20000.00")
    d = api.request_ok(active["id"], "4999.99")
    assert d["approvals_required"] == 1
    d2 = api.request_ok(active["id"], "5000.01")
    assert d2["approvals_required"] == 2


def test_payer_who_approved_is_refused(p, api, active):
    api.deposit("10000.00")
    did = api.request_ok(active["id"], "300.00")["id"]
    api.dt_ok(p.cw, did, "submit")
    api.dt_ok(p.approver_finance, did, "approve")
    api.assert_balances("10000.00", "300.00", "0.00", "9700.00")
    assert "pay" not in api.disb(p.approver_finance, did).json()["available_transitions"]
    assert_error(api.dt(p.approver_finance, did, "pay", payment_reference="B-1"), 403, "segregation_of_duties")
    api.assert_balances("10000.00", "300.00", "0.00", "9700.00")
    api.dt_ok(p.finance, did, "pay", payment_reference="B-1")
    api.assert_balances("10000.00", "0.00", "300.00", "9700.00")


def test_payer_who_requested_is_refused(p, api):
    case = api.case_in("active", cw=p.cw_finance)
    api.deposit("10000.00")
    did = api.request_ok(case["id"], "300.00", user=p.cw_finance)["id"]
    api.dt_ok(p.cw_finance, did, "submit")
    api.dt_ok(p.approver, did, "approve")
    assert_error(api.dt(p.cw_finance, did, "pay", payment_reference="B-2"), 403, "segregation_of_duties")
    api.assert_balances("10000.00", "300.00", "0.00", "9700.00")


def test_insufficient_funds(p, api, active):
    api.deposit("1000.00")
    did = api.request_ok(active["id"], "1000.01")["id"]
    api.dt_ok(p.cw, did, "submit")
    assert_error(api.dt(p.approver, did, "approve"), 409, "insufficient_funds")
    d = api.disb(p.approver, did).json()
    assert d["status"] == "submitted" and d["approvals"] == []
    api.assert_balances("1000.00", "0.00", "0.00", "1000.00")
    # dual: the first approval is fine, the last one fails
    api.deposit("4000.00", reference="DEP-2")
    big = api.request_ok(active["id"], "6000.00")["id"]
    api.dt_ok(p.cw, big, "submit")
    api.dt_ok(p.approver, big, "approve")
    assert_error(api.dt(p.approver2, big, "approve"), 409, "insufficient_funds")
    assert len(api.disb(p.approver, big).json()["approvals"]) == 1
    api.assert_balances("5000.00", "0.00", "0.00", "5000.00")
    # exactly the available amount works
    exact = api.request_ok(active["id"], "1000.00")["id"]
    api.dt_ok(p.cw, exact, "submit")
    api.dt_ok(p.approver, exact, "approve")
    api.assert_balances("5000.00", "1000.00", "0.00", "4000.00")
    api.dt_ok(p.approver, did, "approve")  # 1000.01 now fits
    api.assert_balances("5000.00", "2000.01", "0.00", "2999.99")


def test_case_limit_50000(p, api, active):
    api.deposit("100000.00")
    big = api.request_ok(active["id"], "45000.00")["id"]
    api.dt_ok(p.cw, big, "submit")
    api.dt_ok(p.approver, big, "approve")
    api.dt_ok(p.approver2, big, "approve")
    api.assert_balances("100000.00", "45000.00", "0.00", "55000.00")
    api.dt_ok(p.finance, big, "pay", payment_reference="BIG-1")
    api.assert_balances("100000.00", "0.00", "45000.00", "55000.00")
    # 45,000 + 5,000.01 > 50,000: refused from the draft on (DESIGN.md §4)
    over = api.request(active["id"], "5000.01")
    assert_error(over, 409, "case_limit_exceeded")
    api.assert_balances("100000.00", "0.00", "45000.00", "55000.00")
    # exactly 50,000 is allowed
    fit = api.request_ok(active["id"], "5000.00")["id"]
    api.dt_ok(p.cw, fit, "submit")
    api.dt_ok(p.approver, fit, "approve")
    api.dt_ok(p.approver2, fit, "approve")
    api.assert_balances("100000.00", "5000.00", "45000.00", "50000.00")
    # one more cent is over
    assert_error(api.request(active["id"], "0.01"), 409, "case_limit_exceeded")
    # cancelled money does not count
    api.dt_ok(p.cw, fit, "cancel", reason="Not needed")
    api.assert_balances("100000.00", "0.00", "45000.00", "55000.00")
    cent = api.request_ok(active["id"], "0.01")["id"]
    api.dt_ok(p.cw, cent, "submit")
    api.dt_ok(p.approver, cent, "approve")
    api.assert_balances("100000.00", "0.01", "45000.00", "54999.99")
    # a different case has its own limit
    other = api.case_in("active")
    o = api.request_ok(other["id"], "6000.00")["id"]
    api.dt_ok(p.cw, o, "submit")
    api.dt_ok(p.approver, o, "approve")
    api.dt_ok(p.approver2, o, "approve")
    api.assert_balances("100000.00", "6000.01", "45000.00", "48999.99")


def test_cancel_releases_commitment(p, api, active):
    api.deposit("10000.00")
    did = api.request_ok(active["id"], "2500.50")["id"]
    api.dt_ok(p.cw, did, "submit")
    api.dt_ok(p.approver, did, "approve")
    api.assert_balances("10000.00", "2500.50", "0.00", "7499.50")
    err = assert_error(api.dt(p.cw, did, "cancel"), 400, "validation_error")
    assert "reason" in err["errors"]
    assert_error(api.dt(p.finance, did, "cancel", reason="x"), 403, "permission_denied")
    assert_error(api.dt(p.cw2, did, "cancel", reason="x"), 403, "permission_denied")
    c = api.dt_ok(p.cw, did, "cancel", reason="No longer needed")
    assert c["status"] == "cancelled"
    api.assert_balances("10000.00", "0.00", "0.00", "10000.00")
    # cancelled at most once: nothing released twice
    assert_error(api.dt(p.approver, did, "cancel", reason="again"), 409, "transition_not_allowed")
    api.assert_balances("10000.00", "0.00", "0.00", "10000.00")
    # an approver may cancel a draft and a submitted one (no money moves)
    d2 = api.request_ok(active["id"], "10.00")["id"]
    api.dt_ok(p.approver, d2, "cancel", reason="duplicate")
    d3 = api.request_ok(active["id"], "10.00")["id"]
    api.dt_ok(p.cw, d3, "submit")
    api.dt_ok(p.approver2, d3, "cancel", reason="duplicate")
    api.assert_balances("10000.00", "0.00", "0.00", "10000.00")


def test_mark_failed_then_pay_again_or_cancel(p, api, active):
    api.deposit("10000.00")
    did = api.request_ok(active["id"], "700.00")["id"]
    api.dt_ok(p.cw, did, "submit")
    api.dt_ok(p.approver, did, "approve")
    assert_error(api.dt(p.finance, did, "mark_failed"), 400, "validation_error")
    assert_error(api.dt(p.approver2, did, "mark_failed", reason="x"), 403, "permission_denied")
    f = api.dt_ok(p.finance, did, "mark_failed", reason="Bank returned it")
    assert f["status"] == "failed"
    api.assert_balances("10000.00", "700.00", "0.00", "9300.00")
    assert_error(api.dt(p.finance, did, "mark_failed", reason="again"), 409, "transition_not_allowed")
    paid = api.dt_ok(p.finance, did, "pay", payment_reference="RETRY-1")
    assert paid["status"] == "paid"
    api.assert_balances("10000.00", "0.00", "700.00", "9300.00")
    # failed then cancelled releases
    d2 = api.request_ok(active["id"], "300.00")["id"]
    api.dt_ok(p.cw, d2, "submit")
    api.dt_ok(p.approver, d2, "approve")
    api.dt_ok(p.finance, d2, "mark_failed", reason="Account closed")
    api.assert_balances("10000.00", "300.00", "700.00", "9000.00")
    api.dt_ok(p.cw, d2, "cancel", reason="Payee unreachable")
    api.assert_balances("10000.00", "0.00", "700.00", "9300.00")


def test_reject(p, api, active):
    api.deposit("10000.00")
    did = api.request_ok(active["id"], "100.00")["id"]
    api.dt_ok(p.cw, did, "submit")
    assert_error(api.dt(p.approver, did, "reject"), 400, "validation_error")
    assert_error(api.dt(p.finance, did, "reject", reason="x"), 403, "permission_denied")
    r = api.dt_ok(p.approver, did, "reject", reason="Not eligible")
    assert r["status"] == "rejected"
    assert_error(api.dt(p.approver2, did, "approve"), 409, "transition_not_allowed")
    assert_error(api.dt(p.cw, did, "cancel", reason="x"), 409, "transition_not_allowed")
    api.assert_balances("10000.00", "0.00", "0.00", "10000.00")


def test_return_for_changes_clears_approvals(p, api, active):
    api.deposit("10000.00")
    did = api.request_ok(active["id"], "6000.00")["id"]
    api.dt_ok(p.cw, did, "submit")
    api.dt_ok(p.approver, did, "approve")
    assert_error(api.dt(p.approver2, did, "return_for_changes"), 400, "validation_error")
    r = api.dt_ok(p.approver2, did, "return_for_changes", reason="Attach the invoice")
    assert r["status"] == "draft"
    assert r["approvals"] == []
    api.assert_balances("10000.00", "0.00", "0.00", "10000.00")
    # edited and resubmitted: a new round of two approvals
    patched = client_for(p.cw).patch(f"/api/v1/disbursements/{did}/", {"amount": "4000.00"}, format="json")
    if patched.status_code == 200:
        assert patched.json()["amount"] == "4000.00"
    api.dt_ok(p.cw, did, "submit")
    a = api.dt_ok(p.approver, did, "approve")
    expected = "approved" if patched.status_code == 200 else "submitted"
    assert a["status"] == expected
    assert [x["approver"] for x in a["approvals"]] == [p.approver.username]


@pytest.mark.parametrize(
    "state, who, name, body",
    [
        ("draft", "approver", "approve", {}),
        ("draft", "finance", "pay", {"payment_reference": "X"}),
        ("submitted", "cw", "submit", {}),
        ("submitted", "finance", "pay", {"payment_reference": "X"}),
        ("submitted", "finance", "mark_failed", {"reason": "x"}),
        ("approved", "approver2", "reject", {"reason": "x"}),
        ("approved", "finance", "reconcile", {"statement_reference": "S"}),
        ("approved", "approver2", "return_for_changes", {"reason": "x"}),
        ("paid", "cw", "cancel", {"reason": "x"}),
        ("paid", "finance", "mark_failed", {"reason": "x"}),
    ],
)
def test_disbursement_wrong_state_409(p, api, active, state, who, name, body):
    api.deposit("10000.00")
    did = api.request_ok(active["id"], "100.00")["id"]
    steps = {
        "draft": [],
        "submitted": ["submit"],
        "approved": ["submit", "approve"],
        "paid": ["submit", "approve", "pay"],
    }[state]
    actors = {"submit": (p.cw, {}), "approve": (p.approver, {}), "pay": (p.finance, {"payment_reference": "P"})}
    for s in steps:
        user, b = actors[s]
        api.dt_ok(user, did, s, **b)
    before = api.balances()
    assert_error(api.dt(getattr(p, who), did, name, **body), 409, "transition_not_allowed")
    assert api.balances() == before
    assert api.disb(p.auditor, did).json()["status"] == state


def test_disbursement_transition_not_visible(p, api, active):
    api.deposit("100.00")
    did = api.request_ok(active["id"], "10.00")["id"]
    assert_error(api.dt(p.cw_other, did, "submit"), 404, "not_found")
    assert_error(api.dt(p.partner, did, "submit"), 404, "not_found")
    assert_error(api.dt(p.approver, str(uuid.uuid4()), "approve"), 404, "not_found")


def test_submit_by_caseworker_of_case_only(p, api, active):
    did = api.request_ok(active["id"], "10.00")["id"]
    assert_error(api.dt(p.approver, did, "submit"), 403, "permission_denied")
    assert api.dt_ok(p.cw2, did, "submit")["status"] == "submitted"


def test_submit_refused_when_case_no_longer_active(p, api, active):
    did = api.request_ok(active["id"], "10.00")["id"]
    api.ct_ok(p.cw, active["id"], "withdraw", "consent withdrawn")
    assert api.disb(p.cw, did).json()["status"] == "cancelled"
    assert_error(api.dt(p.cw, did, "submit"), 409, "transition_not_allowed")


def test_withdraw_case_releases_committed_money(p, api, active):
    api.deposit("10000.00")
    approved = api.request_ok(active["id"], "1234.56")["id"]
    api.dt_ok(p.cw, approved, "submit")
    api.dt_ok(p.approver, approved, "approve")
    paid = api.request_ok(active["id"], "100.00")["id"]
    api.dt_ok(p.cw, paid, "submit")
    api.dt_ok(p.approver, paid, "approve")
    api.dt_ok(p.finance, paid, "pay", payment_reference="W-1")
    draft = api.request_ok(active["id"], "5.00")["id"]
    api.assert_balances("10000.00", "1234.56", "100.00", "8665.44")
    api.ct_ok(p.cw2, active["id"], "withdraw", "consent withdrawn")
    assert api.disb(p.auditor, approved).json()["status"] == "cancelled"
    assert api.disb(p.auditor, draft).json()["status"] == "cancelled"
    assert api.disb(p.auditor, paid).json()["status"] == "paid"
    api.assert_balances("10000.00", "0.00", "100.00", "9900.00")


def test_close_case_refused_with_open_disbursement(p, api, active):
    api.deposit("1000.00")
    did = api.request_ok(active["id"], "10.00")["id"]
    assert_error(api.ct(p.cw, active["id"], "close", "done"), 409, "transition_not_allowed")
    api.dt_ok(p.cw, did, "submit")
    api.dt_ok(p.approver, did, "approve")
    assert_error(api.ct(p.cw, active["id"], "close", "done"), 409, "transition_not_allowed")
    api.dt_ok(p.finance, did, "pay", payment_reference="C-1")
    assert api.ct_ok(p.cw, active["id"], "close", "done")["status"] == "closed"


def test_disbursement_list_filters_and_visibility(p, api, active):
    api.request_ok(active["id"], "10.00")
    other = api.case_in("active", cw=p.cw_other)
    api.request_ok(other["id"], "20.00", user=p.cw_other)
    assert client_for(p.cw).get("/api/v1/disbursements/").json()["count"] == 1
    assert client_for(p.cw_other).get("/api/v1/disbursements/").json()["count"] == 1
    for who in (p.approver, p.finance, p.auditor):
        body = client_for(who).get("/api/v1/disbursements/").json()
        assert {"count", "next", "previous", "results"} <= set(body)
        assert body["count"] == 2
    r = client_for(p.admin).get("/api/v1/disbursements/")
    assert_error(r, 403, "permission_denied")
    assert client_for(p.approver).get("/api/v1/disbursements/", {"status": "submitted"}).json()["count"] == 0


def test_deposit_amount_in_exponent_notation_note(p, api):
    """Not a §8 rule: '1e3' is a decimal string; the app's choice is recorded, not judged."""
    r = api.deposit("1e3")
    assert r.status_code == 201
    api.assert_balances("1000.00", "0.00", "0.00", "1000.00")


def _big_disbursement(case_id):
    return {
        "case": case_id,
        "category": "medical",
        "amount": "10.00",
        "payee_type": "vendor",
        "payee_name": "x",
        "payee_account": "12345678",
        "justification": "j" * (70 * 1024),
    }


def test_disbursement_create_body_over_64_kib(p, api, active):
    r = client_for(p.cw).post("/api/v1/disbursements/", _big_disbursement(active["id"]), format="json")
    assert r.status_code != 500, r.content
    assert_error(r, 400, "validation_error")


def test_deposit_body_over_64_kib(p, api):
    r = client_for(p.finance).post(
        "/api/v1/fund/deposits/", {"amount": "1.00", "source": "s" * (70 * 1024), "reference": "r"}, format="json"
    )
    assert r.status_code != 500, r.content
    assert_error(r, 400, "validation_error")
    api.assert_balances("0.00", "0.00", "0.00", "0.00")


def test_malformed_json_fund_endpoints(p, api, active):
    r = client_for(p.cw).post("/api/v1/disbursements/", data="{not json", content_type="application/json")
    assert_error(r, 400, "validation_error")
    r = client_for(p.finance).post("/api/v1/fund/deposits/", data="{not json", content_type="application/json")
    assert_error(r, 400, "validation_error")
    did = api.request_ok(active["id"], "10.00")["id"]
    r = client_for(p.cw).post(
        f"/api/v1/disbursements/{did}/transitions/submit/", data="{x", content_type="application/json"
    )
    assert_error(r, 400, "validation_error")
    r = client_for(p.cw).post(
        f"/api/v1/cases/{active['id']}/transitions/close/", data="{x", content_type="application/json"
    )
    assert_error(r, 400, "validation_error")
    r = client_for(p.cw).patch(f"/api/v1/cases/{active['id']}/", data="{x", content_type="application/json")
    assert_error(r, 400, "validation_error")
    api.assert_balances("0.00", "0.00", "0.00", "0.00")


def test_disbursement_transition_body_over_64_kib(p, api, active):
    did = api.request_ok(active["id"], "10.00")["id"]
    r = api.dt(p.cw, did, "cancel", reason="r" * (70 * 1024))
    assert r.status_code != 500, r.content
    assert_error(r, 400, "validation_error")
    assert api.disb(p.cw, did).json()["status"] == "draft"


def test_case_transition_body_over_64_kib(p, api, active):
    r = api.ct(p.cw, active["id"], "withdraw", "r" * (70 * 1024))
    assert r.status_code != 500, r.content
    assert_error(r, 400, "validation_error")


def test_case_patch_body_over_64_kib(p, api, active):
    r = api.patch(p.cw, active["id"], {"assessment": {"notes": "n" * (70 * 1024)}})
    assert r.status_code != 500, r.content
    assert_error(r, 400, "validation_error")


def test_full_fund_path_and_audit_verify(p, api, active):
    """One long scenario; the audit chain verifies at the end."""
    api.assert_balances("0.00", "0.00", "0.00", "0.00")
    assert api.deposit("60000.00").status_code == 201
    api.assert_balances("60000.00", "0.00", "0.00", "60000.00")
    small = api.request_ok(active["id"], "1500.25")["id"]
    dual = api.request_ok(active["id"], "7500.75", category="shelter", payee_type="victim")["id"]
    api.dt_ok(p.cw, small, "submit")
    api.dt_ok(p.cw, dual, "submit")
    api.dt_ok(p.approver, small, "approve")
    api.assert_balances("60000.00", "1500.25", "0.00", "58499.75")
    api.dt_ok(p.approver, dual, "approve")
    api.assert_balances("60000.00", "1500.25", "0.00", "58499.75")
    api.dt_ok(p.approver2, dual, "approve")
    api.assert_balances("60000.00", "9001.00", "0.00", "50999.00")
    api.dt_ok(p.finance, small, "pay", payment_reference="PAY-S")
    api.assert_balances("60000.00", "7500.75", "1500.25", "50999.00")
    api.dt_ok(p.finance, dual, "mark_failed", reason="IBAN rejected")
    api.assert_balances("60000.00", "7500.75", "1500.25", "50999.00")
    api.dt_ok(p.finance2, dual, "pay", payment_reference="PAY-D2")
    api.assert_balances("60000.00", "0.00", "9001.00", "50999.00")
    api.dt_ok(p.finance2, small, "reconcile", statement_reference="STMT-1")  # not the payer
    api.dt_ok(p.finance, dual, "reconcile", statement_reference="STMT-1")
    api.assert_balances("60000.00", "0.00", "9001.00", "50999.00")
    v = api.verify()
    assert set(v) >= {"ok", "checked", "head_seq", "head_hash", "first_bad_seq", "problem"}
    assert v["ok"] is True and v["first_bad_seq"] is None and v["problem"] is None
    assert v["checked"] >= 1 and v["head_seq"] >= v["checked"] - 1 and isinstance(v["head_hash"], str)
    events = api.audit_events(object_id=dual)["results"]
    actions = {e["action"] for e in events}
    assert {
        "disbursement.submit",
        "disbursement.approve",
        "disbursement.pay",
        "disbursement.mark_failed",
        "disbursement.reconcile",
    } <= actions, actions
    dep = api.audit_events(action="fund.deposit")["results"]
    assert len(dep) == 1
    assert "SA0380000000608010167519" not in json.dumps(events)


def test_audit_endpoints_auditor_only(p):
    for who in (p.cw, p.approver, p.finance, p.admin, p.partner):
        assert_error(client_for(who).get("/api/v1/audit/events/"), 403, "permission_denied")
        assert_error(client_for(who).get("/api/v1/audit/verify/"), 403, "permission_denied")


def test_threshold_and_case_limit_configurable(p, api, active, settings):
    from decimal import Decimal

    settings.VAF_DUAL_APPROVAL_THRESHOLD = Decimal("100.00")
    settings.VAF_CASE_LIMIT = Decimal("150.00")
    api.deposit("1000.00")
    assert api.request_ok(active["id"], "99.99")["approvals_required"] == 1
    d = api.request_ok(active["id"], "100.00")
    assert d["approvals_required"] == 2
    api.dt_ok(p.cw, d["id"], "submit")
    api.dt_ok(p.approver, d["id"], "approve")
    api.dt_ok(p.approver2, d["id"], "approve")
    assert_error(api.request(active["id"], "50.01"), 409, "case_limit_exceeded")
    e = api.request_ok(active["id"], "50.00")["id"]
    api.dt_ok(p.cw, e, "submit")
    settings.VAF_CASE_LIMIT = Decimal("149.99")  # lowered while it waits
    assert_error(api.dt(p.approver, e, "approve"), 409, "case_limit_exceeded")


def test_close_after_settled_disbursements(p, api, active):
    api.deposit("100.00")
    a = api.request_ok(active["id"], "10.00")["id"]
    api.dt_ok(p.cw, a, "cancel", reason="not needed")
    b = api.request_ok(active["id"], "10.00")["id"]
    api.dt_ok(p.cw, b, "submit")
    api.dt_ok(p.approver, b, "reject", reason="no")
    assert api.ct_ok(p.cw, active["id"], "close", "done")["status"] == "closed"
    # a request on a closed case is refused
    r = api.request(active["id"])
    assert r.status_code == 409 and r.json()["code"] == "transition_not_allowed"
