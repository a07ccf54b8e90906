"""The case state machine of DESIGN.md §3, through the services: every
transition allowed, and refused for the wrong state, the wrong role,
segregation of duties and missing conditions or reasons."""

from __future__ import annotations

import pytest
from django.db import transaction

from audit.models import AuditEvent
from config.errors import (
    DomainError,
    PermissionDenied,
    SegregationOfDutiesViolation,
    TransitionNotAllowed,
    ValidationFailed,
)
from referrals import services
from referrals.choices import CaseStatus
from referrals.models import Case
from referrals.permissions import REASON_REQUIRED, TRANSITIONS, available_transitions
from tests.factories import make_user
from tests.referrals.conftest import ORG, referral_input

S = CaseStatus

# (transition, from state, actor attribute on People, to state)
ALLOWED = [
    ("start_assessment", S.REFERRED, "caseworker", S.IN_ASSESSMENT),
    ("submit_for_approval", S.IN_ASSESSMENT, "caseworker", S.PENDING_APPROVAL),
    ("approve", S.PENDING_APPROVAL, "approver", S.ACTIVE),
    ("reject", S.PENDING_APPROVAL, "approver", S.REJECTED),
    ("return_to_assessment", S.PENDING_APPROVAL, "approver", S.IN_ASSESSMENT),
    ("close", S.ACTIVE, "caseworker", S.CLOSED),
    ("withdraw", S.REFERRED, "caseworker2", S.WITHDRAWN),
    ("withdraw", S.IN_ASSESSMENT, "caseworker2", S.WITHDRAWN),
    ("withdraw", S.PENDING_APPROVAL, "caseworker", S.WITHDRAWN),
    ("withdraw", S.ACTIVE, "caseworker", S.WITHDRAWN),
    ("reopen", S.CLOSED, "approver2", S.IN_ASSESSMENT),
    ("reopen", S.REJECTED, "approver", S.IN_ASSESSMENT),
]
SOURCES = {
    "start_assessment": {S.REFERRED},
    "submit_for_approval": {S.IN_ASSESSMENT},
    "approve": {S.PENDING_APPROVAL},
    "reject": {S.PENDING_APPROVAL},
    "return_to_assessment": {S.PENDING_APPROVAL},
    "close": {S.ACTIVE},
    "withdraw": {S.REFERRED, S.IN_ASSESSMENT, S.PENDING_APPROVAL, S.ACTIVE},
    "reopen": {S.CLOSED, S.REJECTED},
}
RIGHT_ACTOR = {
    "start_assessment": "caseworker",
    "submit_for_approval": "caseworker",
    "approve": "approver",
    "reject": "approver",
    "return_to_assessment": "approver",
    "close": "caseworker",
    "withdraw": "caseworker",
    "reopen": "approver",
}
WRONG_STATE = [(name, state) for name in TRANSITIONS for state in S.values if state not in SOURCES[name]]
CASEWORKER_TRANSITIONS = {"start_assessment", "submit_for_approval", "close", "withdraw"}
WRONG_ROLE = [
    (name, state, actor)
    for name in TRANSITIONS
    for state in sorted(SOURCES[name])[:1]
    for actor in (
        ["approver", "finance", "auditor", "admin", "intake"]
        if name in CASEWORKER_TRANSITIONS
        else ["caseworker", "finance", "auditor", "admin", "intake"]
    )
]


def _events(case: Case, action: str):
    return list(AuditEvent.objects.filter(object_type="case", object_id=str(case.pk), action=action))


@pytest.mark.parametrize(("name", "source", "actor", "target"), ALLOWED)
def test_allowed_transition_changes_state_and_records_event(people, name, source, actor, target):
    # given a case in the source state (assessed, where it is to be submitted)
    case = people.case(source, assessed=name == "submit_for_approval")
    # when the right person applies the transition with a reason
    case = services.case_transition(case=case, actor=getattr(people, actor), name=name, reason="Test reason")
    # then the state moved and one event says from where to where, by whom and why
    case.refresh_from_db()
    assert case.status == target
    [event] = _events(case, f"case.{name}")[-1:]
    assert event.payload["from"] == source
    assert event.payload["to"] == target
    assert event.payload["reference"] == case.reference
    assert event.reason_text == "Test reason" and "Test reason" not in event.reason
    assert event.actor_id == getattr(people, actor).pk


@pytest.mark.parametrize(("name", "state"), WRONG_STATE)
def test_transition_from_wrong_state_is_refused(people, name, state):
    # given a case in a state the transition does not start from
    case = people.case(state)
    before = AuditEvent.objects.count()
    # when the right role tries it
    with pytest.raises(TransitionNotAllowed):
        services.case_transition(case=case, actor=getattr(people, RIGHT_ACTOR[name]), name=name, reason="r")
    # then nothing changed and nothing was recorded
    case.refresh_from_db()
    assert case.status == state
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(("name", "state", "actor"), WRONG_ROLE)
def test_transition_by_wrong_role_is_refused(people, name, state, actor):
    case = people.case(state)
    with pytest.raises(PermissionDenied) as refused:
        services.case_transition(case=case, actor=getattr(people, actor), name=name, reason="r")
    assert refused.value.code == "permission_denied"
    case.refresh_from_db()
    assert case.status == state


@pytest.mark.parametrize(("name", "state"), [("start_assessment", S.REFERRED), ("withdraw", S.ACTIVE)])
def test_caseworker_of_another_organisation_is_refused(people, name, state):
    case = people.case(state)
    with pytest.raises(PermissionDenied):
        services.case_transition(case=case, actor=people.other_caseworker, name=name, reason="r")


@pytest.mark.parametrize(("name", "state"), [("submit_for_approval", S.IN_ASSESSMENT), ("close", S.ACTIVE)])
def test_only_the_assigned_caseworker_may_submit_or_close(people, name, state):
    # given a case assigned to `caseworker`
    case = people.case(state)
    # when another caseworker of the same organisation tries
    with pytest.raises(PermissionDenied) as refused:
        services.case_transition(case=case, actor=people.caseworker2, name=name, reason="r")
    # then it is refused as a permission matter, not a state one
    assert refused.value.code == "permission_denied"


def test_assigned_caseworker_who_is_also_approver_may_not_approve(people):
    # given one person holding both roles who assessed and submitted the case
    both = make_user("caseworker", "approver", organisation=ORG)
    case = services.referral_create(actor=both, referral=referral_input())
    case = services.case_transition(case=case, actor=both, name="start_assessment")
    case = services.case_update(case=case, actor=both, changes={"needs": ["shelter"], "risk_level": "low"})
    case = services.case_transition(case=case, actor=both, name="submit_for_approval")
    # when they try to approve it
    with pytest.raises(SegregationOfDutiesViolation) as refused:
        services.case_transition(case=case, actor=both, name="approve")
    # then segregation of duties refuses it, and another approver may
    assert refused.value.code == "segregation_of_duties"
    assert refused.value.status == 403
    case = services.case_transition(case=case, actor=people.approver, name="approve")
    assert case.status == S.ACTIVE


def test_start_assessment_assigns_the_actor_only_when_unassigned(people):
    case = people.case(S.REFERRED)
    case = services.case_transition(case=case, actor=people.caseworker2, name="start_assessment")
    assert case.assigned_to == people.caseworker2
    # a reopened case keeps its caseworker
    case = people.case(S.REJECTED)
    case = services.case_transition(case=case, actor=people.approver, name="reopen", reason="New facts")
    assert case.assigned_to == people.caseworker


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({}, "needs"),
        ({"needs": ["shelter"]}, "risk level"),
        ({"needs": ["shelter"], "risk_level": "low", "exploitation_types": []}, "exploitation type"),
        ({"needs": ["shelter"], "risk_level": "low", "consent_given": False}, "consent"),
    ],
)
def test_submit_needs_consent_types_needs_and_risk(people, changes, problem):
    case = people.case(S.IN_ASSESSMENT)
    if changes:
        case = services.case_update(case=case, actor=people.caseworker, changes=changes)
    with pytest.raises(TransitionNotAllowed) as refused:
        services.case_transition(case=case, actor=people.caseworker, name="submit_for_approval")
    assert problem in refused.value.detail
    case.refresh_from_db()
    assert case.status == S.IN_ASSESSMENT


@pytest.mark.parametrize(
    ("name", "state", "actor"),
    [
        ("reject", S.PENDING_APPROVAL, "approver"),
        ("return_to_assessment", S.PENDING_APPROVAL, "approver"),
        ("close", S.ACTIVE, "caseworker"),
        ("withdraw", S.IN_ASSESSMENT, "caseworker"),
        ("reopen", S.CLOSED, "approver"),
    ],
)
@pytest.mark.parametrize("reason", ["", "   ", None])
def test_reason_is_required(people, name, state, actor, reason):
    assert name in REASON_REQUIRED
    case = people.case(state)
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        services.case_transition(case=case, actor=getattr(people, actor), name=name, reason=reason)
    assert "reason" in refused.value.errors
    case.refresh_from_db()
    assert case.status == state
    assert AuditEvent.objects.count() == before


def test_unknown_transition_is_refused_by_name(people):
    case = people.case(S.REFERRED)
    with pytest.raises(TransitionNotAllowed) as refused:
        services.case_transition(case=case, actor=people.caseworker, name="teleport")
    assert "teleport" in refused.value.detail


def test_submission_records_first_submission_and_approval_time(people):
    case = people.case(S.ACTIVE)
    assert case.submitted_at is not None
    assert case.approved_at is not None


EXPECTED_AVAILABLE = [
    (S.REFERRED, "caseworker", ["start_assessment", "withdraw"]),
    (S.REFERRED, "approver", []),
    (S.REFERRED, "intake", []),
    (S.IN_ASSESSMENT, "caseworker2", ["withdraw"]),
    (S.PENDING_APPROVAL, "approver", ["approve", "reject", "return_to_assessment"]),
    (S.PENDING_APPROVAL, "caseworker", ["withdraw"]),
    (S.PENDING_APPROVAL, "auditor", []),
    (S.ACTIVE, "caseworker", ["close", "withdraw"]),
    (S.ACTIVE, "caseworker2", ["withdraw"]),
    (S.ACTIVE, "approver", []),
    (S.REJECTED, "approver", ["reopen"]),
    (S.REJECTED, "caseworker", []),
    (S.CLOSED, "approver", ["reopen"]),
    (S.WITHDRAWN, "caseworker", []),
    (S.WITHDRAWN, "approver", []),
    (S.ACTIVE, "admin", []),
    (S.ACTIVE, "finance", []),
]


@pytest.mark.parametrize(("state", "actor", "expected"), EXPECTED_AVAILABLE)
def test_available_transitions_are_exactly_those_the_service_allows(people, state, actor, expected):
    # given a case and a viewer
    case = people.case(state)
    user = getattr(people, actor)
    # then the offered transitions are the expected ones ...
    assert available_transitions(user, case) == expected
    # ... and each transition succeeds exactly when it is offered
    for name in TRANSITIONS:
        succeeded = True
        with transaction.atomic():
            try:
                services.case_transition(case=case, actor=user, name=name, reason="r")
            except DomainError:
                succeeded = False
            transaction.set_rollback(True)
        assert succeeded == (name in expected), name


def test_assessed_case_offers_submission_to_its_caseworker(people):
    case = people.case(S.IN_ASSESSMENT)
    assert available_transitions(people.caseworker, case) == ["withdraw"]
    services.case_update(case=case, actor=people.caseworker, changes={"needs": ["legal"], "risk_level": "medium"})
    case.refresh_from_db()
    assert available_transitions(people.caseworker, case) == ["submit_for_approval", "withdraw"]
