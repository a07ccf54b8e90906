"""POST /api/v1/referrals/ (DESIGN.md §8): intake, idempotency, duplicates, auth."""

from __future__ import annotations

import json
import uuid

import pytest
from django.conf import settings

from accounts.services import api_token_issue

from .conftest import REF_RE, assert_error, client_for, referral_body, token_client

SUMMARY_KEYS = {"id", "reference", "status", "possible_duplicates"}


def _list_all(user, **params):
    c = client_for(user)
    r = c.get("/api/v1/cases/", params)
    assert r.status_code == 200, r.content
    out = r.json()["results"]
    nxt = r.json()["next"]
    while nxt:
        r = c.get(nxt)
        out += r.json()["results"]
        nxt = r.json()["next"]
    return out


def test_caseworker_referral_201_case_summary_with_possible_duplicates(p, api):
    r = api.refer(p.cw, referral_body())
    assert r.status_code == 201, r.content
    body = r.json()
    assert set(body) >= SUMMARY_KEYS, body
    uuid.UUID(body["id"])
    assert REF_RE.match(body["reference"]), body["reference"]
    assert body["status"] == "referred"
    assert body["possible_duplicates"] == []
    # the case belongs to the caseworker's organisation
    detail = api.case(p.cw, body["id"]).json()
    assert detail["organisation"] == "Acceptance Shelter"
    assert detail["status"] == "referred"


def test_intake_partner_referral_201_case_summary_with_possible_duplicates(p, api):
    r = api.refer(p.partner, referral_body())
    assert r.status_code == 201, r.content
    body = r.json()
    # §8: "→ 201 case summary incl. possible_duplicates"
    assert {"id", "reference", "status"} <= set(body), body
    assert REF_RE.match(body["reference"])
    assert body["status"] == "referred"
    assert "possible_duplicates" in body, f"§8 says the 201 includes possible_duplicates; got keys {sorted(body)}"


def test_intake_partner_referral_belongs_to_intake_organisation(p, api):
    created = api.refer(p.partner, referral_body()).json()
    # the intake organisation's caseworkers pick it up
    d = api.case(p.cw_intake, created["id"])
    assert d.status_code == 200, d.content
    assert d.json()["organisation"] == settings.VAF_INTAKE_ORGANISATION
    assert "start_assessment" in d.json()["available_transitions"]
    api.ct_ok(p.cw_intake, created["id"], "start_assessment")
    # a caseworker of another organisation does not see it
    assert_error(api.case(p.cw, created["id"]), 404, "not_found")
    # the partner reads the status of its own referral only
    own = api.case(p.partner, created["id"])
    assert own.status_code == 200
    assert own.json()["status"] == "in_assessment"
    assert {r["id"] for r in _list_all(p.partner)} == {created["id"]}
    assert _list_all(p.partner2) == []
    assert_error(api.case(p.partner2, created["id"]), 404, "not_found")


def test_intake_partner_sees_no_personal_data_of_its_referral(p, api):
    body = referral_body()
    created = api.refer(p.partner, body).json()
    text = json.dumps(created) + api.case(p.partner, created["id"]).content.decode() + json.dumps(_list_all(p.partner))
    for key in ("full_name", "document_number", "phone", "address"):
        assert body["victim"][key] not in text


def test_token_authentication_referral(p, api):
    key = api_token_issue(username=p.partner.username)
    r = token_client(key).post("/api/v1/referrals/", referral_body(), format="json")
    assert r.status_code == 201, r.content
    assert_error(token_client("nonsense-key").get("/api/v1/cases/"), 401, "not_authenticated")


def test_idempotency_same_body_same_response_nothing_new(p, api):
    body = referral_body()
    c = client_for(p.cw)
    r1 = c.post("/api/v1/referrals/", body, format="json", HTTP_IDEMPOTENCY_KEY="acc-key-1")
    assert r1.status_code == 201
    before = _list_all(p.cw)
    events_before = len(api.audit_events(action="case.referred")["results"])
    r2 = c.post("/api/v1/referrals/", body, format="json", HTTP_IDEMPOTENCY_KEY="acc-key-1")
    assert r2.status_code == 201
    assert r2.json() == r1.json()
    assert _list_all(p.cw) == before
    assert len(api.audit_events(action="case.referred")["results"]) == events_before


def test_idempotency_different_body_422(p, api):
    c = client_for(p.cw)
    r1 = c.post("/api/v1/referrals/", referral_body(), format="json", HTTP_IDEMPOTENCY_KEY="acc-key-2")
    assert r1.status_code == 201
    n = len(_list_all(p.cw))
    r2 = c.post("/api/v1/referrals/", referral_body(), format="json", HTTP_IDEMPOTENCY_KEY="acc-key-2")
    assert_error(r2, 422, "idempotency_conflict")
    assert len(_list_all(p.cw)) == n


def test_idempotency_intake_partner_and_per_account(p, api):
    body = referral_body()
    r1 = client_for(p.partner).post("/api/v1/referrals/", body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    r2 = client_for(p.partner).post("/api/v1/referrals/", body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert r1.status_code == r2.status_code == 201
    assert r1.json() == r2.json()
    assert len(_list_all(p.partner)) == 1
    # the same key from another account is that account's own key
    r3 = client_for(p.partner2).post("/api/v1/referrals/", body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert r3.status_code == 201
    assert r3.json()["id"] != r1.json()["id"]


def test_possible_duplicates_by_document_phone_and_name_dob(p, api):
    first = api.refer_ok(p.cw, referral_body(document_number="DUPDOC01"))
    by_doc = api.refer_ok(p.cw, referral_body(document_number="DUPDOC01"))
    assert first["reference"] in by_doc["possible_duplicates"]
    phone = api.refer_ok(p.cw, referral_body(phone="+966511112222"))
    by_phone = api.refer_ok(p.cw, referral_body(phone="+966511112222"))
    assert phone["reference"] in by_phone["possible_duplicates"]
    named = api.refer_ok(p.cw, referral_body(full_name="Rosalind Vantablack", date_of_birth="1980-02-02"))
    by_name = api.refer_ok(p.cw, referral_body(full_name="Rosalind Vantablack", date_of_birth="1980-02-02"))
    assert named["reference"] in by_name["possible_duplicates"]
    # the detail lists them too, both ways
    d = api.case(p.cw, first["id"]).json()
    assert by_doc["reference"] in d["possible_duplicates"]
    # name alone (low entropy) is not a duplicate
    other = api.refer_ok(p.cw, referral_body(full_name="Rosalind Vantablack", date_of_birth="1981-03-03"))
    assert named["reference"] not in other["possible_duplicates"]
    # a caseworker of another organisation is not told about our cases
    theirs = api.refer_ok(p.cw_other, referral_body(document_number="DUPDOC01"))
    assert theirs["possible_duplicates"] == []


@pytest.mark.parametrize("role_user", ["approver", "finance", "auditor", "admin"])
def test_referral_refused_for_other_roles(p, api, role_user):
    assert_error(api.refer(getattr(p, role_user)), 403, "permission_denied")


def test_referral_unauthenticated_401(p):
    assert_error(APIClient_anon().post("/api/v1/referrals/", referral_body(), format="json"), 401, "not_authenticated")


def APIClient_anon():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.mark.parametrize(
    "mutate, field",
    [
        (lambda b: b.update(exploitation_types=["smuggling"]), "exploitation_types"),
        (lambda b: b.update(exploitation_types=[]), "exploitation_types"),
        (lambda b: b["victim"].update(nationality="XX"), "victim.nationality"),
        (lambda b: b["victim"].update(date_of_birth="05/03/1994"), "victim.date_of_birth"),
        (lambda b: b["victim"].update(sex="alien"), "victim.sex"),
        (lambda b: b["victim"].pop("full_name"), "victim.full_name"),
        (lambda b: b.pop("consent"), "consent"),
        (lambda b: b.pop("referring_agency"), "referring_agency"),
        (lambda b: b["consent"].update(date="2999-01-01"), "consent.date"),
    ],
)
def test_referral_validation_error(p, api, mutate, field):
    body = referral_body()
    mutate(body)
    r = api.refer(p.cw, body)
    err = assert_error(r, 400, "validation_error")
    assert field in err.get("errors", {}), err
    # the error never echoes personal values
    for key in ("full_name", "document_number", "phone", "address"):
        if key in body["victim"]:
            assert body["victim"][key] not in r.content.decode()


def test_referral_malformed_json(p):
    r = client_for(p.cw).post("/api/v1/referrals/", data='{"referring_agency": ', content_type="application/json")
    assert_error(r, 400, "validation_error")


def test_referral_body_over_64_kib(p):
    body = referral_body()
    body["summary"] = "x" * (70 * 1024)
    r = client_for(p.cw).post("/api/v1/referrals/", body, format="json")
    assert r.status_code != 201
    # §8 pairs validation_error with 400
    assert_error(r, 400, "validation_error")


def test_referral_non_object_json(p):
    r = client_for(p.cw).post("/api/v1/referrals/", data="[1,2]", content_type="application/json")
    assert_error(r, 400, "validation_error")
