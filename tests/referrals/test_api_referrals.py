"""POST /api/v1/referrals/ (DESIGN.md §8): intake, idempotency, duplicates
and bad input."""

from __future__ import annotations

import copy
import json
import re

import pytest
from django.test import override_settings

from accounts.models import IdempotencyRecord
from accounts.services import api_token_issue
from audit.models import AuditEvent
from referrals.choices import IntakeChannel
from referrals.models import Case, VictimProfile
from tests.conftest import postgresql_only
from tests.referrals.conftest import referral_body

URL = "/api/v1/referrals/"


def post(client, body, **headers):
    return client.post(URL, body, format="json", **headers)


def test_caseworker_referral_answers_201_with_a_case_summary(people, api):
    response = post(api.as_user(people.caseworker), referral_body())
    assert response.status_code == 201
    body = response.json()
    assert re.fullmatch(r"VAF-\d{4}-\d{6}", body["reference"])
    assert body["status"] == "referred"
    assert body["possible_duplicates"] == []
    assert body["organisation"] == people.caseworker.organisation.name
    # the summary carries no personal value in full
    assert body["victim"]["full_name"].endswith("***")
    assert body["pii_visible"] is False
    case = Case.objects.get(pk=body["id"])
    assert case.intake_channel == IntakeChannel.API
    assert AuditEvent.objects.filter(action="case.referred", object_id=str(case.pk)).count() == 1


@override_settings(VAF_INTAKE_ORGANISATION="Coordination Unit Test")
def test_intake_partner_gets_reference_and_status_only(people, api):
    response = post(api.as_user(people.intake), referral_body())
    assert response.status_code == 201
    assert set(response.json()) == {"id", "reference", "status", "created_at", "possible_duplicates"}
    case = Case.objects.get(pk=response.json()["id"])
    assert case.organisation.name == "Coordination Unit Test"


def test_intake_partner_duplicates_name_only_its_own_referrals(people, api):
    own = post(api.as_user(people.intake), referral_body(document_number="DUPPART01")).json()
    people.case(document_number="DUPPART01")  # a caseworker's case the partner cannot see
    again = post(api.as_user(people.intake), referral_body(document_number="DUPPART01")).json()
    assert again["possible_duplicates"] == [own["reference"]]


def test_token_authentication_works_for_intake_partners(people, client):
    key = api_token_issue(username=people.intake.username)
    response = client.post(
        URL, json.dumps(referral_body()), content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}"
    )
    assert response.status_code == 201


def test_anonymous_caller_is_not_authenticated(client):
    response = client.post(URL, json.dumps(referral_body()), content_type="application/json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("role_holder", ["approver", "finance", "auditor", "admin"])
def test_other_roles_are_refused(people, api, role_holder):
    response = post(api.as_user(getattr(people, role_holder)), referral_body())
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert Case.objects.count() == 0


def test_same_key_and_body_returns_the_first_response_and_creates_nothing(people, api):
    client = api.as_user(people.caseworker)
    body = referral_body()
    first = post(client, body, HTTP_IDEMPOTENCY_KEY="key-1")
    events = AuditEvent.objects.count()
    # when the same request is sent again (a retry after a lost answer)
    again = post(client, copy.deepcopy(body), HTTP_IDEMPOTENCY_KEY="key-1")
    # then it answers exactly the first response, and nothing new exists
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1
    assert AuditEvent.objects.count() == events


def test_same_key_with_another_body_is_a_conflict(people, api):
    client = api.as_user(people.caseworker)
    body = referral_body()
    post(client, body, HTTP_IDEMPOTENCY_KEY="key-2")
    changed = copy.deepcopy(body)
    changed["referring_agency"] = "Another Agency"
    response = post(client, changed, HTTP_IDEMPOTENCY_KEY="key-2")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_conflict"
    assert Case.objects.count() == 1


def test_keys_belong_to_one_account(people, api):
    body = referral_body()
    post(api.as_user(people.caseworker), body, HTTP_IDEMPOTENCY_KEY="shared")
    response = post(api.as_user(people.caseworker2), body, HTTP_IDEMPOTENCY_KEY="shared")
    assert response.status_code == 201
    assert Case.objects.count() == 2


def test_without_a_key_each_request_creates_a_referral(people, api):
    client = api.as_user(people.caseworker)
    body = referral_body()
    assert post(client, body).status_code == 201
    assert post(client, body).status_code == 201
    assert Case.objects.count() == 2


def test_a_refused_request_does_not_use_up_its_key(people, api):
    client = api.as_user(people.caseworker)
    body = referral_body()
    bad = copy.deepcopy(body)
    bad["exploitation_types"] = ["nonsense"]
    assert post(client, bad, HTTP_IDEMPOTENCY_KEY="retry").status_code == 400
    assert post(client, body, HTTP_IDEMPOTENCY_KEY="retry").status_code == 201
    assert IdempotencyRecord.objects.count() == 1


def test_stored_answer_holds_no_personal_value(people, api):
    body = referral_body(full_name="Ottilie Stored-Answer", document_number="OS7654321", phone="+966501234987")
    post(api.as_user(people.caseworker), body, HTTP_IDEMPOTENCY_KEY="stored")
    stored = json.dumps(IdempotencyRecord.objects.get().response_body)
    for value in ("Ottilie", "OS7654321", "501234987"):
        assert value not in stored


def test_overlong_idempotency_key_is_refused(people, api):
    response = post(api.as_user(people.caseworker), referral_body(), HTTP_IDEMPOTENCY_KEY="k" * 300)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


def test_repeat_referral_lists_the_first_as_a_possible_duplicate(people, api):
    client = api.as_user(people.caseworker)
    first = post(client, referral_body(document_number="P1234567")).json()
    second = post(client, referral_body(document_number="p 123 4567")).json()
    assert second["possible_duplicates"] == [first["reference"]]
    detail = client.get(f"/api/v1/cases/{first['id']}/").json()
    assert detail["possible_duplicates"] == [second["reference"]]


def test_arabic_name_round_trips_through_the_api(people, api):
    client = api.as_user(people.caseworker)
    name = "فاطمة الزهراء عبد الله"
    created = post(client, referral_body(full_name=name, address="الرياض")).json()
    detail = client.get(f"/api/v1/cases/{created['id']}/").json()
    assert detail["victim"]["full_name"] == name
    assert detail["victim"]["address"] == "الرياض"


def _without(body, *path):
    body = copy.deepcopy(body)
    target = body
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return body


def _with(path, value):
    body = referral_body()
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return body


BAD_BODIES = [
    (_with(("exploitation_types",), ["forced_labour", "space_piracy"]), "exploitation_types"),
    (_with(("exploitation_types",), "forced_labour"), "exploitation_types"),
    (_with(("victim", "nationality"), "XX"), "victim.nationality"),
    (_with(("victim", "nationality"), "Philippines"), "victim.nationality"),
    (_with(("victim", "date_of_birth"), "2999-01-01"), "victim.date_of_birth"),
    (_with(("victim", "date_of_birth"), "05/03/1994"), "victim.date_of_birth"),
    (_with(("victim", "sex"), "robot"), "victim.sex"),
    (_with(("victim", "eye_colour"), "brown"), "victim.eye_colour"),
    (_with(("victim", "full_name"), ""), "victim.full_name"),
    (_with(("victim", "full_name"), ["not", "text"]), "victim.full_name"),
    (_without(referral_body(), "consent"), "consent"),
    (_with(("consent",), None), "consent"),
    (_with(("consent",), {"date": "2026-01-01"}), "consent.given"),
    (_with(("consent",), {"given": True, "date": "2999-01-01"}), "consent.date"),
    (_with(("consent",), {"given": True}), "consent.date"),
    (_without(referral_body(), "victim"), "victim"),
    (_without(referral_body(), "referring_agency"), "referring_agency"),
]


@pytest.mark.parametrize(("body", "field"), BAD_BODIES)
def test_bad_referral_answers_400_naming_the_field(people, api, body, field):
    response = post(api.as_user(people.caseworker), body)
    assert response.status_code == 400
    answer = response.json()
    assert answer["code"] == "validation_error"
    assert field in answer["errors"]
    assert field in answer["detail"]
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "content_type"),
    [('{"referring_agency": ', "application/json"), ("[1, 2]", "application/json"), ('"text"', "application/json")],
)
def test_malformed_json_answers_400(people, api, content, content_type):
    client = api.as_user(people.caseworker)
    response = client.generic("POST", URL, content, content_type=content_type)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert Case.objects.count() == 0


def test_body_over_64_kib_answers_400_validation_error(people, api):
    body = referral_body()
    body["summary"] = "x" * (70 * 1024)
    response = post(api.as_user(people.caseworker), body)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert Case.objects.count() == 0


def test_form_encoded_body_is_refused_cleanly(people, api):
    response = api.as_user(people.caseworker).post(URL, {"referring_agency": "x"})
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


def test_personal_values_are_not_in_the_victim_table_in_clear(people, api):
    post(api.as_user(people.caseworker), referral_body(full_name="Clear Text Check"))
    assert VictimProfile.objects.count() == 1
    assert b"Clear Text Check" not in bytes(VictimProfile.objects.values_list("full_name", flat=True).get())


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_a_referral_saved_whose_confirmation_failed_says_so_and_replays_on_retry(people, api, monkeypatch):
    """The commit went through but its wait for the disk failed: the answer is
    a server error that says the change was saved, and a retry with the same
    key replays the first answer instead of referring the person twice."""
    monkeypatch.setattr("config.db.postgresql.base.WAIT_FOR_DISK", "SELECT 1 / 0")
    client = api.as_user(people.caseworker)
    body = referral_body()
    first = post(client, body, HTTP_IDEMPOTENCY_KEY="key-saved")
    assert (first.status_code, first.json()["code"]) == (500, "server_error")
    assert "was saved" in first.json()["detail"] and "Idempotency-Key" in first.json()["detail"]
    assert Case.objects.count() == 1
    monkeypatch.undo()
    again = post(client, copy.deepcopy(body), HTTP_IDEMPOTENCY_KEY="key-saved")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1
