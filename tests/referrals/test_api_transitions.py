"""POST /api/v1/cases/{id}/transitions/{name}/ (DESIGN.md §8): each
transition allowed, and refused with the documented codes."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from referrals import services
from referrals.choices import CaseStatus
from tests.factories import make_user
from tests.referrals.conftest import ORG, referral_input
from tests.referrals.test_transitions import ALLOWED

S = CaseStatus


def transition(client, case, name, reason=None):
    body = {} if reason is None else {"reason": reason}
    return client.post(f"/api/v1/cases/{case.pk}/transitions/{name}/", body, format="json")


@pytest.mark.parametrize(("name", "source", "actor", "target"), ALLOWED)
def test_allowed_transition_answers_200_with_the_detail(people, api, name, source, actor, target):
    case = people.case(source, assessed=name == "submit_for_approval")
    response = transition(api.as_user(getattr(people, actor)), case, name, reason="API test reason")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == target
    assert body["id"] == str(case.pk)
    event = AuditEvent.objects.filter(action=f"case.{name}", object_id=str(case.pk)).last()
    assert (event.payload["from"], event.payload["to"], event.reason_text) == (source, target, "API test reason")


@pytest.mark.parametrize(
    ("name", "state", "actor"),
    [
        ("start_assessment", S.IN_ASSESSMENT, "caseworker"),
        ("submit_for_approval", S.ACTIVE, "caseworker"),
        ("approve", S.ACTIVE, "approver"),
        ("reject", S.CLOSED, "approver"),
        ("return_to_assessment", S.REJECTED, "approver"),
        ("close", S.IN_ASSESSMENT, "caseworker"),
        ("withdraw", S.CLOSED, "caseworker"),
        ("reopen", S.ACTIVE, "approver"),
        ("reopen", S.PENDING_APPROVAL, "approver"),
    ],
)
def test_wrong_state_answers_409(people, api, name, state, actor):
    case = people.case(state)
    response = transition(api.as_user(getattr(people, actor)), case, name, reason="r")
    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"
    case.refresh_from_db()
    assert case.status == state


@pytest.mark.parametrize(
    ("name", "state", "actor"),
    [
        ("start_assessment", S.REFERRED, "intake"),
        ("submit_for_approval", S.IN_ASSESSMENT, "caseworker2"),
        ("approve", S.PENDING_APPROVAL, "caseworker"),
        ("approve", S.PENDING_APPROVAL, "auditor"),
        ("approve", S.PENDING_APPROVAL, "finance"),
        ("reject", S.PENDING_APPROVAL, "caseworker"),
        ("return_to_assessment", S.PENDING_APPROVAL, "auditor"),
        ("close", S.ACTIVE, "approver"),
        ("close", S.ACTIVE, "caseworker2"),
        ("withdraw", S.ACTIVE, "approver"),
        ("reopen", S.CLOSED, "caseworker"),
        ("reopen", S.REJECTED, "auditor"),
    ],
)
def test_wrong_role_answers_403(people, api, name, state, actor):
    if actor == "intake":
        case = services.referral_create(actor=people.intake, referral=referral_input())
    else:
        case = people.case(state, assessed=True)
    response = transition(api.as_user(getattr(people, actor)), case, name, reason="r")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    case.refresh_from_db()
    assert case.status == state


def test_segregation_of_duties_answers_403(people, api):
    both = make_user("caseworker", "approver", organisation=ORG)
    case = services.referral_create(actor=both, referral=referral_input())
    client = api.as_user(both)
    assert transition(client, case, "start_assessment").status_code == 200
    client.patch(
        f"/api/v1/cases/{case.pk}/", {"assessment": {"needs": ["medical"], "risk_level": "high"}}, format="json"
    )
    offered = transition(client, case, "submit_for_approval").json()["available_transitions"]
    assert "approve" not in offered
    response = transition(client, case, "approve")
    assert response.status_code == 403
    assert response.json()["code"] == "segregation_of_duties"
    case.refresh_from_db()
    assert case.status == S.PENDING_APPROVAL


@pytest.mark.parametrize(
    ("name", "state", "actor"),
    [
        ("start_assessment", S.REFERRED, "other_caseworker"),
        ("withdraw", S.ACTIVE, "other_caseworker"),
        ("approve", S.IN_ASSESSMENT, "approver"),
        ("start_assessment", S.REFERRED, "admin"),
        ("approve", S.PENDING_APPROVAL, "admin"),
    ],
)
def test_invisible_case_answers_404(people, api, name, state, actor):
    case = people.case(state)
    response = transition(api.as_user(getattr(people, actor)), case, name, reason="r")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    ("name", "state", "actor"),
    [
        ("reject", S.PENDING_APPROVAL, "approver"),
        ("return_to_assessment", S.PENDING_APPROVAL, "approver"),
        ("close", S.ACTIVE, "caseworker"),
        ("withdraw", S.REFERRED, "caseworker"),
        ("reopen", S.REJECTED, "approver"),
    ],
)
@pytest.mark.parametrize("reason", [None, "", "  "])
def test_missing_reason_answers_400_naming_it(people, api, name, state, actor, reason):
    case = people.case(state)
    response = transition(api.as_user(getattr(people, actor)), case, name, reason=reason)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert "reason" in body["errors"]
    case.refresh_from_db()
    assert case.status == state


def test_unknown_transition_answers_409_naming_it(people, api):
    case = people.case(S.REFERRED)
    response = transition(api.as_user(people.caseworker), case, "fly_away")
    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"
    assert "fly_away" in response.json()["detail"]


def test_overlong_reason_answers_400(people, api):
    case = people.case(S.PENDING_APPROVAL)
    response = transition(api.as_user(people.approver), case, "reject", reason="x" * 2001)
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]


def test_non_object_body_answers_400(people, api):
    case = people.case(S.REFERRED)
    client = api.as_user(people.caseworker)
    response = client.post(f"/api/v1/cases/{case.pk}/transitions/start_assessment/", [1], format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


def test_full_workflow_through_the_api(people, api):
    # a referral from an intake partner is picked up by the coordination unit
    created = api.as_user(people.intake).post("/api/v1/referrals/", _body(), format="json").json()
    coordinator = make_user("caseworker", organisation="NRM Coordination Unit")
    cw = api.as_user(coordinator)
    case_url = f"/api/v1/cases/{created['id']}/"
    assert cw.post(f"{case_url}transitions/start_assessment/", {}, format="json").json()["assigned_to"] == (
        coordinator.username
    )
    cw.patch(case_url, {"assessment": {"needs": ["shelter"], "risk_level": "high"}}, format="json")
    assert cw.post(f"{case_url}transitions/submit_for_approval/", {}, format="json").json()["status"] == (
        "pending_approval"
    )
    ap = api.as_user(people.approver)
    assert ap.post(f"{case_url}transitions/approve/", {}, format="json").json()["status"] == "active"
    # the partner follows the status, and nothing more
    assert api.as_user(people.intake).get(case_url).json() == {
        "id": created["id"],
        "reference": created["reference"],
        "status": "active",
        "created_at": created["created_at"],
    }


def _body():
    from tests.referrals.conftest import referral_body

    return referral_body()
