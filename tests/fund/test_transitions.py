"""Every disbursement transition, allowed and refused, through the services."""

from decimal import Decimal

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from audit.verification import verify_chain
from config.errors import (
    CaseLimitExceeded,
    InsufficientFunds,
    PermissionDenied,
    SegregationOfDutiesViolation,
    TransitionNotAllowed,
    ValidationFailed,
)
from fund import services
from fund.models import Approval, Disbursement, LedgerEntry
from fund.permissions import SOURCES, available_transitions
from tests.factories import make_user
from tests.fund.conftest import ORG, balances, deposit, drive, request_payment

STATES = ["draft", "submitted", "approved", "paid", "reconciled", "rejected", "cancelled", "failed"]
INPUT = {
    "reject": {"reason": "Not eligible."},
    "return_for_changes": {"reason": "Add the invoice."},
    "cancel": {"reason": "Not needed."},
    "pay": {"payment_reference": "PAY-001"},
    "mark_failed": {"reason": "Bank returned it."},
    "reconcile": {"statement_reference": "STMT-001"},
}
# transition -> (state it starts from, who may do it, state it ends in)
ALLOWED = [
    ("submit", "draft", "caseworker", "submitted"),
    ("submit", "draft", "caseworker2", "submitted"),
    ("approve", "submitted", "approver", "approved"),
    ("reject", "submitted", "approver", "rejected"),
    ("return_for_changes", "submitted", "approver", "draft"),
    ("cancel", "draft", "caseworker", "cancelled"),
    ("cancel", "submitted", "approver", "cancelled"),
    ("cancel", "approved", "caseworker", "cancelled"),
    ("cancel", "failed", "approver", "cancelled"),
    ("pay", "approved", "finance2", "paid"),
    ("pay", "failed", "finance2", "paid"),
    ("mark_failed", "approved", "finance2", "failed"),
    ("reconcile", "paid", "finance2", "reconciled"),
]
WRONG_ROLE = [
    ("submit", "draft", "approver"),
    ("submit", "draft", "finance"),
    ("approve", "submitted", "caseworker2"),
    ("approve", "submitted", "finance"),
    ("approve", "submitted", "auditor"),
    ("reject", "submitted", "finance"),
    ("return_for_changes", "submitted", "caseworker"),
    ("cancel", "draft", "caseworker2"),
    ("cancel", "approved", "finance"),
    ("pay", "approved", "approver3"),
    ("pay", "approved", "caseworker2"),
    ("mark_failed", "approved", "approver3"),
    ("reconcile", "paid", "auditor"),
    ("submit", "draft", "admin"),
]


def _new(people, case, state, amount="1000.00"):
    return drive(request_payment(case, people.caseworker, amount=amount), people, state)


def _events(disbursement, action):
    return AuditEvent.objects.filter(object_id=str(disbursement.pk), action=action).count()


@pytest.mark.parametrize(("name", "state", "who", "target"), ALLOWED)
def test_allowed_transition_changes_state_and_records_one_event(people, case, funded, name, state, who, target):
    disbursement = _new(people, case, state)
    assert name in available_transitions(getattr(people, who), disbursement)
    result = services.disbursement_transition(
        disbursement=disbursement, actor=getattr(people, who), name=name, **INPUT.get(name, {})
    )
    assert result.status == target
    assert Disbursement.objects.get(pk=disbursement.pk).status == target
    assert _events(disbursement, f"disbursement.{name}") == 1
    assert verify_chain().ok


WRONG_STATE = [(name, state) for name in SOURCES for state in STATES if state not in SOURCES[name]]


@pytest.mark.parametrize(("name", "state"), WRONG_STATE)
def test_transition_from_a_wrong_state_is_refused(people, case, funded, name, state):
    disbursement = _new(people, case, state)
    actor = {"submit": people.caseworker, "cancel": people.approver3}.get(name)
    actor = actor or (people.approver3 if name in ("approve", "reject", "return_for_changes") else people.finance2)
    before = (balances(), AuditEvent.objects.count())
    with pytest.raises(TransitionNotAllowed):
        services.disbursement_transition(disbursement=disbursement, actor=actor, name=name, **INPUT.get(name, {}))
    assert Disbursement.objects.get(pk=disbursement.pk).status == state
    assert (balances(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize(("name", "state", "who"), WRONG_ROLE)
def test_transition_by_a_wrong_role_is_refused(people, case, funded, name, state, who):
    disbursement = _new(people, case, state)
    with pytest.raises(PermissionDenied) as refused:
        services.disbursement_transition(
            disbursement=disbursement, actor=getattr(people, who), name=name, **INPUT.get(name, {})
        )
    assert type(refused.value) is PermissionDenied
    assert Disbursement.objects.get(pk=disbursement.pk).status == state


def test_unknown_transition_is_refused(people, case, funded):
    disbursement = _new(people, case, "draft")
    with pytest.raises(TransitionNotAllowed):
        services.disbursement_transition(disbursement=disbursement, actor=people.caseworker, name="delete")


def test_requester_never_approves_or_rejects(people, case, funded):
    # given a request made and submitted by someone who is also an approver
    disbursement = request_payment(case, people.caseworker_approver)
    services.disbursement_submit(disbursement=disbursement, actor=people.caseworker_approver)
    for name, extra in (("approve", {}), ("reject", {"reason": "x"})):
        with pytest.raises(SegregationOfDutiesViolation):
            services.disbursement_transition(
                disbursement=disbursement, actor=people.caseworker_approver, name=name, **extra
            )
    assert "approve" not in available_transitions(people.caseworker_approver, disbursement)
    # the submitter counts as requester too
    other = request_payment(case, people.caseworker)
    services.disbursement_submit(disbursement=other, actor=people.caseworker_approver)
    with pytest.raises(SegregationOfDutiesViolation):
        services.disbursement_approve(disbursement=other, actor=people.caseworker_approver)


def test_no_approver_approves_twice(people, case, funded):
    disbursement = _new(people, case, "submitted", amount="6000.00")
    services.disbursement_approve(disbursement=disbursement, actor=people.approver)
    with pytest.raises(SegregationOfDutiesViolation):
        services.disbursement_approve(disbursement=disbursement, actor=people.approver)
    assert Approval.objects.filter(disbursement=disbursement).count() == 1
    assert Disbursement.objects.get(pk=disbursement.pk).status == "submitted"


def test_payer_is_neither_requester_nor_approver(people, case, funded):
    requester_finance = make_user("caseworker", "finance", organisation=ORG)
    mine = request_payment(case, requester_finance)
    services.disbursement_submit(disbursement=mine, actor=requester_finance)
    services.disbursement_approve(disbursement=mine, actor=people.approver)
    with pytest.raises(SegregationOfDutiesViolation):
        services.disbursement_pay(disbursement=mine, actor=requester_finance, payment_reference="P-1")
    approved_by_me = _new(people, case, "submitted")
    services.disbursement_approve(disbursement=approved_by_me, actor=people.approver_finance)
    with pytest.raises(SegregationOfDutiesViolation):
        services.disbursement_pay(disbursement=approved_by_me, actor=people.approver_finance, payment_reference="P-2")
    assert "pay" not in available_transitions(people.approver_finance, approved_by_me)
    assert Disbursement.objects.get(pk=approved_by_me.pk).status == "approved"


@pytest.mark.parametrize(
    ("state", "name", "who", "field"),
    [
        ("submitted", "reject", "approver", "reason"),
        ("submitted", "return_for_changes", "approver", "reason"),
        ("draft", "cancel", "caseworker", "reason"),
        ("approved", "mark_failed", "finance2", "reason"),
        ("approved", "pay", "finance2", "payment_reference"),
        ("paid", "reconcile", "finance2", "statement_reference"),
    ],
)
def test_missing_required_input_is_a_validation_error(people, case, funded, state, name, who, field):
    disbursement = _new(people, case, state)
    with pytest.raises(ValidationFailed) as refused:
        services.disbursement_transition(
            disbursement=disbursement, actor=getattr(people, who), name=name, **{field: "   "}
        )
    assert field in refused.value.errors
    assert Disbursement.objects.get(pk=disbursement.pk).status == state


def test_state_is_checked_before_segregation_and_input(people, case, funded):
    disbursement = _new(people, case, "draft")
    with pytest.raises(TransitionNotAllowed):  # not SoD, not missing reason
        services.disbursement_reject(disbursement=disbursement, actor=people.caseworker_approver, reason="")


def test_dual_approval_at_the_threshold(people, case, funded, settings):
    settings.VAF_DUAL_APPROVAL_THRESHOLD = Decimal("5000.00")
    below = _new(people, case, "submitted", amount="4999.99")
    at = _new(people, case, "submitted", amount="5000.00")
    assert (below.approvals_required, at.approvals_required) == (1, 2)
    assert services.disbursement_approve(disbursement=below, actor=people.approver).status == "approved"
    first = services.disbursement_approve(disbursement=at, actor=people.approver, comment="Looks right.")
    assert first.status == "submitted"
    assert balances()[1] == Decimal("4999.99")  # nothing committed by the first of two approvals
    second = services.disbursement_approve(disbursement=at, actor=people.approver2)
    assert second.status == "approved"
    assert balances() == (Decimal("100000.00"), Decimal("9999.99"), Decimal("0.00"), Decimal("90000.01"))
    comments = [a.comment for a in Approval.objects.filter(disbursement=at).order_by("created_at")]
    assert comments == ["Looks right.", None]


def test_threshold_is_configurable_without_code_change(people, case, funded, settings):
    settings.VAF_DUAL_APPROVAL_THRESHOLD = Decimal("500.00")
    disbursement = _new(people, case, "submitted", amount="600.00")
    assert disbursement.approvals_required == 2
    # fixed at submission: a later change of policy does not move the goalposts
    settings.VAF_DUAL_APPROVAL_THRESHOLD = Decimal("5000.00")
    assert Disbursement.objects.get(pk=disbursement.pk).approvals_required == 2


def test_last_approval_fails_with_insufficient_funds_and_changes_nothing(people, case):
    deposit(people.finance, amount="500.00")
    disbursement = _new(people, case, "submitted", amount="500.01")
    before = (balances(), AuditEvent.objects.count())
    with pytest.raises(InsufficientFunds):
        services.disbursement_approve(disbursement=disbursement, actor=people.approver)
    assert Disbursement.objects.get(pk=disbursement.pk).status == "submitted"
    assert not Approval.objects.filter(disbursement=disbursement).exists()
    assert (balances(), AuditEvent.objects.count()) == before
    exact = _new(people, case, "submitted", amount="500.00")
    services.disbursement_approve(disbursement=exact, actor=people.approver)
    assert balances()[3] == Decimal("0.00")


def test_case_limit_counts_approved_and_paid(people, case, funded, settings):
    _new(people, case, "paid", amount="1000.00")
    _new(people, case, "approved", amount="1000.00")
    _new(people, case, "rejected", amount="1000.00")  # not counted
    over = _new(people, case, "submitted", amount="500.01")
    settings.VAF_CASE_LIMIT = Decimal("2500.00")  # lowered while it waits: the last approval checks again
    with pytest.raises(CaseLimitExceeded):
        services.disbursement_approve(disbursement=over, actor=people.approver)
    assert Disbursement.objects.get(pk=over.pk).status == "submitted"
    exact = _new(people, case, "submitted", amount="500.00")
    assert services.disbursement_approve(disbursement=exact, actor=people.approver).status == "approved"


@pytest.mark.parametrize("state", ["approved", "failed"])
def test_cancel_releases_the_commitment(people, case, funded, state):
    disbursement = _new(people, case, state, amount="1234.56")
    assert balances()[1] == Decimal("1234.56")
    services.disbursement_cancel(disbursement=disbursement, actor=people.approver, reason="Not needed.")
    assert balances() == (Decimal("100000.00"), Decimal("0.00"), Decimal("0.00"), Decimal("100000.00"))
    kinds = sorted(LedgerEntry.objects.filter(disbursement=disbursement).values_list("kind", flat=True))
    assert kinds == ["commit", "release"]


def test_reject_and_draft_cancel_move_no_money(people, case, funded):
    _new(people, case, "rejected")
    _new(people, case, "cancelled")
    assert balances() == (Decimal("100000.00"), Decimal("0.00"), Decimal("0.00"), Decimal("100000.00"))
    assert not LedgerEntry.objects.exclude(kind="deposit").exists()


def test_return_for_changes_clears_approvals(people, case, funded):
    disbursement = _new(people, case, "submitted", amount="7000.00")
    services.disbursement_approve(disbursement=disbursement, actor=people.approver)
    returned = services.disbursement_return_for_changes(
        disbursement=disbursement, actor=people.approver2, reason="Attach the quote."
    )
    assert returned.status == "draft"
    returned = services.disbursement_update(disbursement=returned, actor=people.caseworker, changes={"amount": "4000"})
    services.disbursement_submit(disbursement=returned, actor=people.caseworker)
    # the earlier approval no longer counts, and the same approver may sign again
    again = services.disbursement_approve(disbursement=returned, actor=people.approver)
    assert again.status == "approved"
    assert Approval.objects.filter(disbursement=disbursement).count() == 2
    assert balances()[1] == Decimal("4000.00")


def test_pay_and_reconcile_spend_the_commitment_once(people, case, funded):
    disbursement = _new(people, case, "failed", amount="300.00")
    paid = services.disbursement_pay(disbursement=disbursement, actor=people.finance2, payment_reference="P-9")
    assert (paid.status, paid.payment_reference, paid.paid_by) == ("paid", "P-9", people.finance2)
    assert balances() == (Decimal("100000.00"), Decimal("0.00"), Decimal("300.00"), Decimal("99700.00"))
    reconciled = services.disbursement_reconcile(disbursement=paid, actor=people.finance, statement_reference="S-1")
    assert reconciled.statement_reference == "S-1"
    assert balances()[2] == Decimal("300.00")
    kinds = sorted(LedgerEntry.objects.filter(disbursement=disbursement).values_list("kind", flat=True))
    assert kinds == ["commit", "payment"]


@pytest.mark.parametrize(
    "amount", [Decimal("-1.00"), Decimal("0"), "abc", Decimal("10.005"), "1.500", 10.5, "NaN", "Infinity", None]
)
def test_bad_amounts_are_refused_and_nothing_is_created(people, case, amount):
    with pytest.raises(ValidationFailed) as refused:
        request_payment(case, people.caseworker, amount=amount)
    assert "amount" in refused.value.errors
    assert not Disbursement.objects.exists()


def test_unknown_category_and_missing_payee_are_named(people, case):
    with pytest.raises(ValidationFailed) as refused:
        request_payment(case, people.caseworker, category="jewellery", payee_name=" ", payee_type="friend")
    assert set(refused.value.errors) == {"category", "payee_name", "payee_type"}
    assert not Disbursement.objects.exists()


def test_only_caseworkers_of_the_case_organisation_request(people, case):
    for actor in (people.finance, people.approver, people.outsider):
        with pytest.raises(PermissionDenied):
            request_payment(case, actor)
    assert not Disbursement.objects.exists()


def test_request_on_a_case_that_is_not_active_is_refused(people, case):
    from referrals.services import ReferralInput, referral_create

    pending = referral_create(
        actor=people.caseworker,
        referral=ReferralInput(
            referring_agency="X",
            exploitation_types=["other"],
            consent_given=True,
            consent_date=timezone.localdate(),
            victim={"full_name": "Test Person"},
        ),
    )
    with pytest.raises(TransitionNotAllowed):
        request_payment(pending, people.caseworker)
    assert not Disbursement.objects.exists()


def test_payee_details_are_encrypted_at_rest(people, case):
    disbursement = request_payment(
        case, people.caseworker, payee_name="Test Clinic", payee_account="GB96WEST12345600004242"
    )
    raw = Disbursement.objects.filter(pk=disbursement.pk).values("payee_name", "payee_account").get()
    assert b"GB96WEST12345600004242" not in bytes(raw["payee_account"])
    assert b"Test Clinic" not in bytes(raw["payee_name"])
    assert Disbursement.objects.get(pk=disbursement.pk).payee_account == "GB96WEST12345600004242"
    created = AuditEvent.objects.get(action="disbursement.created")
    assert "GB96WEST12345600004242" not in str(created.payload) and "Test Clinic" not in str(created.payload)


def test_every_event_carries_amount_and_states(people, case, funded):
    disbursement = _new(people, case, "reconciled", amount="10.00")
    actions = list(
        AuditEvent.objects.filter(object_id=str(disbursement.pk)).order_by("seq").values_list("action", flat=True)
    )
    assert actions == [
        "disbursement.created",
        "disbursement.submit",
        "disbursement.approve",
        "disbursement.pay",
        "disbursement.reconcile",
    ]
    pay = AuditEvent.objects.get(object_id=str(disbursement.pk), action="disbursement.pay")
    assert pay.payload["from"] == "approved" and pay.payload["to"] == "paid" and pay.payload["amount"] == "10.00"
    assert verify_chain().ok


def test_case_withdrawal_cancels_open_requests_and_releases_money(people, case, funded):
    from referrals.services import case_transition

    states = ["draft", "submitted", "approved", "failed", "paid", "rejected"]
    requests = {state: _new(people, case, state, amount="100.00") for state in states}
    case_transition(case=case, actor=people.caseworker2, name="withdraw", reason="Consent withdrawn.")
    after = {state: Disbursement.objects.get(pk=d.pk).status for state, d in requests.items()}
    assert after == {
        "draft": "cancelled",
        "submitted": "cancelled",
        "approved": "cancelled",
        "failed": "cancelled",
        "paid": "paid",
        "rejected": "rejected",
    }
    assert balances() == (Decimal("100000.00"), Decimal("0.00"), Decimal("100.00"), Decimal("99900.00"))
    cancels = AuditEvent.objects.filter(action="disbursement.cancel")
    assert cancels.count() == 4 and all(e.payload["via"] == "case.withdraw" for e in cancels)
    withdrawn = AuditEvent.objects.get(action="case.withdraw")
    assert withdrawn.payload["disbursements_cancelled"] == 4
    assert verify_chain().ok


def test_case_cannot_close_while_requests_are_open(people, case, funded):
    from referrals.services import case_transition

    disbursement = _new(people, case, "failed")
    assert services.case_has_open_disbursements(case=case)
    with pytest.raises(TransitionNotAllowed):
        case_transition(case=case, actor=people.caseworker, name="close", reason="Assistance ended.")
    services.disbursement_pay(disbursement=disbursement, actor=people.finance2, payment_reference="P-1")
    assert not services.case_has_open_disbursements(case=case)
    closed = case_transition(case=case, actor=people.caseworker, name="close", reason="Assistance ended.")
    assert closed.status == "closed"
