"""Demo data for the fund: deposits and a payment request in every state.

Runs after referrals.demo.seed (called by `manage.py seed_demo`); skipped when
the fund already has deposits. Payees and accounts are obviously fake.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from demo.documents import attach
from demo.users import DEMO_ORGANISATION
from documents.choices import DocumentKind
from fund import services
from fund.choices import LedgerEntryKind
from fund.models import LedgerEntry
from referrals.choices import CaseStatus
from referrals.models import Case

# (category, amount, payee type, payee, account, justification, steps after creation).
# The accounts are valid-looking IBANs of a bank code ("DEMO") that does not exist.
REQUESTS = [
    ("shelter", "1200.00", "vendor", "Demo Shelter House", "GB19DEMO00000000000001", "One month of shelter.", []),
    ("medical", "800.00", "vendor", "Demo Clinic", "GB89DEMO00000000000002", "Medical examination.", ["submit"]),
    (
        "repatriation",
        "6500.00",
        "vendor",
        "Demo Travel Agency",
        "GB62DEMO00000000000003",
        "Flight home.",
        ["submit", "a1"],
    ),
    (
        "legal",
        "2000.00",
        "vendor",
        "Demo Legal Aid Office",
        "GB35DEMO00000000000004",
        "Legal representation.",
        ["approved"],
    ),
    ("living_allowance", "1500.00", "victim", "Demo Person", "GB08DEMO00000000000005", "Living allowance.", ["paid"]),
    ("psychosocial", "900.00", "vendor", "Demo Counselling", "GB78DEMO00000000000006", "Counselling.", ["reconciled"]),
    ("other", "300.00", "vendor", "Demo Supplies", "GB51DEMO00000000000007", "Clothing.", ["submit", "reject"]),
    (
        "education_training",
        "700.00",
        "vendor",
        "Demo Training",
        "GB24DEMO00000000000008",
        "Course fees.",
        ["cancelled"],
    ),
    ("shelter", "2500.00", "vendor", "Demo Shelter House", "GB94DEMO00000000000009", "Second month.", ["failed"]),
]
EXPANDED = {
    "approved": ["submit", "a1"],
    "paid": ["submit", "a2", "pay"],
    "reconciled": ["submit", "a1", "pay", "reconcile"],
    "cancelled": ["submit", "a1", "cancel"],
    "failed": ["submit", "a2", "mark_failed"],
}


def _active_case(users: dict) -> Case:
    case = (
        Case.objects.filter(status=CaseStatus.ACTIVE, organisation__name=DEMO_ORGANISATION)
        .order_by("created_at")
        .first()
    )
    return case or _create_active_case(users)


def _create_active_case(users: dict) -> Case:
    from referrals.services import ReferralInput, case_transition, case_update, referral_create

    caseworker = users["caseworker"]
    case = referral_create(
        actor=caseworker,
        referral=ReferralInput(
            referring_agency="Demo Labour Office",
            exploitation_types=["forced_labour"],
            summary="Demo referral for the fund (fictitious).",
            consent_given=True,
            consent_date=timezone.localdate(),
            victim={"full_name": "Demo Person", "sex": "female", "nationality": "PH"},
        ),
    )
    case = case_transition(case=case, actor=caseworker, name="start_assessment")
    case = case_update(case=case, actor=caseworker, changes={"needs": ["shelter", "medical"], "risk_level": "medium"})
    case = case_transition(case=case, actor=caseworker, name="submit_for_approval")
    return case_transition(case=case, actor=users["approver"], name="approve")


def _run(step: str, disbursement, users: dict, number: int):
    approver, approver2, finance = users["approver"], users["approver2"], users["finance"]
    actions = {
        "submit": lambda d: services.disbursement_submit(disbursement=d, actor=users["caseworker"]),
        "a1": lambda d: services.disbursement_approve(disbursement=d, actor=approver, comment="Demo approval."),
        "a2": lambda d: services.disbursement_approve(disbursement=d, actor=approver2, comment="Demo approval."),
        "reject": lambda d: services.disbursement_reject(disbursement=d, actor=approver, reason="Demo: not eligible."),
        "cancel": lambda d: services.disbursement_cancel(disbursement=d, actor=approver, reason="Demo: not needed."),
        "pay": lambda d: services.disbursement_pay(
            disbursement=d, actor=finance, payment_reference=f"DEMO-PAY-{number:04d}"
        ),
        "mark_failed": lambda d: services.disbursement_mark_failed(
            disbursement=d, actor=finance, reason="Demo: the bank returned the transfer."
        ),
        # Not the payer: a second finance officer reconciles (DESIGN.md §4).
        "reconcile": lambda d: services.disbursement_reconcile(
            disbursement=d, actor=users["finance2"], statement_reference="DEMO-STMT-0001"
        ),
    }
    if step == "submit":
        attach(disbursement=disbursement, caseworker=users["caseworker"], kind=DocumentKind.INVOICE)
    if step == "reconcile":
        attach(disbursement=disbursement, caseworker=users["caseworker"], kind=DocumentKind.RECEIPT)
    return actions[step](disbursement)


def seed(*, users: dict, stdout) -> None:
    if LedgerEntry.objects.filter(kind=LedgerEntryKind.DEPOSIT).exists():
        stdout.write("Fund demo data already present: skipped.")
        return
    finance = users["finance"]
    services.fund_deposit(
        actor=finance, amount=Decimal("200000.00"), source="Government budget 2026 (demo)", reference="DEMO-DEP-0001"
    )
    services.fund_deposit(
        actor=finance, amount=Decimal("50000.00"), source="Demo Donor Foundation", reference="DEMO-DEP-0002"
    )
    case = _active_case(users)
    for number, (category, amount, payee_type, payee, account, why, steps) in enumerate(REQUESTS, start=1):
        disbursement = services.disbursement_create(
            actor=users["caseworker"],
            case=case,
            request=services.DisbursementInput(
                category=category,
                amount=Decimal(amount),
                payee_type=payee_type,
                payee_name=payee,
                payee_account=account,
                justification=why,
            ),
        )
        for step in [s for group in steps for s in EXPANDED.get(group, [group])]:
            disbursement = _run(step, disbursement, users, number)
    balances = services.fund_balances(services.fund_get_current())
    stdout.write(
        f"Fund demo: {len(REQUESTS)} payment requests on case {case.reference}; "
        f"available {balances.available} {balances.currency}."
    )
