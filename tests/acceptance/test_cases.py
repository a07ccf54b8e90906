"""Cases: list, detail, masking, reveal, PATCH, transitions (DESIGN.md §3, §6, §8)."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from rest_framework.test import APIClient

from .conftest import REF_RE, assert_error, client_for, referral_body

DETAIL_KEYS = {
    "id",
    "reference",
    "status",
    "organisation",
    "referring_agency",
    "assigned_to",
    "exploitation_types",
    "consent",
    "assessment",
    "victim",
    "pii_visible",
    "possible_duplicates",
    "available_transitions",
    "created_at",
    "updated_at",
}
VICTIM_KEYS = {
    "full_name",
    "date_of_birth",
    "sex",
    "nationality",
    "document_type",
    "document_number",
    "phone",
    "address",
}
PERSONAL = ("full_name", "document_number", "phone", "address")
MASK_RE = re.compile(r"^(\S\*{3})( \S\*{3})*$")


# --- list -----------------------------------------------------------------------


def test_case_list_paginated_shape_and_status_filter(p, api):
    ids = [api.refer_ok(p.cw)["id"] for _ in range(27)]
    api.ct_ok(p.cw, ids[0], "start_assessment")
    c = client_for(p.cw)
    r = c.get("/api/v1/cases/")
    assert r.status_code == 200
    body = r.json()
    assert set(body) >= {"count", "next", "previous", "results"}
    assert body["count"] == 27
    assert body["previous"] is None and body["next"]
    page2 = c.get(body["next"]).json()
    assert page2["previous"] and page2["next"] is None
    assert len(body["results"]) + len(page2["results"]) == 27
    assert {row["id"] for row in body["results"] + page2["results"]} == set(ids)
    f = c.get("/api/v1/cases/", {"status": "in_assessment"}).json()
    assert f["count"] == 1 and f["results"][0]["id"] == ids[0]
    assert f["results"][0]["status"] == "in_assessment"
    f = c.get("/api/v1/cases/", {"status": "referred"}).json()
    assert f["count"] == 26
    assert all(row["status"] == "referred" for row in f["results"])


def test_case_list_unknown_status_is_validation_error(p):
    assert_error(client_for(p.cw).get("/api/v1/cases/", {"status": "bogus"}), 400, "validation_error")


def test_case_list_rows_are_masked(p, api):
    body = referral_body()
    api.refer_ok(p.cw, body)
    text = client_for(p.cw).get("/api/v1/cases/").content.decode()
    for key in PERSONAL:
        assert body["victim"][key] not in text, key


def test_case_list_other_org_sees_nothing(p, api):
    api.refer_ok(p.cw)
    assert client_for(p.cw_other).get("/api/v1/cases/").json()["count"] == 0


def test_case_list_reviewers_see_submitted_only(p, api):
    api.case_in("in_assessment")
    pending = api.case_in("pending_approval")
    for who in (p.approver, p.finance, p.auditor):
        r = client_for(who).get("/api/v1/cases/")
        assert r.status_code == 200
        assert [row["id"] for row in r.json()["results"]] == [pending["id"]], who


def test_admin_case_list_403(p, api):
    api.refer_ok(p.cw)
    assert_error(client_for(p.admin).get("/api/v1/cases/"), 403, "permission_denied")


def test_admin_case_detail_refused(p, api):
    case = api.case_in("pending_approval")
    r = api.case(p.admin, case["id"])
    assert_error(r, 404, "not_found")  # §8: not visible answers like missing
    assert "victim" not in r.json()


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/v1/cases/"),
        ("get", f"/api/v1/cases/{uuid.uuid4()}/"),
        ("patch", f"/api/v1/cases/{uuid.uuid4()}/"),
        ("post", f"/api/v1/cases/{uuid.uuid4()}/reveal/"),
        ("post", f"/api/v1/cases/{uuid.uuid4()}/transitions/approve/"),
        ("post", "/api/v1/referrals/"),
        ("get", "/api/v1/disbursements/"),
        ("post", "/api/v1/disbursements/"),
        ("get", f"/api/v1/disbursements/{uuid.uuid4()}/"),
        ("post", f"/api/v1/disbursements/{uuid.uuid4()}/transitions/pay/"),
        ("get", "/api/v1/fund/"),
        ("post", "/api/v1/fund/deposits/"),
        ("get", "/api/v1/audit/events/"),
        ("get", "/api/v1/audit/verify/"),
    ],
)
def test_unauthenticated_401(db, method, path):
    r = getattr(APIClient(), method)(path, {}, format="json")
    assert_error(r, 401, "not_authenticated")


# --- detail and masking -----------------------------------------------------------


def test_case_detail_shape_for_caseworker(p, api):
    body = referral_body()
    created = api.refer_ok(p.cw, body)
    r = api.case(p.cw, created["id"])
    assert r.status_code == 200
    d = r.json()
    assert set(d) >= DETAIL_KEYS, DETAIL_KEYS - set(d)
    assert REF_RE.match(d["reference"])
    assert d["status"] == "referred"
    assert d["referring_agency"] == "Jeddah Labour Office"
    assert d["assigned_to"] is None
    assert d["exploitation_types"] == ["forced_labour"]
    assert d["consent"] == {"given": True, "date": "2026-11-02"}
    assert set(d["assessment"]) >= {"needs", "risk_level", "notes"}
    assert set(d["victim"]) >= VICTIM_KEYS, VICTIM_KEYS - set(d["victim"])
    assert d["pii_visible"] is True
    for key in VICTIM_KEYS:
        assert d["victim"][key] == body["victim"][key], key
    assert isinstance(d["possible_duplicates"], list)
    assert set(d["available_transitions"]) == {"start_assessment", "withdraw"}


@pytest.mark.parametrize("who", ["approver", "auditor", "finance"])
def test_reviewers_see_masked_victim(p, api, who):
    body = referral_body(full_name="Amina Karimova")
    case = api.case_in("pending_approval", body=body)
    r = api.case(getattr(p, who), case["id"])
    assert r.status_code == 200, r.content
    d = r.json()
    assert d["pii_visible"] is False
    assert d["victim"]["full_name"] == "A*** K***"
    for key in PERSONAL:
        assert body["victim"][key] not in r.content.decode(), key
        assert d["victim"][key] is None or "*" in d["victim"][key]
    assert d["victim"]["date_of_birth"] != "1994-03-05"
    assert d["victim"]["nationality"] == "PH" and d["victim"]["sex"] == "female"


def test_reviewers_do_not_see_unsubmitted_case(p, api):
    case = api.case_in("in_assessment")
    for who in (p.approver, p.finance, p.auditor):
        assert_error(api.case(who, case["id"]), 404, "not_found")


def test_detail_not_found_variants(p, api):
    case = api.refer_ok(p.cw)
    assert_error(api.case(p.cw_other, case["id"]), 404, "not_found")
    assert_error(api.case(p.cw, uuid.uuid4()), 404, "not_found")
    assert_error(api.case(p.cw, "not-a-uuid"), 404, "not_found")


@pytest.mark.parametrize("who", ["approver", "auditor"])
def test_reveal_shows_full_and_is_audited(p, api, who):
    body = referral_body()
    case = api.case_in("pending_approval", body=body)
    user = getattr(p, who)
    r = client_for(user).post(f"/api/v1/cases/{case['id']}/reveal/", {"reason": "Committee decision"}, format="json")
    assert r.status_code == 200, r.content
    d = r.json()
    assert set(d) >= DETAIL_KEYS
    assert d["pii_visible"] is True
    for key in VICTIM_KEYS:
        assert d["victim"][key] == body["victim"][key], key
    # still masked on a plain GET afterwards
    assert api.case(user, case["id"]).json()["pii_visible"] is False
    events = api.audit_events(action="case.pii_revealed")
    mine = [e for e in events["results"] if e["object_id"] == case["id"]]
    assert len(mine) == 1, events
    assert mine[0]["action"] == "case.pii_revealed"
    assert mine[0]["reason"] == "Committee decision"
    text = json.dumps(events)
    for key in PERSONAL:
        assert body["victim"][key] not in text


def test_reveal_requires_reason(p, api):
    case = api.case_in("pending_approval")
    r = client_for(p.approver).post(f"/api/v1/cases/{case['id']}/reveal/", {}, format="json")
    assert_error(r, 400, "validation_error")
    r = client_for(p.approver).post(f"/api/v1/cases/{case['id']}/reveal/", {"reason": "  "}, format="json")
    assert_error(r, 400, "validation_error")
    # (filtered by object_id: an action filter for an action not yet in the log is
    # tested on its own in test_extra.py)
    events = api.audit_events(object_id=case["id"])["results"]
    assert [e for e in events if e["action"] == "case.pii_revealed"] == []


def test_reveal_by_caseworker_of_org(p, api):
    case = api.refer_ok(p.cw)
    r = client_for(p.cw).post(f"/api/v1/cases/{case['id']}/reveal/", {"reason": "Work"}, format="json")
    assert r.status_code == 200 and r.json()["pii_visible"] is True


def test_reveal_invisible_and_forbidden(p, api):
    case = api.case_in("in_assessment")
    # not visible → 404
    for who in (p.cw_other, p.approver, p.admin):
        r = client_for(who).post(f"/api/v1/cases/{case['id']}/reveal/", {"reason": "x"}, format="json")
        assert_error(r, 404, "not_found")
    # intake partner: sees its own referral (status only); no reveal
    own = api.refer_ok(p.partner)
    r = client_for(p.partner).post(f"/api/v1/cases/{own['id']}/reveal/", {"reason": "x"}, format="json")
    assert_error(r, 403, "permission_denied")
    assert "victim" not in r.json()


def test_reveal_by_finance_note(p, api):
    """§8: reveal is for 'roles allowed to see the case'; finance can GET the case."""
    case = api.case_in("pending_approval")
    assert api.case(p.finance, case["id"]).status_code == 200
    r = client_for(p.finance).post(f"/api/v1/cases/{case['id']}/reveal/", {"reason": "Payment"}, format="json")
    assert r.status_code == 200, (r.status_code, r.json())


# --- PATCH --------------------------------------------------------------------------


def test_patch_by_assigned_caseworker(p, api):
    case = api.case_in("in_assessment")
    change = {
        "exploitation_types": ["forced_labour", "domestic_servitude"],
        "consent": {"given": True, "date": "2026-11-03"},
        "assessment": {"needs": ["shelter", "legal"], "risk_level": "medium", "notes": "New notes."},
        "victim": {"phone": "+966533334444", "address": "New Address 5"},
    }
    r = api.patch(p.cw, case["id"], change)
    assert r.status_code == 200, r.content
    d = r.json()
    assert set(d) >= DETAIL_KEYS
    assert sorted(d["exploitation_types"]) == ["domestic_servitude", "forced_labour"]
    assert d["consent"] == {"given": True, "date": "2026-11-03"}
    assert sorted(d["assessment"]["needs"]) == ["legal", "shelter"]
    assert d["assessment"]["risk_level"] == "medium"
    assert d["assessment"]["notes"] == "New notes."
    assert d["victim"]["phone"] == "+966533334444"
    assert d["victim"]["address"] == "New Address 5"
    # unchanged fields stay
    assert d["victim"]["full_name"] == case["victim"]["full_name"]
    assert api.case(p.cw, case["id"]).json()["victim"]["phone"] == "+966533334444"
    # audit event recorded, with field names and no values
    events = api.audit_events(object_id=case["id"])["results"]
    text = json.dumps(events)
    assert "case.updated" in text
    assert "+966533334444" not in text and "New Address 5" not in text and "New notes." not in text


def test_patch_refusals(p, api):
    case = api.case_in("in_assessment")
    assert_error(api.patch(p.cw2, case["id"], {"exploitation_types": ["other"]}), 403, "permission_denied")
    assert_error(api.patch(p.cw_other, case["id"], {"exploitation_types": ["other"]}), 404, "not_found")
    pend = api.case_in("pending_approval")
    assert_error(api.patch(p.approver, pend["id"], {"exploitation_types": ["other"]}), 403, "permission_denied")
    assert_error(api.patch(p.cw, pend["id"], {"exploitation_types": ["other"]}), 409, "transition_not_allowed")
    err = assert_error(api.patch(p.cw, case["id"], {"exploitation_types": ["nope"]}), 400, "validation_error")
    assert "exploitation_types" in err["errors"]
    err = assert_error(api.patch(p.cw, case["id"], {"assessment": {"risk_level": "extreme"}}), 400, "validation_error")


# --- transitions -----------------------------------------------------------------------


def test_full_happy_path_each_transition(p, api):
    case = api.refer_ok(p.cw)
    cid = case["id"]
    d = api.ct_ok(p.cw, cid, "start_assessment")
    assert set(d) >= DETAIL_KEYS
    assert d["status"] == "in_assessment" and d["assigned_to"] == p.cw.username
    api.assess(cid)
    d = api.ct_ok(p.cw, cid, "submit_for_approval")
    assert d["status"] == "pending_approval"
    ap = api.case(p.approver, cid).json()
    assert set(ap["available_transitions"]) >= {"approve", "reject", "return_to_assessment"}
    d = api.ct_ok(p.approver, cid, "return_to_assessment", "More detail needed")
    assert d["status"] == "in_assessment"
    api.ct_ok(p.cw, cid, "submit_for_approval")
    d = api.ct_ok(p.approver, cid, "approve")
    assert d["status"] == "active"
    d = api.ct_ok(p.cw, cid, "close", "assistance ended")
    assert d["status"] == "closed"
    d = api.ct_ok(p.approver, cid, "reopen", "new needs")
    assert d["status"] == "in_assessment"
    api.ct_ok(p.cw, cid, "submit_for_approval")
    d = api.ct_ok(p.approver, cid, "reject", "not eligible")
    assert d["status"] == "rejected"
    d = api.ct_ok(p.approver, cid, "reopen", "appeal")
    assert d["status"] == "in_assessment"
    d = api.ct_ok(p.cw2, cid, "withdraw", "consent withdrawn")
    assert d["status"] == "withdrawn"
    assert api.verify()["ok"] is True


@pytest.mark.parametrize("state", ["referred", "in_assessment", "pending_approval", "active"])
def test_withdraw_from_every_open_state(p, api, state):
    case = api.case_in(state)
    d = api.ct_ok(p.cw2, case["id"], "withdraw", "consent withdrawn")
    assert d["status"] == "withdrawn"


def test_start_assessment_keeps_existing_assignment_and_assigns_actor(p, api):
    case = api.refer_ok(p.cw)
    d = api.ct_ok(p.cw2, case["id"], "start_assessment")
    assert d["assigned_to"] == p.cw2.username


@pytest.mark.parametrize(
    "state, who, name",
    [
        ("in_assessment", "cw", "start_assessment"),
        ("referred", "cw", "submit_for_approval"),
        ("active", "cw", "submit_for_approval"),
        ("active", "approver", "approve"),
        ("active", "approver", "reject"),
        ("active", "approver", "return_to_assessment"),
        ("in_assessment", "cw", "close"),
        ("pending_approval", "approver", "reopen"),
        ("active", "approver", "reopen"),
        ("closed", "cw", "withdraw"),
        ("withdrawn", "cw", "withdraw"),
        ("rejected", "cw", "withdraw"),
        ("closed", "cw", "close"),
    ],
)
def test_transition_wrong_state_409(p, api, state, who, name):
    case = api.case_in(state)
    r = api.ct(getattr(p, who), case["id"], name, "a reason")
    assert_error(r, 409, "transition_not_allowed")
    assert api.case(p.cw, case["id"]).json()["status"] == state


def test_submit_incomplete_assessment_refused(p, api):
    case = api.case_in("in_assessment")
    r = api.ct(p.cw, case["id"], "submit_for_approval")
    assert r.status_code == 409 and r.json()["code"] == "transition_not_allowed"


@pytest.mark.parametrize(
    "state, who, name",
    [
        ("pending_approval", "cw", "approve"),
        ("pending_approval", "cw", "reject"),
        ("pending_approval", "finance", "approve"),
        ("pending_approval", "auditor", "approve"),
        ("pending_approval", "auditor", "withdraw"),
        ("pending_approval", "approver", "withdraw"),
        ("active", "approver", "close"),
        ("active", "finance", "close"),
        ("rejected", "cw", "reopen"),
        ("in_assessment", "cw2", "submit_for_approval"),  # not the assigned caseworker
        ("active", "cw2", "close"),  # not the assigned caseworker
    ],
)
def test_transition_wrong_role_403(p, api, state, who, name):
    case = api.case_in(state)
    if state == "in_assessment":
        api.assess(case["id"])
    r = api.ct(getattr(p, who), case["id"], name, "a reason")
    assert_error(r, 403, "permission_denied")


def test_intake_partner_cannot_transition_its_referral(p, api):
    case = api.refer_ok(p.partner)
    r = api.ct(p.partner, case["id"], "start_assessment")
    assert_error(r, 403, "permission_denied")


def test_transition_segregation_of_duties_403(p, api):
    # one person, caseworker and approver: assigned caseworker may not approve
    case = api.case_in("pending_approval", cw=p.cw_approver)
    r = api.ct(p.cw_approver, case["id"], "approve")
    assert_error(r, 403, "segregation_of_duties")
    assert "approve" not in api.case(p.cw_approver, case["id"]).json()["available_transitions"]
    assert api.case(p.cw, case["id"]).json()["status"] == "pending_approval"
    # another approver may
    assert api.ct_ok(p.approver, case["id"], "approve")["status"] == "active"


@pytest.mark.parametrize("name", ["start_assessment", "withdraw", "close", "approve"])
def test_transition_invisible_404(p, api, name):
    case = api.refer_ok(p.cw)
    assert_error(api.ct(p.cw_other, case["id"], name, "x"), 404, "not_found")
    assert_error(api.ct(p.approver, case["id"], name, "x"), 404, "not_found")
    assert_error(api.ct(p.cw, uuid.uuid4(), name, "x"), 404, "not_found")


@pytest.mark.parametrize(
    "state, who, name",
    [
        ("pending_approval", "approver", "reject"),
        ("pending_approval", "approver", "return_to_assessment"),
        ("active", "cw", "close"),
        ("referred", "cw", "withdraw"),
        ("closed", "approver", "reopen"),
    ],
)
def test_transition_reason_required_400(p, api, state, who, name):
    case = api.case_in(state)
    assert_error(api.ct(getattr(p, who), case["id"], name), 400, "validation_error")
    assert_error(api.ct(getattr(p, who), case["id"], name, "   "), 400, "validation_error")
    assert api.case(p.cw, case["id"]).json()["status"] == state


def test_unknown_transition_name(p, api):
    case = api.refer_ok(p.cw)
    r = api.ct(p.cw, case["id"], "teleport")
    assert_error(r, 409, "transition_not_allowed")


def test_available_transitions_reflect_caller(p, api):
    case = api.case_in("active")
    assert set(api.case(p.cw, case["id"]).json()["available_transitions"]) == {"close", "withdraw"}
    assert set(api.case(p.cw2, case["id"]).json()["available_transitions"]) == {"withdraw"}
    assert api.case(p.approver, case["id"]).json()["available_transitions"] == []
    assert api.case(p.auditor, case["id"]).json()["available_transitions"] == []
