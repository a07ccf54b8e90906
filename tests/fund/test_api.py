"""The disbursement and fund API of DESIGN.md §8, errors included."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from audit.verification import verify_chain
from fund.models import Disbursement, LedgerEntry
from fund.permissions import SOURCES
from tests.fund.conftest import deposit, drive, request_payment
from tests.fund.test_transitions import ALLOWED, INPUT, STATES, WRONG_ROLE

LIST = "/api/v1/disbursements/"
FUND = "/api/v1/fund/"


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def body(the_case, **overrides):
    return {
        "case": str(the_case.pk),
        "category": "shelter",
        "amount": "1500.00",
        "payee_type": "vendor",
        "payee_name": "Test Shelter House",
        "payee_account": "GB89WEST12345612345678",
        "justification": "One month of shelter.",
        **overrides,
    }


def act(user, disbursement_id, name, **data):
    return client_for(user).post(f"{LIST}{disbursement_id}/transitions/{name}/", data, format="json")


def fund_figures(user):
    response = client_for(user).get(FUND)
    assert response.status_code == 200
    data = response.json()
    return data["deposited"], data["committed"], data["paid"], data["available"]


def test_whole_path_from_deposit_to_reconciliation(people, case):
    finance, approver = people.finance, people.approver
    response = client_for(finance).post(
        f"{FUND}deposits/", {"amount": "10000.00", "source": "Government budget", "reference": "DEP-1"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["fund"]["available"] == "10000.00"
    created = client_for(people.caseworker).post(LIST, body(case), format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert (data["status"], data["amount"], data["currency"], data["approvals_required"]) == (
        "draft",
        "1500.00",
        "SAR",
        1,
    )
    assert data["payee_name"] == "T*** S*** H***" and data["payee_account"] == "***5678"
    assert set(data["available_transitions"]) == {"submit", "cancel"}
    pk = data["id"]
    assert act(people.caseworker, pk, "submit").json()["status"] == "submitted"
    approved = act(approver, pk, "approve", reason="Fine.")
    assert approved.status_code == 200
    assert [a["approver"] for a in approved.json()["approvals"]] == [approver.username]
    assert fund_figures(finance) == ("10000.00", "1500.00", "0.00", "8500.00")
    paid = act(people.finance, pk, "pay", payment_reference="TRX-1")
    assert (paid.status_code, paid.json()["payment_reference"]) == (200, "TRX-1")
    assert fund_figures(approver) == ("10000.00", "0.00", "1500.00", "8500.00")
    reconciled = act(people.finance2, pk, "reconcile", statement_reference="STMT-11")
    assert reconciled.json()["status"] == "reconciled"
    assert fund_figures(people.auditor) == ("10000.00", "0.00", "1500.00", "8500.00")
    assert verify_chain().ok


def test_two_approvals_at_the_threshold(people, case, funded):
    pk = client_for(people.caseworker).post(LIST, body(case, amount="5000.00"), format="json").json()["id"]
    act(people.caseworker, pk, "submit")
    first = act(people.approver, pk, "approve").json()
    assert (first["status"], first["approvals_required"], len(first["approvals"])) == ("submitted", 2, 1)
    assert act(people.approver, pk, "approve").json()["code"] == "segregation_of_duties"
    assert act(people.approver2, pk, "approve").json()["status"] == "approved"
    assert fund_figures(people.finance)[1] == "5000.00"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount": "-10.00"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "ten"}, "amount"),
        ({"amount": "10.005"}, "amount"),
        ({"amount": 10.005}, "amount"),
        ({"category": "jewellery"}, "category"),
        ({"payee_type": "friend"}, "payee_type"),
        ({"payee_account": ""}, "payee_account"),
        ({"case": "not-a-uuid"}, "case"),
    ],
)
def test_bad_request_bodies_are_validation_errors(people, case, overrides, field):
    response = client_for(people.caseworker).post(LIST, body(case, **overrides), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert field in response.json()["errors"]
    assert not Disbursement.objects.exists()


def raw_post(user, path, text: str):
    """POST a JSON body exactly as written (numbers keep their spelling)."""
    return client_for(user).post(path, data=text, content_type="application/json")


@pytest.mark.parametrize("number", ["0.1", "250.10", "100.0", "1e2", "-0.5"])
def test_amounts_sent_as_json_floats_are_refused(people, case, funded, number):
    """A JSON number with a fraction or exponent is a binary float once parsed: never money."""
    requested = raw_post(people.caseworker, LIST, json.dumps(body(case, amount="X")).replace('"X"', number))
    deposited = raw_post(
        people.finance, f"{FUND}deposits/", f'{{"amount": {number}, "source": "Donor", "reference": "DEP-F"}}'
    )
    for response in (requested, deposited):
        data = response.json()
        assert (response.status_code, data["code"]) == (400, "validation_error")
        assert list(data["errors"]) == ["amount"] and "amount" in data["detail"]
        assert "decimal string" in data["errors"]["amount"][0]
    assert not Disbursement.objects.exists()
    assert LedgerEntry.objects.count() == 1  # the `funded` deposit only
    draft = request_payment(case, people.caseworker)
    patched = client_for(people.caseworker).patch(
        f"{LIST}{draft.pk}/", data=f'{{"amount": {number}}}', content_type="application/json"
    )
    assert (patched.status_code, list(patched.json()["errors"])) == (400, ["amount"])
    assert Disbursement.objects.get(pk=draft.pk).amount == Decimal("1000.00")


@pytest.mark.parametrize(("amount", "expected"), [("12.50", "12.50"), (12, "12.00"), ("7", "7.00")])
def test_amounts_as_decimal_strings_or_integers_are_accepted(people, case, amount, expected):
    created = client_for(people.caseworker).post(LIST, body(case, amount=amount), format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["amount"] == expected
    deposited = client_for(people.finance).post(
        f"{FUND}deposits/", {"amount": amount, "source": "Donor", "reference": "DEP-2"}, format="json"
    )
    assert deposited.status_code == 201, deposited.json()
    assert LedgerEntry.objects.get().amount == Decimal(expected)


@pytest.mark.parametrize("field", ["category", "payee_type"])
def test_choice_errors_name_the_field_and_choices_but_never_echo_the_input(people, case, field):
    """Someone may type a victim's name into the wrong field: it must not come back in the error."""
    created = client_for(people.caseworker).post(LIST, body(case, **{field: "Amina Karimova"}), format="json")
    draft = request_payment(case, people.caseworker)
    patched = client_for(people.caseworker).patch(f"{LIST}{draft.pk}/", {field: "Amina Karimova"}, format="json")
    valid = {"category": ["shelter", "medical", "repatriation"], "payee_type": ["victim", "vendor"]}[field]
    for response in (created, patched):
        assert (response.status_code, response.json()["code"]) == (400, "validation_error")
        assert "Amina" not in response.content.decode()
        [message] = response.json()["errors"][field]
        assert message.startswith(f"{field} must be one of: ")
        assert all(choice in message for choice in valid)
    assert Disbursement.objects.count() == 1


def test_an_oversized_request_body_is_a_validation_error_not_a_server_error(people, case, settings):
    """Bodies over DATA_UPLOAD_MAX_MEMORY_SIZE (64 KiB): config.api_errors maps
    RequestDataTooBig to validation_error, with the 400 DESIGN.md §8 pairs it with."""
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 64 * 1024
    response = client_for(people.caseworker).post(LIST, body(case, justification="x" * 70 * 1024), format="json")
    assert (response.status_code, response.json()["code"]) == (400, "validation_error")
    assert "64 KiB" in response.json()["detail"]
    assert not Disbursement.objects.exists()


def test_who_may_request(people, case):
    assert client_for().post(LIST, body(case), format="json").status_code == 401
    assert client_for(people.approver).post(LIST, body(case), format="json").json()["code"] == "permission_denied"
    hidden = client_for(people.outsider).post(LIST, body(case), format="json")
    assert (hidden.status_code, hidden.json()["code"]) == (404, "not_found")
    assert not Disbursement.objects.exists()


def test_request_on_an_inactive_case_is_refused(people, case):
    from referrals.services import case_transition

    case_transition(case=case, actor=people.caseworker, name="withdraw", reason="Consent withdrawn.")
    response = client_for(people.caseworker).post(LIST, body(case), format="json")
    assert (response.status_code, response.json()["code"]) == (409, "transition_not_allowed")


def test_visibility_of_lists_and_details(people, case, funded):
    disbursement = request_payment(case, people.caseworker)
    detail = f"{LIST}{disbursement.pk}/"
    for who in ("caseworker", "caseworker2", "approver", "finance", "auditor"):
        user = getattr(people, who)
        assert client_for(user).get(LIST).json()["count"] == 1, who
        assert client_for(user).get(detail).status_code == 200, who
    assert client_for(people.outsider).get(LIST).json()["count"] == 0
    for who in ("outsider", "admin", "intake"):
        response = client_for(getattr(people, who)).get(detail)
        assert (response.status_code, response.json()["code"]) == (404, "not_found"), who
    for who in ("admin", "intake"):
        assert client_for(getattr(people, who)).get(LIST).status_code == 403
    assert client_for(people.approver).get(f"{LIST}not-a-uuid/").status_code == 404
    assert client_for().get(LIST).status_code == 401


def test_list_filters_and_query_count(people, case, funded):
    drive(request_payment(case, people.caseworker), people, "approved")
    request_payment(case, people.caseworker)
    client = client_for(people.approver)
    assert [d["status"] for d in client.get(LIST, {"status": "approved"}).json()["results"]] == ["approved"]
    assert client.get(LIST, {"case": str(case.pk)}).json()["count"] == 2
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for _ in range(4):
        drive(request_payment(case, people.caseworker), people, "approved")
    with CaptureQueriesContext(connection) as many:
        assert client.get(LIST).json()["count"] == 6
    assert len(many.captured_queries) == len(few.captured_queries)


def test_transition_errors_follow_the_convention(people, case, funded):
    pk = str(request_payment(case, people.caseworker).pk)
    assert act(people.outsider, pk, "submit").status_code == 404  # invisible
    assert act(people.finance, pk, "submit").json()["code"] == "permission_denied"  # role
    assert act(people.approver, pk, "approve").json()["code"] == "transition_not_allowed"  # state
    assert act(people.caseworker, pk, "explode").json()["code"] == "transition_not_allowed"
    act(people.caseworker, pk, "submit")
    missing = act(people.approver, pk, "reject")
    assert (missing.status_code, missing.json()["code"]) == (400, "validation_error")
    assert "reason" in missing.json()["errors"]
    assert act(people.caseworker, pk, "approve").json()["code"] == "permission_denied"
    act(people.approver, pk, "approve")
    assert act(people.approver_finance, pk, "pay", payment_reference="").json()["errors"] == {
        "payment_reference": ["This field is required."]
    }
    assert act(people.finance, pk, "reconcile", statement_reference="S").status_code == 409
    assert Disbursement.objects.get(pk=pk).status == "approved"


def test_segregation_of_duties_refusals(people, case, funded):
    own = client_for(people.caseworker_approver).post(LIST, body(case), format="json").json()["id"]
    act(people.caseworker_approver, own, "submit")
    for name, data in (("approve", {}), ("reject", {"reason": "no"})):
        response = act(people.caseworker_approver, own, name, **data)
        assert (response.status_code, response.json()["code"]) == (403, "segregation_of_duties")
    act(people.approver_finance, own, "approve")
    response = act(people.approver_finance, own, "pay", payment_reference="TRX-9")
    assert (response.status_code, response.json()["code"]) == (403, "segregation_of_duties")
    assert act(people.finance, own, "pay", payment_reference="TRX-9").status_code == 200


def test_insufficient_funds_and_case_limit(people, case, settings):
    deposit(people.finance, amount="1000.00")
    pk = client_for(people.caseworker).post(LIST, body(case, amount="1000.01"), format="json").json()["id"]
    act(people.caseworker, pk, "submit")
    short = act(people.approver, pk, "approve")
    assert (short.status_code, short.json()["code"]) == (409, "insufficient_funds")
    assert fund_figures(people.finance) == ("1000.00", "0.00", "0.00", "1000.00")
    pk2 = client_for(people.caseworker).post(LIST, body(case, amount="900.01"), format="json").json()["id"]
    act(people.caseworker, pk2, "submit")
    settings.VAF_CASE_LIMIT = Decimal("900.00")  # lowered while it waits: the last approval checks again
    over = act(people.approver, pk2, "approve")
    assert (over.status_code, over.json()["code"]) == (409, "case_limit_exceeded")
    assert client_for(people.approver).get(FUND).json()["case_limit"] == "900.00"


def test_cancel_releases_money(people, case, funded):
    pk = str(drive(request_payment(case, people.caseworker, amount="700.00"), people, "approved").pk)
    assert fund_figures(people.finance) == ("100000.00", "700.00", "0.00", "99300.00")
    response = act(people.caseworker, pk, "cancel", reason="Not needed any more.")
    assert response.json()["status"] == "cancelled"
    assert fund_figures(people.finance) == ("100000.00", "0.00", "0.00", "100000.00")


def test_draft_can_be_changed_and_only_a_draft(people, case, funded):
    pk = str(request_payment(case, people.caseworker).pk)
    changed = client_for(people.caseworker).patch(f"{LIST}{pk}/", {"amount": "12.30"}, format="json")
    assert changed.json()["amount"] == "12.30"
    act(people.caseworker, pk, "submit")
    refused = client_for(people.caseworker).patch(f"{LIST}{pk}/", {"amount": "1.00"}, format="json")
    assert refused.status_code == 409


def test_fund_endpoint_roles_and_deposits(people):
    assert client_for(people.caseworker).get(FUND).status_code == 403
    assert client_for(people.admin).get(FUND).status_code == 403
    assert client_for().get(FUND).status_code == 401
    data = client_for(people.approver).get(FUND).json()
    assert data == {
        "currency": "SAR",
        "deposited": "0.00",
        "committed": "0.00",
        "paid": "0.00",
        "available": "0.00",
        "dual_approval_threshold": "5000.00",
        "case_limit": "50000.00",
    }
    good = {"amount": "50.00", "source": "Donor", "reference": "D-1"}
    for who in ("approver", "auditor", "caseworker"):
        assert client_for(getattr(people, who)).post(f"{FUND}deposits/", good, format="json").status_code == 403
    bad = client_for(people.finance).post(f"{FUND}deposits/", {**good, "amount": "-1"}, format="json")
    assert (bad.status_code, bad.json()["code"]) == (400, "validation_error")
    assert not LedgerEntry.objects.exists()
    created = client_for(people.finance).post(f"{FUND}deposits/", good, format="json").json()
    assert (created["amount"], created["source"], created["reference"], created["currency"]) == (
        "50.00",
        "Donor",
        "D-1",
        "SAR",
    )
    ledger = client_for(people.auditor).get(f"{FUND}ledger/").json()
    assert [e["kind"] for e in ledger["results"]] == ["deposit"]


def test_schema_documents_the_fund_api(people):
    response = client_for(people.approver).get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"] if response["Content-Type"].startswith("application/json") else None
    if paths is None:
        import yaml

        paths = yaml.safe_load(response.content)["paths"]
    for path in (
        "/api/v1/disbursements/",
        "/api/v1/disbursements/{disbursement_id}/",
        "/api/v1/disbursements/{disbursement_id}/transitions/{name}/",
        "/api/v1/fund/",
        "/api/v1/fund/deposits/",
    ):
        assert path in paths


@pytest.mark.parametrize(("name", "state", "who", "target"), ALLOWED)
def test_every_allowed_transition_through_the_api(people, case, funded, name, state, who, target):
    disbursement = drive(request_payment(case, people.caseworker), people, state)
    response = act(getattr(people, who), disbursement.pk, name, **INPUT.get(name, {}))
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == target


@pytest.mark.parametrize(("name", "state", "who"), WRONG_ROLE)
def test_every_transition_by_a_wrong_role_through_the_api(people, case, funded, name, state, who):
    disbursement = drive(request_payment(case, people.caseworker), people, state)
    response = act(getattr(people, who), disbursement.pk, name, **INPUT.get(name, {}))
    expected = (404, "not_found") if who == "admin" else (403, "permission_denied")
    assert (response.status_code, response.json()["code"]) == expected


@pytest.mark.parametrize(("name", "state"), [(n, next(s for s in STATES if s not in SOURCES[n])) for n in SOURCES])
def test_every_transition_from_a_wrong_state_through_the_api(people, case, funded, name, state):
    disbursement = drive(request_payment(case, people.caseworker), people, state)
    who = {"submit": people.caseworker, "cancel": people.approver3}.get(name)
    who = who or (people.approver3 if name in ("approve", "reject", "return_for_changes") else people.finance2)
    response = act(who, disbursement.pk, name, **INPUT.get(name, {}))
    assert (response.status_code, response.json()["code"]) == (409, "transition_not_allowed")


@pytest.mark.parametrize("name", list(SOURCES))
def test_every_transition_on_an_invisible_request_is_not_found(people, case, funded, name):
    disbursement = drive(request_payment(case, people.caseworker), people, "submitted")
    for who in (people.outsider, people.intake):
        response = act(who, disbursement.pk, name, **INPUT.get(name, {}))
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert act(None, disbursement.pk, name).status_code == 401
