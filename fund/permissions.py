"""Who may do what to a disbursement (DESIGN.md §4).

`transition_refusal` is the single source of the rules: services call it
while holding the disbursement lock, and `available_transitions` offers what
it would allow. Refusals come in the order used by the case workflow:
role (403) -> state (409) -> segregation of duties (403) -> conditions (409).
Visibility (404) is the selectors' job and comes before all of these; money
conditions (insufficient funds, the case limit) and missing input (400) are
checked by the services after these.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.roles import Role, user_roles
from config.errors import DomainError, PermissionDenied, SegregationOfDutiesViolation, TransitionNotAllowed
from fund.choices import DisbursementStatus as S
from fund.hooks import reconcile_blocker
from fund.models import Approval, Disbursement
from referrals.choices import CaseStatus
from referrals.permissions import is_case_caseworker

TRANSITIONS = ["submit", "approve", "reject", "return_for_changes", "cancel", "pay", "mark_failed", "reconcile"]
SOURCES = {
    "submit": [S.DRAFT],
    "approve": [S.SUBMITTED],
    "reject": [S.SUBMITTED],
    "return_for_changes": [S.SUBMITTED],
    "cancel": [S.DRAFT, S.SUBMITTED, S.APPROVED, S.FAILED],
    "pay": [S.APPROVED, S.FAILED],
    "mark_failed": [S.APPROVED],
    "reconcile": [S.PAID],
}
ROLE = {
    "approve": Role.APPROVER,
    "reject": Role.APPROVER,
    "return_for_changes": Role.APPROVER,
    "pay": Role.FINANCE,
    "mark_failed": Role.FINANCE,
    "reconcile": Role.FINANCE,
}
REASON_REQUIRED = frozenset({"reject", "return_for_changes", "cancel", "mark_failed"})
READER_ROLES = frozenset({Role.CASEWORKER, Role.APPROVER, Role.FINANCE, Role.AUDITOR})
FUND_READER_ROLES = frozenset({Role.APPROVER, Role.FINANCE, Role.AUDITOR})


def maker_ids(disbursement: Disbursement) -> set:
    """Everyone who shaped the request: its creator, every editor of the
    draft and every submitter (fund.models.DisbursementMaker; uses a
    prefetched `makers` if any)."""
    ids = {m.user_id for m in disbursement.makers.all()}
    ids.update(pk for pk in (disbursement.requested_by_id, disbursement.submitted_by_id) if pk)
    return ids


def is_maker(user, disbursement: Disbursement) -> bool:
    return user.pk is not None and user.pk in maker_ids(disbursement)


# Kept under its old name: "the requester" is every maker.
is_requester = is_maker


def current_approvals(disbursement: Disbursement) -> list[Approval]:
    """The approvals of the current round (uses a prefetched `approvals` if any)."""
    return [a for a in disbursement.approvals.all() if a.round == disbursement.approval_round]


def has_approved(user, disbursement: Disbursement) -> bool:
    """An approval in the current round (one per approver and round)."""
    return any(a.approver_id == user.pk for a in current_approvals(disbursement))


def is_approver_of(user, disbursement: Disbursement) -> bool:
    """Approved it in any round: approvals cleared by a return still count
    against paying or reconciling it."""
    return any(a.approver_id == user.pk for a in disbursement.approvals.all())


def can_request_for_case(user, case) -> bool:
    return is_case_caseworker(user, case) and case.status == CaseStatus.ACTIVE


def update_refusal(user, disbursement: Disbursement) -> DomainError | None:
    """Why `user` may not change `disbursement`'s fields now, or None: only a
    caseworker of the case's organisation (403), only a draft of an active
    case (409). The update service checks it under the lock; pages offer
    "Edit" by it."""
    if not is_case_caseworker(user, disbursement.case):
        return PermissionDenied(_("Only caseworkers of the case's organisation may change a payment request."))
    if disbursement.status != S.DRAFT or disbursement.case.status != CaseStatus.ACTIVE:
        return TransitionNotAllowed(_("Only a draft payment request can be changed."))
    return None


def _role_refusal(user, disbursement: Disbursement, name: str) -> DomainError | None:
    roles = user_roles(user)
    if name == "submit":
        allowed = is_case_caseworker(user, disbursement.case)
    elif name == "cancel":
        allowed = Role.APPROVER in roles or is_requester(user, disbursement)
    else:
        allowed = ROLE[name] in roles
    if allowed:
        return None
    if name == "cancel":
        return PermissionDenied(_("Only the requester or a fund approver may cancel a payment request."))
    return PermissionDenied(_("Your role may not %(action)s a payment request.") % {"action": _label(name)})


def _segregation_refusal(user, disbursement: Disbursement, name: str, *, by_statement: bool) -> DomainError | None:
    if by_statement:
        # The bank statement import matches by reference and exact amount:
        # the bank, not the person, vouches for the payment.
        return None
    if name in ("approve", "reject", "pay", "reconcile") and is_maker(user, disbursement):
        return SegregationOfDutiesViolation(
            _("You created, edited or submitted this payment request: you may not %(action)s it.")
            % {"action": _label(name)}
        )
    if name == "approve" and has_approved(user, disbursement):
        return SegregationOfDutiesViolation(_("You have already approved this payment request."))
    if name in ("pay", "reconcile") and is_approver_of(user, disbursement):
        return SegregationOfDutiesViolation(
            _("An approver of this payment request may not %(action)s it.") % {"action": _label(name)}
        )
    if name == "reconcile" and user.pk is not None and user.pk == disbursement.paid_by_id:
        return SegregationOfDutiesViolation(
            _("The payer may not reconcile their own payment; another finance officer or the statement import does.")
        )
    return None


def transition_refusal(
    user, disbursement: Disbursement, name: str, *, by_statement: bool = False
) -> DomainError | None:
    """Why `user` may not apply transition `name` to `disbursement` now, or
    None. `by_statement`: a reconcile matched by the bank statement import."""
    if name not in SOURCES:
        return TransitionNotAllowed(_("There is no payment request transition named %(name)s.") % {"name": name})
    refusal = _role_refusal(user, disbursement, name)
    if refusal is not None:
        return refusal
    if disbursement.status not in SOURCES[name]:
        return TransitionNotAllowed(
            _("A payment request that is %(status)s cannot %(action)s.")
            % {"status": disbursement.get_status_display().lower(), "action": _label(name)}
        )
    refusal = _segregation_refusal(user, disbursement, name, by_statement=by_statement)
    if refusal is not None:
        return refusal
    if name == "submit" and disbursement.case.status != CaseStatus.ACTIVE:
        return TransitionNotAllowed(_("Payments can only be requested for an active case."))
    if name == "reconcile":
        blocker = reconcile_blocker(disbursement)  # registered by the apps above, e.g. a receipt is required
        if blocker:
            return TransitionNotAllowed(blocker)
    return None


def approver_deciding(user, disbursement: Disbursement) -> bool:
    """An approver who may approve or reject it now: they see the payee's name
    and full IBAN (DESIGN.md §4), recorded with their approval."""
    return disbursement.status == S.SUBMITTED and any(
        transition_refusal(user, disbursement, name) is None for name in ("approve", "reject")
    )


def available_transitions(user, disbursement: Disbursement) -> list[str]:
    """What `user` may do now. Money conditions (available balance, case limit)
    are left to the attempt itself."""
    return [name for name in TRANSITIONS if transition_refusal(user, disbursement, name) is None]


def _label(name: str) -> str:
    return {
        "submit": _("submit"),
        "approve": _("approve"),
        "reject": _("reject"),
        "return_for_changes": _("return for changes"),
        "cancel": _("cancel"),
        "pay": _("pay"),
        "mark_failed": _("mark as failed"),
        "reconcile": _("reconcile"),
    }.get(name, name)
