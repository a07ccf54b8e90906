"""Builders for fund tests: people in every role, active cases, funded fund,
payment requests driven to any state through the services."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from fund import services
from referrals.services import ReferralInput, case_transition, case_update, referral_create
from tests.factories import make_user

ORG = "Fund Test Shelter"
OTHER_ORG = "Another Shelter"


def make_people() -> SimpleNamespace:
    return SimpleNamespace(
        caseworker=make_user("caseworker", organisation=ORG),
        caseworker2=make_user("caseworker", organisation=ORG),
        outsider=make_user("caseworker", organisation=OTHER_ORG),
        approver=make_user("approver", organisation=ORG),
        approver2=make_user("approver", organisation=ORG),
        approver3=make_user("approver", organisation=ORG),
        finance=make_user("finance", organisation=ORG),
        finance2=make_user("finance", organisation=ORG),
        auditor=make_user("auditor", organisation=ORG),
        admin=make_user("admin", organisation=ORG),
        intake=make_user("intake_partner", organisation="Test Labour Office"),
        # One person holding several roles: segregation of duties is per object.
        caseworker_approver=make_user("caseworker", "approver", organisation=ORG),
        approver_finance=make_user("approver", "finance", organisation=ORG, allow_forbidden_combination=True),
    )


def make_active_case(caseworker, approver):
    case = referral_create(
        actor=caseworker,
        referral=ReferralInput(
            referring_agency="Test Labour Office",
            exploitation_types=["forced_labour"],
            consent_given=True,
            consent_date=timezone.localdate(),
            victim={"full_name": "Test Person", "sex": "female", "nationality": "PH"},
        ),
    )
    case = case_transition(case=case, actor=caseworker, name="start_assessment")
    case = case_update(case=case, actor=caseworker, changes={"needs": ["shelter"], "risk_level": "low"})
    case = case_transition(case=case, actor=caseworker, name="submit_for_approval")
    return case_transition(case=case, actor=approver, name="approve")


def deposit(finance, amount="100000.00", source="Government budget", reference="DEP-1"):
    return services.fund_deposit(actor=finance, amount=Decimal(amount), source=source, reference=reference)


def request_payment(case, caseworker, amount="1000.00", **overrides):
    fields = {
        "category": "medical",
        "amount": amount,
        "payee_type": "vendor",
        "payee_name": "Test Clinic",
        "payee_account": "GB46WEST12345600000001",
        "justification": "Medical examination.",
        **overrides,
    }
    return services.disbursement_create(actor=caseworker, case=case, request=services.DisbursementInput(**fields))


def drive(disbursement, people, state: str):
    """Take a fresh draft (requested by people.caseworker) to `state`."""
    steps = {
        "draft": [],
        "submitted": ["submit"],
        "approved": ["submit", "approve"],
        "paid": ["submit", "approve", "pay"],
        "reconciled": ["submit", "approve", "pay", "reconcile"],
        "rejected": ["submit", "reject"],
        "cancelled": ["cancel"],
        "failed": ["submit", "approve", "mark_failed"],
    }[state]
    actor_for = {
        "submit": (people.caseworker, {}),
        "approve": (people.approver, {}),
        "reject": (people.approver, {"reason": "Not eligible."}),
        "cancel": (people.caseworker, {"reason": "Not needed."}),
        "pay": (people.finance, {"payment_reference": f"PAY-{disbursement.pk.hex[:8]}"}),
        "mark_failed": (people.finance, {"reason": "Bank returned it."}),
        # Not the payer (people.finance): reconciling is someone else's check.
        "reconcile": (people.finance2, {"statement_reference": "STMT-1"}),
    }
    for step in steps:
        actor, extra = actor_for[step]
        if step == "approve":
            for approver in [people.approver, people.approver2][: disbursement.approvals_required]:
                disbursement = services.disbursement_transition(
                    disbursement=disbursement, actor=approver, name="approve"
                )
            continue
        disbursement = services.disbursement_transition(disbursement=disbursement, actor=actor, name=step, **extra)
    return disbursement


def balances():
    b = services.fund_balances(services.fund_get_current())
    return (b.deposited, b.committed, b.paid, b.available)


@pytest.fixture
def people(db):
    return make_people()


@pytest.fixture
def case(people):
    return make_active_case(people.caseworker, people.approver)


@pytest.fixture
def funded(people):
    return deposit(people.finance)


@pytest.fixture(autouse=True)
def _reconcile_without_receipt(settings):
    """These tests reconcile payments that have no documents: the receipt rule
    (VAF_RECEIPT_REQUIRED_FOR_RECONCILE, tested in tests/documents) is off here."""
    settings.VAF_RECEIPT_REQUIRED_FOR_RECONCILE = False
