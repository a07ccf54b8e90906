"""Black-box acceptance harness: drives only the HTTP API of DESIGN.md §8.

Only users are created outside the API (tests/factories.make_user), and API
tokens through accounts.services.api_token_issue. Everything else goes
through /api/v1/.
"""

from __future__ import annotations

import itertools
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.factories import make_user

ORG = "Acceptance Shelter"
OTHER_ORG = "Acceptance Other Shelter"
PARTNER_ORG = "Acceptance Partner Agency"
REF_RE = re.compile(r"^VAF-\d{4}-\d{6}$")
DEC_RE = re.compile(r"^-?\d+\.\d{2}$")
_n = itertools.count(1)


def fresh_victim(**overrides) -> dict:
    n = next(_n)
    v = {
        "full_name": f"Acceptance Personne{n:04d} Tester",
        "date_of_birth": "1994-03-05",
        "sex": "female",
        "nationality": "PH",
        "document_type": "passport",
        "document_number": f"P{n:07d}",
        "phone": f"+9665{n:08d}",
        "address": f"{n} Acceptance Road",
    }
    v.update(overrides)
    return v


def referral_body(**victim) -> dict:
    """The referral body exactly as DESIGN.md §8 shows it."""
    return {
        "referring_agency": "Jeddah Labour Office",
        "exploitation_types": ["forced_labour"],
        "summary": "free text (encrypted)",
        "consent": {"given": True, "date": "2026-11-02"},
        "victim": fresh_victim(**victim),
    }


def client_for(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user=user)
    return c


def token_client(key: str) -> APIClient:
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return c


def assert_error(resp, status: int, code: str):
    assert resp.status_code == status, (resp.status_code, getattr(resp, "content", b"")[:500])
    body = resp.json()
    assert body.get("code") == code, body
    assert isinstance(body.get("detail"), str) and body["detail"], body
    return body


class Api:
    """Thin helpers over the §8 endpoints."""

    def __init__(self, p):
        self.p = p

    # --- clients
    def c(self, user) -> APIClient:
        return client_for(user)

    # --- cases
    def refer(self, user, body=None, **headers):
        body = body or referral_body()
        return client_for(user).post("/api/v1/referrals/", body, format="json", **headers)

    def refer_ok(self, user, body=None) -> dict:
        r = self.refer(user, body)
        assert r.status_code == 201, r.content
        return r.json()

    def case(self, user, case_id):
        return client_for(user).get(f"/api/v1/cases/{case_id}/")

    def ct(self, user, case_id, name, reason=None):
        body = {} if reason is None else {"reason": reason}
        return client_for(user).post(f"/api/v1/cases/{case_id}/transitions/{name}/", body, format="json")

    def ct_ok(self, user, case_id, name, reason=None) -> dict:
        r = self.ct(user, case_id, name, reason)
        assert r.status_code == 200, (name, r.status_code, r.content)
        return r.json()

    def patch(self, user, case_id, body):
        return client_for(user).patch(f"/api/v1/cases/{case_id}/", body, format="json")

    def assess(self, case_id, user=None):
        r = self.patch(
            user or self.p.cw,
            case_id,
            {"assessment": {"needs": ["shelter", "medical"], "risk_level": "high", "notes": "Assessment notes."}},
        )
        assert r.status_code == 200, r.content
        return r.json()

    def case_in(self, state: str, *, cw=None, approver=None, body=None) -> dict:
        """A case of cw's organisation driven to `state` through the API only."""
        cw = cw or self.p.cw
        approver = approver or self.p.approver
        case = self.refer_ok(cw, body)
        cid = case["id"]
        if state == "referred":
            return case
        if state == "withdrawn":
            return self.ct_ok(cw, cid, "withdraw", "consent withdrawn")
        case = self.ct_ok(cw, cid, "start_assessment")
        if state == "in_assessment":
            return case
        self.assess(cid, cw)
        case = self.ct_ok(cw, cid, "submit_for_approval")
        if state == "pending_approval":
            return case
        if state == "rejected":
            return self.ct_ok(approver, cid, "reject", "not eligible")
        case = self.ct_ok(approver, cid, "approve")
        if state == "active":
            return case
        assert state == "closed"
        return self.ct_ok(cw, cid, "close", "assistance ended")

    # --- fund
    def fund(self, user=None):
        r = client_for(user or self.p.auditor).get("/api/v1/fund/")
        assert r.status_code == 200, r.content
        return r.json()

    def balances(self):
        f = self.fund()
        for k in ("deposited", "committed", "paid", "available"):
            assert isinstance(f[k], str) and DEC_RE.match(f[k]), (k, f[k])
        return (f["deposited"], f["committed"], f["paid"], f["available"])

    def assert_balances(self, deposited, committed, paid, available):
        got = self.balances()
        assert got == (deposited, committed, paid, available), got
        # §5 identity, to the cent
        d, c, p_, a = (Decimal(x) for x in got)
        assert a == d - c - p_ and a >= 0

    def deposit(self, amount, user=None, source="Government budget 2026", reference="DEP-1"):
        return client_for(user or self.p.finance).post(
            "/api/v1/fund/deposits/", {"amount": amount, "source": source, "reference": reference}, format="json"
        )

    def request(self, case_id, amount="1000.00", user=None, **overrides):
        body = {
            "case": case_id,
            "category": "medical",
            "amount": amount,
            "payee_type": "vendor",
            "payee_name": "Acceptance Clinic",
            "payee_account": "SA0380000000608010167519",
            "justification": "Medical examination.",
            **overrides,
        }
        return client_for(user or self.p.cw).post("/api/v1/disbursements/", body, format="json")

    def request_ok(self, case_id, amount="1000.00", user=None, **overrides) -> dict:
        r = self.request(case_id, amount, user, **overrides)
        assert r.status_code == 201, r.content
        return r.json()

    def dt(self, user, did, name, **body):
        return client_for(user).post(f"/api/v1/disbursements/{did}/transitions/{name}/", body, format="json")

    def dt_ok(self, user, did, name, **body) -> dict:
        r = self.dt(user, did, name, **body)
        assert r.status_code == 200, (name, r.status_code, r.content)
        return r.json()

    def disb(self, user, did):
        return client_for(user).get(f"/api/v1/disbursements/{did}/")

    def audit_events(self, **params):
        r = client_for(self.p.auditor).get("/api/v1/audit/events/", params)
        assert r.status_code == 200, r.content
        return r.json()

    def verify(self):
        r = client_for(self.p.auditor).get("/api/v1/audit/verify/")
        assert r.status_code == 200, r.content
        return r.json()


@pytest.fixture
def p(db):
    intake_org = settings.VAF_INTAKE_ORGANISATION
    return SimpleNamespace(
        cw=make_user("caseworker", organisation=ORG),
        cw2=make_user("caseworker", organisation=ORG),
        cw_other=make_user("caseworker", organisation=OTHER_ORG),
        cw_intake=make_user("caseworker", organisation=intake_org),
        approver=make_user("approver", organisation=OTHER_ORG),
        approver2=make_user("approver", organisation=OTHER_ORG),
        approver3=make_user("approver", organisation=OTHER_ORG),
        finance=make_user("finance", organisation=OTHER_ORG),
        finance2=make_user("finance", organisation=OTHER_ORG),
        auditor=make_user("auditor", organisation=OTHER_ORG),
        admin=make_user("admin", organisation=ORG),
        partner=make_user("intake_partner", organisation=PARTNER_ORG),
        partner2=make_user("intake_partner", organisation=PARTNER_ORG),
        cw_approver=make_user("caseworker", "approver", organisation=ORG),
        cw_finance=make_user("caseworker", "finance", organisation=ORG),
        approver_finance=make_user("approver", "finance", organisation=OTHER_ORG, allow_forbidden_combination=True),
    )


@pytest.fixture
def api(p) -> Api:
    return Api(p)


@pytest.fixture(autouse=True)
def _reconcile_without_receipt(settings):
    """The fund's acceptance tests reconcile payments without documents; the
    receipt rule (VAF_RECEIPT_REQUIRED_FOR_RECONCILE) is tested in tests/documents."""
    settings.VAF_RECEIPT_REQUIRED_FOR_RECONCILE = False
