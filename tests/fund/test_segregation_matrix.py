"""The segregation-of-duties matrix (DESIGN.md §1, §3, §4).

Every role combination that may be granted × every disbursement and case
transition × the user's position on the object (maker, editor, approver,
payer, assigned caseworker, or nobody), each answered either "allowed" or
with the exact refusal code. The allowed combinations come from one table:
every set of roles except those the design forbids.
"""

from __future__ import annotations

import itertools

import pytest
from django.db import transaction

from config.errors import DomainError
from fund import services
from referrals.choices import CaseStatus
from referrals.services import case_transition
from tests.factories import make_user
from tests.fund.conftest import ORG, deposit, make_active_case, make_people, request_payment

ROLES = ("caseworker", "approver", "finance", "auditor", "admin", "intake_partner")
ALONE_ONLY = {"admin", "auditor"}  # never with another role
NEVER_TOGETHER = [{"approver", "finance"}]


def _allowed(roles: frozenset) -> bool:
    if not roles:
        return False
    if roles & ALONE_ONLY and len(roles) > 1:
        return False
    return not any(pair <= roles for pair in NEVER_TOGETHER)


COMBINATIONS = sorted(
    (
        frozenset(c)
        for n in range(1, len(ROLES) + 1)
        for c in itertools.combinations(ROLES, n)
        if _allowed(frozenset(c))
    ),
    key=lambda c: (len(c), sorted(c)),
)
OK = "allowed"
PD, SOD, TNA = "permission_denied", "segregation_of_duties", "transition_not_allowed"

# --- payment requests -------------------------------------------------------

# Where each transition is tried from.
SOURCE = {
    "submit": "draft",
    "approve": "submitted",
    "reject": "submitted",
    "return_for_changes": "submitted",
    "cancel": "submitted",
    "pay": "approved",
    "mark_failed": "approved",
    "reconcile": "paid",
}
INPUT = {"reason": "Matrix test.", "payment_reference": "MATRIX-1", "statement_reference": "MATRIX-STMT"}
DISBURSEMENT_POSITIONS = {
    # position: the role it needs
    "nobody": None,
    "maker": "caseworker",
    "editor": "caseworker",
    "approver": "approver",
    "payer": "finance",
}


def expected_disbursement(roles: frozenset, position: str, name: str) -> str:
    maker = position in ("maker", "editor")
    approver = position == "approver"
    payer = position == "payer"
    if name == "submit":
        return OK if "caseworker" in roles else PD
    if name in ("approve", "reject", "return_for_changes"):
        if "approver" not in roles:
            return PD
        if name in ("approve", "reject") and maker:
            return SOD
        if name == "approve" and approver:
            return SOD  # one approval per approver
        return OK
    if name == "cancel":
        return OK if "approver" in roles or maker else PD
    if "finance" not in roles:
        return PD
    if name == "pay" and (maker or approver):
        return SOD
    if name == "reconcile" and (maker or approver or payer):
        return SOD
    return OK


def _build(people, user, position: str) -> dict:
    """A payment request in each source state, `user` in `position` on each
    where the position exists by then. Needs two approvals (amount at the
    dual-approval threshold), so an approver's own approval leaves it submitted."""
    case = make_active_case(people.caseworker, people.approver3)
    creator = user if position == "maker" else people.caseworker
    built = {}
    for state in ("draft", "submitted", "approved", "paid"):
        d = request_payment(case, creator, amount="6000.00")
        if position == "editor":
            d = services.disbursement_update(disbursement=d, actor=user, changes={"justification": "Edited."})
        if state != "draft":
            d = services.disbursement_submit(disbursement=d, actor=people.caseworker)
            first = user if position == "approver" else people.approver
            d = services.disbursement_approve(disbursement=d, actor=first)
            if state != "submitted":
                d = services.disbursement_approve(disbursement=d, actor=people.approver2)
        if state == "paid":
            payer = user if position == "payer" else people.finance
            d = services.disbursement_pay(disbursement=d, actor=payer, payment_reference=f"MX-{d.pk.hex[:8]}")
        built[state] = d
    return built


def _attempt(callable_) -> str:
    """Run a transition and roll it back: "allowed" or the refusal code."""
    with transaction.atomic():
        try:
            callable_()
            outcome = OK
        except DomainError as exc:
            outcome = exc.code
        transaction.set_rollback(True)
    return outcome


DISBURSEMENT_CASES = [
    pytest.param(roles, position, id=f"{'+'.join(sorted(roles))}-{position}")
    for roles in COMBINATIONS
    for position, needs in DISBURSEMENT_POSITIONS.items()
    if needs is None or needs in roles
]


@pytest.mark.parametrize(("roles", "position"), DISBURSEMENT_CASES)
def test_disbursement_matrix(db, roles, position):
    people = make_people()
    deposit(people.finance, amount="200000.00")
    user = make_user(*sorted(roles), organisation=ORG)
    built = _build(people, user, position)
    got, want = {}, {}
    for name, state in SOURCE.items():
        d = built[state]
        got[name] = _attempt(
            lambda d=d, name=name: services.disbursement_transition(disbursement=d, actor=user, name=name, **INPUT)
        )
        want[name] = expected_disbursement(roles, position, name)
    assert got == want


# --- cases ------------------------------------------------------------------

CASE_SOURCE = {
    "start_assessment": CaseStatus.REFERRED,
    "submit_for_approval": CaseStatus.IN_ASSESSMENT,
    "approve": CaseStatus.PENDING_APPROVAL,
    "reject": CaseStatus.PENDING_APPROVAL,
    "return_to_assessment": CaseStatus.PENDING_APPROVAL,
    "close": CaseStatus.ACTIVE,
    "withdraw": CaseStatus.ACTIVE,
    "reopen": CaseStatus.CLOSED,
}
CASE_POSITIONS = {"nobody": None, "assigned": "caseworker"}


def expected_case(roles: frozenset, position: str, name: str) -> str:
    assigned = position == "assigned"
    if name in ("start_assessment", "withdraw"):
        return OK if "caseworker" in roles else PD
    if name in ("submit_for_approval", "close"):
        return OK if "caseworker" in roles and assigned else PD
    if "approver" not in roles:
        return PD
    if name == "approve" and assigned:
        return SOD
    return OK


def _case_in(state, assignee, approver):
    from django.utils import timezone

    from referrals.services import ReferralInput, case_update, referral_create

    case = referral_create(
        actor=assignee,
        referral=ReferralInput(
            referring_agency="Test Labour Office",
            exploitation_types=["forced_labour"],
            consent_given=True,
            consent_date=timezone.localdate(),
            victim={"full_name": "Test Person", "sex": "female", "nationality": "PH"},
        ),
    )
    if state == CaseStatus.REFERRED:
        return case
    case = case_transition(case=case, actor=assignee, name="start_assessment")
    case = case_update(case=case, actor=assignee, changes={"needs": ["shelter"], "risk_level": "low"})
    if state == CaseStatus.IN_ASSESSMENT:
        return case
    case = case_transition(case=case, actor=assignee, name="submit_for_approval")
    if state == CaseStatus.PENDING_APPROVAL:
        return case
    case = case_transition(case=case, actor=approver, name="approve")
    if state == CaseStatus.ACTIVE:
        return case
    return case_transition(case=case, actor=assignee, name="close", reason="Matrix test.")


CASE_CASES = [
    pytest.param(roles, position, id=f"{'+'.join(sorted(roles))}-{position}")
    for roles in COMBINATIONS
    for position, needs in CASE_POSITIONS.items()
    if needs is None or needs in roles
]


@pytest.mark.parametrize(("roles", "position"), CASE_CASES)
def test_case_matrix(db, roles, position):
    caseworker = make_user("caseworker", organisation=ORG)
    approver = make_user("approver", organisation=ORG)
    user = make_user(*sorted(roles), organisation=ORG)
    assignee = user if position == "assigned" else caseworker
    cases = {state: _case_in(state, assignee, approver) for state in set(CASE_SOURCE.values())}
    got, want = {}, {}
    for name, state in CASE_SOURCE.items():
        case = cases[state]
        got[name] = _attempt(
            lambda case=case, name=name: case_transition(case=case, actor=user, name=name, reason="Matrix test.")
        )
        want[name] = expected_case(roles, position, name)
    assert got == want


def test_the_table_allows_what_the_design_allows():
    names = {"+".join(sorted(c)) for c in COMBINATIONS}
    assert {"admin", "auditor", "approver+caseworker", "caseworker+finance", "caseworker+intake_partner"} <= names
    assert not {"admin+caseworker", "approver+auditor", "approver+finance", "approver+caseworker+finance"} & names
