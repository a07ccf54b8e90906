"""Who may do what to a case (DESIGN.md §3).

`transition_refusal` is the single source of the rules: services call it
before changing anything, and `available_transitions` offers exactly the
transitions it would allow, so pages and the API never offer what would be
refused.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import Role, user_roles
from config.errors import DomainError, PermissionDenied, SegregationOfDutiesViolation, TransitionNotAllowed
from referrals.choices import CaseStatus
from referrals.hooks import close_blocker
from referrals.models import OPEN_STATES, Case

TRANSITIONS = [
    "start_assessment",
    "submit_for_approval",
    "approve",
    "reject",
    "return_to_assessment",
    "close",
    "withdraw",
    "reopen",
]
TRANSITION_LABELS = {
    "start_assessment": gettext_lazy("Start assessment"),
    "submit_for_approval": gettext_lazy("Submit for approval"),
    "approve": gettext_lazy("Approve"),
    "reject": gettext_lazy("Reject"),
    "return_to_assessment": gettext_lazy("Return to assessment"),
    "close": gettext_lazy("Close the case"),
    "withdraw": gettext_lazy("Withdraw"),
    "reopen": gettext_lazy("Reopen"),
}
REASON_REQUIRED = frozenset({"reject", "return_to_assessment", "close", "withdraw", "reopen"})

_SOURCES = {
    "start_assessment": [CaseStatus.REFERRED],
    "submit_for_approval": [CaseStatus.IN_ASSESSMENT],
    "approve": [CaseStatus.PENDING_APPROVAL],
    "reject": [CaseStatus.PENDING_APPROVAL],
    "return_to_assessment": [CaseStatus.PENDING_APPROVAL],
    "close": [CaseStatus.ACTIVE],
    "withdraw": OPEN_STATES,
    "reopen": [CaseStatus.CLOSED, CaseStatus.REJECTED],
}
_ROLE = {
    "start_assessment": Role.CASEWORKER,
    "submit_for_approval": Role.CASEWORKER,
    "approve": Role.APPROVER,
    "reject": Role.APPROVER,
    "return_to_assessment": Role.APPROVER,
    "close": Role.CASEWORKER,
    "withdraw": Role.CASEWORKER,
    "reopen": Role.APPROVER,
}
_ASSIGNED_ONLY = {"submit_for_approval", "close"}
_SAME_ORGANISATION = {"start_assessment", "submit_for_approval", "close", "withdraw"}


def is_case_caseworker(user, case: Case) -> bool:
    """A caseworker of the organisation that owns the case."""
    return (
        Role.CASEWORKER in user_roles(user)
        and user.organisation_id is not None
        and user.organisation_id == case.organisation_id
    )


def submission_checklist(case: Case) -> list[tuple[str, str]]:
    """What is still missing before the case can be submitted for approval:
    (the field to fill in, what is missing)."""
    problems = []
    if not case.consent_given:
        problems.append(("consent_given", _("the victim's consent is not recorded")))
    if not case.exploitation_types:
        problems.append(("exploitation_types", _("no exploitation type is recorded")))
    if not case.needs:
        problems.append(("needs", _("the assessment lists no needs")))
    if not case.risk_level:
        problems.append(("risk_level", _("the assessment has no risk level")))
    return problems


def submission_problems(case: Case) -> list[str]:
    return [message for _field, message in submission_checklist(case)]


def transition_refusal(user, case: Case, name: str) -> DomainError | None:
    """Why `user` may not apply transition `name` to `case` now, or None."""
    if name not in _ROLE:
        return TransitionNotAllowed(_("There is no case transition named %(name)s.") % {"name": name})
    if _ROLE[name] not in user_roles(user):
        action = TRANSITION_LABELS[name]
        return PermissionDenied(_("Your role may not do this to a case: %(action)s.") % {"action": action})
    if name in _SAME_ORGANISATION and not is_case_caseworker(user, case):
        return PermissionDenied(_("Only caseworkers of the case's organisation may do this."))
    if case.status not in _SOURCES[name]:
        return TransitionNotAllowed(
            _("A case that is %(status)s does not allow this: %(action)s.")
            % {"status": case.get_status_display().lower(), "action": TRANSITION_LABELS[name]}
        )
    if name in _ASSIGNED_ONLY and case.assigned_to_id != user.pk:
        return PermissionDenied(_("Only the caseworker assigned to the case may do this."))
    if name == "approve" and case.assigned_to_id == user.pk:
        return SegregationOfDutiesViolation(_("The caseworker assigned to a case may not approve it."))
    if name == "submit_for_approval":
        problems = submission_problems(case)
        if problems:
            return TransitionNotAllowed(_("The case cannot be submitted: %(p)s.") % {"p": "; ".join(problems)})
    if name == "close":
        blocker = close_blocker(case)  # registered by the apps above, e.g. open payment requests
        if blocker:
            return TransitionNotAllowed(blocker)
    return None


def available_transitions(user, case: Case) -> list[str]:
    return [name for name in TRANSITIONS if transition_refusal(user, case, name) is None]
