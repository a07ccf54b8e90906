"""Further black-box probes: audit filters, malformed types (never a 500), auth edge cases."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from rest_framework.test import APIClient

from accounts.services import api_token_issue

from .conftest import assert_error, client_for, referral_body, token_client


def test_audit_action_filter_with_no_matching_event_is_empty_page(p, api):
    """§8: filter `action`. A documented action that has not happened yet is an empty result, not an error."""
    api.refer_ok(p.cw)
    r = client_for(p.auditor).get("/api/v1/audit/events/", {"action": "case.pii_revealed"})
    assert r.status_code == 200, r.content
    assert r.json()["results"] == []


def test_audit_event_filters(p, api):
    case = api.case_in("pending_approval")
    client_for(p.approver).post(f"/api/v1/cases/{case['id']}/reveal/", {"reason": "Why"}, format="json")
    ev = api.audit_events(object_id=case["id"])
    assert {"next", "previous", "results"} <= set(ev)
    actions = [e["action"] for e in ev["results"]]
    assert "case.referred" in actions and "case.pii_revealed" in actions
    assert all(e["object_id"] == case["id"] for e in ev["results"])
    byactor = api.audit_events(actor=p.approver.username)["results"]
    assert byactor and all(e["actor_username"] == p.approver.username for e in byactor)
    now = dt.datetime.now(dt.UTC)
    assert api.audit_events(since=(now + dt.timedelta(hours=1)).isoformat())["results"] == []
    assert api.audit_events(until=(now - dt.timedelta(days=1)).isoformat())["results"] == []
    assert len(api.audit_events(since=(now - dt.timedelta(hours=1)).isoformat())["results"]) >= 5
    r = client_for(p.auditor).get("/api/v1/audit/events/", {"since": "yesterday"})
    assert_error(r, 400, "validation_error")


def test_revoked_and_malformed_tokens(p, api):
    key = api_token_issue(username=p.cw.username)
    assert token_client(key).get("/api/v1/cases/").status_code == 200
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION="Token")
    assert_error(c.get("/api/v1/cases/"), 401, "not_authenticated")
    c.credentials(HTTP_AUTHORIZATION="Token a b")
    assert_error(c.get("/api/v1/cases/"), 401, "not_authenticated")
    c.credentials(HTTP_AUTHORIZATION="Bearer " + key)
    assert_error(c.get("/api/v1/cases/"), 401, "not_authenticated")


def test_unknown_api_path_is_json_404(p):
    r = client_for(p.cw).get("/api/v1/no-such-thing/")
    assert r.status_code == 404
    assert r["Content-Type"].startswith("application/json"), r["Content-Type"]
    assert r.json()["code"] == "not_found"


def test_form_encoded_body(p, api):
    """§8 is JSON; a form-encoded body is refused in the error format (status noted)."""
    r = client_for(p.cw).post("/api/v1/referrals/", {"referring_agency": "x"})  # multipart
    assert_error(r, 400, "validation_error")


REFERRAL_MUTATIONS = [
    lambda b: b.update(victim="a string"),
    lambda b: b.update(victim=None),
    lambda b: b.update(victim=[1, 2]),
    lambda b: b.update(consent="yes"),
    lambda b: b.update(consent={"given": "maybe"}),
    lambda b: b.update(consent={"given": True}),
    lambda b: b.update(consent={"given": True, "date": None}),
    lambda b: b.update(consent={"given": False, "date": None}),
    lambda b: b.update(exploitation_types="forced_labour"),
    lambda b: b.update(exploitation_types=[None]),
    lambda b: b.update(exploitation_types=[{"a": 1}]),
    lambda b: b.update(referring_agency=None),
    lambda b: b.update(referring_agency=123),
    lambda b: b.update(referring_agency="x" * 201),
    lambda b: b.update(summary=123),
    lambda b: b.update(summary=["x"]),
    lambda b: b["victim"].update(full_name=123),
    lambda b: b["victim"].update(full_name=None),
    lambda b: b["victim"].update(full_name=" "),
    lambda b: b["victim"].update(full_name="x" * 201),
    lambda b: b["victim"].update(date_of_birth="1850-01-01"),
    lambda b: b["victim"].update(date_of_birth="2999-01-01"),
    lambda b: b["victim"].update(date_of_birth=19940305),
    lambda b: b["victim"].update(nationality=None),
    lambda b: b["victim"].update(nationality=12),
    lambda b: b["victim"].update(sex=None),
    lambda b: b["victim"].update(document_type=None),
    lambda b: b["victim"].update(phone=["+966"]),
    lambda b: b["victim"].update(surprise="x"),
    lambda b: b.update(unexpected="x"),
]


@pytest.mark.parametrize("i", range(len(REFERRAL_MUTATIONS)))
def test_referral_type_confusion_never_500(p, api, i):
    body = referral_body()
    REFERRAL_MUTATIONS[i](body)
    r = api.refer(p.cw, body)
    assert r.status_code != 500, r.content
    if r.status_code != 201:
        assert_error(r, 400, "validation_error")
        text = r.content.decode()
        for key in ("full_name", "document_number", "phone", "address"):
            v = body["victim"].get(key) if isinstance(body.get("victim"), dict) else None
            if isinstance(v, str) and len(v) > 3:
                assert v not in text


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ([1], 400),
        ("x", 400),
        (5, 400),
        (None, 400),
        ({"reason": 5}, 200),  # a JSON number is taken as the text "5"
        ({"reason": ["x"]}, 400),
        ({"reason": {"a": 1}}, 400),
        ({"reason": None}, 400),
    ],
)
def test_case_transition_bodies_never_500(p, api, body, status):
    case = api.refer_ok(p.cw)
    r = client_for(p.cw).post(f"/api/v1/cases/{case['id']}/transitions/withdraw/", body, format="json")
    assert r.status_code == status, r.content
    if status == 400:
        assert r.json()["code"] == "validation_error"


@pytest.mark.parametrize(
    "body",
    [
        [1],
        "x",
        {"victim": "x"},
        {"victim": None},
        {"consent": None},
        {"consent": "x"},
        {"assessment": "x"},
        {"assessment": {"needs": "shelter"}},
        {"assessment": {"needs": ["spa"]}},
        {"assessment": {"notes": 5}},
        {"exploitation_types": None},
        {"exploitation_types": "x"},
        {"victim": {"full_name": ""}},
        {"victim": {"date_of_birth": "nope"}},
        {"status": "active"},
        {"reference": "VAF-1"},
        {"consent": {"given": False}},
    ],
)
def test_case_patch_bodies_never_500(p, api, body):
    case = api.case_in("in_assessment")
    r = client_for(p.cw).patch(f"/api/v1/cases/{case['id']}/", body, format="json")
    assert r.status_code != 500, r.content
    if r.status_code != 200:
        assert_error(r, 400, "validation_error")
    d = api.case(p.cw, case["id"]).json()
    assert d["status"] == "in_assessment"


@pytest.mark.parametrize(
    "override",
    [
        {"amount": {"v": 1}},
        {"amount": [1]},
        {"amount": 1.005},
        {"amount": 10.5},
        {"amount": "  12.50 "},
        {"amount": "99999999999.00"},
        {"case": 5},
        {"case": None},
        {"category": None},
        {"category": 3},
        {"payee_name": ""},
        {"payee_account": ""},
        {"payee_account": "x" * 65},
        {"justification": None},
        {"payee_type": None},
        {"extra": "x"},
    ],
)
def test_disbursement_create_types_never_500(p, api, override):
    case = api.case_in("active")
    r = api.request(case["id"], **{"amount": "10.00", **override})
    assert r.status_code != 500, r.content
    if r.status_code == 201:
        assert r.json()["amount"] in ("10.00", "10.50", "12.50")
    elif r.status_code == 404:  # an integer case id is read as UUID(int=...): a missing case
        assert override == {"case": 5} and r.json()["code"] == "not_found"
    else:
        assert_error(r, 400, "validation_error")


@pytest.mark.parametrize(
    "body",
    [
        [1],
        "x",
        {"reason": 5},
        {"payment_reference": 5},
        {"payment_reference": ["x"]},
        {"statement_reference": {"a": 1}},
        {"reason": None},
        {"payment_reference": "x" * 101},
    ],
)
def test_disbursement_transition_bodies_never_500(p, api, body):
    case = api.case_in("active")
    api.deposit("100.00")
    did = api.request_ok(case["id"], "10.00")["id"]
    api.dt_ok(p.cw, did, "submit")
    api.dt_ok(p.approver, did, "approve")
    r = client_for(p.finance).post(f"/api/v1/disbursements/{did}/transitions/pay/", body, format="json")
    assert r.status_code != 500, r.content
    if body == {"payment_reference": 5}:  # DRF coerces a number to text: accepted as "5"
        assert r.status_code == 200 and r.json()["payment_reference"] == "5"
        return
    assert_error(r, 400, "validation_error")
    api.assert_balances("100.00", "10.00", "0.00", "90.00")


@pytest.mark.parametrize(
    "body",
    [
        [1],
        "x",
        {"amount": "1.00", "source": 5, "reference": "r"},
        {"amount": "1.00", "source": "s", "reference": None},
        {"amount": "1.00", "source": "s" * 201, "reference": "r"},
    ],
)
def test_deposit_bodies_never_500(p, api, body):
    r = client_for(p.finance).post("/api/v1/fund/deposits/", body, format="json")
    assert r.status_code != 500, r.content
    if isinstance(body, dict) and body.get("source") == 5:  # DRF coerces a number to text
        assert r.status_code == 201
        return
    assert_error(r, 400, "validation_error")
    api.assert_balances("0.00", "0.00", "0.00", "0.00")


def test_idempotency_key_edge_cases(p, api):
    c = client_for(p.cw)
    r = c.post("/api/v1/referrals/", referral_body(), format="json", HTTP_IDEMPOTENCY_KEY="k" * 300)
    assert r.status_code != 500
    assert_error(r, 400, "validation_error")  # a key over 255 characters
    # a failed first attempt does not burn the key
    bad = referral_body(nationality="XX")
    assert c.post("/api/v1/referrals/", bad, format="json", HTTP_IDEMPOTENCY_KEY="retry").status_code == 400
    good = referral_body()
    assert c.post("/api/v1/referrals/", good, format="json", HTTP_IDEMPOTENCY_KEY="retry").status_code == 201
    # same body, keys in a different order: the same body
    reordered = dict(reversed(list(good.items())))
    r = c.post("/api/v1/referrals/", reordered, format="json", HTTP_IDEMPOTENCY_KEY="retry")
    assert r.status_code == 201


def test_page_out_of_range(p, api):
    api.refer_ok(p.cw)
    r = client_for(p.cw).get("/api/v1/cases/", {"page": 99})
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_disbursement_detail_for_missing_uuid_and_list_filters(p, api):
    assert_error(api.disb(p.approver, uuid.uuid4()), 404, "not_found")
    r = client_for(p.approver).get("/api/v1/disbursements/", {"status": "bogus"})
    assert r.status_code == 200 and r.json()["count"] == 0  # an unknown status matches nothing


def test_idempotency_reused_key_with_different_invalid_body(p, api):
    """§8: a different body under a used key answers 422; the app may validate first (noted, not judged)."""
    c = client_for(p.cw)
    assert c.post("/api/v1/referrals/", referral_body(), format="json", HTTP_IDEMPOTENCY_KEY="kk").status_code == 201
    bad = referral_body(nationality="XX")
    r = c.post("/api/v1/referrals/", bad, format="json", HTTP_IDEMPOTENCY_KEY="kk")
    assert_error(r, 422, "idempotency_conflict")


def test_partner_referral_duplicate_shown_to_intake_caseworker(p, api):
    first = api.refer_ok(p.cw_intake, referral_body(document_number="INTAKEDUP1"))
    created = api.refer_ok(p.partner, referral_body(document_number="INTAKEDUP1"))
    d = api.case(p.cw_intake, created["id"]).json()
    assert first["reference"] in d["possible_duplicates"]
    # the partner is not told about cases it cannot see
    assert first["reference"] not in str(created)


def test_audit_since_until_date_only_note(p, api):
    api.refer_ok(p.cw)
    r = client_for(p.auditor).get("/api/v1/audit/events/", {"since": "2026-01-01", "until": "2099-01-01"})
    assert r.status_code == 200 and r.json()["results"]
