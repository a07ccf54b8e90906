"""Demo cases in every state, made through the services (so each has its
audit trail). Called by `manage.py seed_demo`; names and numbers are fake."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from referrals.choices import CaseStatus
from referrals.models import Case
from referrals.services import ReferralInput, case_transition, case_update, referral_create

ASSESSMENT = {
    "needs": ["shelter", "medical", "legal"],
    "risk_level": "high",
    "assessment_notes": "Demo notes only.",
    # Coded fields in HTCDS value names, so the standards' exports show them.
    "trafficking_status": "PossibleVictimOfTrafficking",
    "methods_of_control": ["DebtBondage", "WithholdsDocuments"],
    "recruitment_methods": ["ThroughFriendsOrSocialEvents"],
    "relationship_to_trafficker": "Acquainted",
    "support_types": ["SocialCare"],
}

# (state, person number, exploitation type); two people share a document
# number so duplicate detection has something to show.
PLAN = [
    (CaseStatus.REFERRED, 1, "forced_labour"),
    (CaseStatus.IN_ASSESSMENT, 2, "domestic_servitude"),
    (CaseStatus.PENDING_APPROVAL, 3, "sexual_exploitation"),
    (CaseStatus.ACTIVE, 4, "forced_labour"),
    (CaseStatus.ACTIVE, 5, "forced_begging"),
    (CaseStatus.REJECTED, 6, "other"),
    (CaseStatus.CLOSED, 7, "forced_labour"),
    (CaseStatus.WITHDRAWN, 8, "forced_marriage"),
    (CaseStatus.REFERRED, 4, "forced_labour"),
]
NUMBER_WORDS = ["Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine"]


def _referral(n: int, exploitation_type: str) -> ReferralInput:
    return ReferralInput(
        referring_agency="Demo Labour Office",
        exploitation_types=[exploitation_type],
        summary=f"Demo referral number {n}; not a real person.",
        consent_given=True,
        consent_date=timezone.localdate() - dt.timedelta(days=40 - n),
        victim={
            "full_name": f"Demo Person {NUMBER_WORDS[n]}",
            "date_of_birth": dt.date(1990, n, 1),
            "sex": "female" if n % 2 else "male",
            "nationality": ["PH", "ID", "NP", "ET", "KE", "BD", "LK", "IN"][n % 8],
            "document_type": "passport",
            "document_number": f"X{n:07d}",
            "phone": f"+96650000{n:04d}",
            "address": f"Demo Street {n}, Demo City",
        },
    )


def _advance(case: Case, state: str, users: dict) -> Case:
    worker, approver = users["caseworker"], users["approver"]
    if state == CaseStatus.REFERRED:
        return case
    if state == CaseStatus.WITHDRAWN:
        return case_transition(case=case, actor=worker, name="withdraw", reason="Demo: consent withdrawn.")
    case = case_transition(case=case, actor=worker, name="start_assessment")
    if state == CaseStatus.IN_ASSESSMENT:
        return case
    case = case_update(case=case, actor=worker, changes=dict(ASSESSMENT))
    case = case_transition(case=case, actor=worker, name="submit_for_approval")
    if state == CaseStatus.PENDING_APPROVAL:
        return case
    if state == CaseStatus.REJECTED:
        return case_transition(case=case, actor=approver, name="reject", reason="Demo: outside the fund's mandate.")
    case = case_transition(case=case, actor=approver, name="approve")
    if state == CaseStatus.CLOSED:
        case = case_transition(case=case, actor=worker, name="close", reason="Demo: assistance completed.")
    return case


def seed(*, users: dict, stdout) -> None:
    worker = users["caseworker"]
    if Case.objects.filter(organisation_id=worker.organisation_id).exists():
        stdout.write("Demo cases exist already: skipped.")
        return
    made = []
    for state, n, exploitation_type in PLAN:
        case = referral_create(actor=worker, referral=_referral(n, exploitation_type))
        made.append(_advance(case, state, users))
    partner_case = referral_create(actor=users["intake"], referral=_referral(9, "forced_criminality"))
    stdout.write(
        f"Demo cases: {len(made)} for {worker.organisation}, and {partner_case.reference} from the intake partner."
    )
    for case in made:
        stdout.write(f"  {case.reference}  {case.status}")
