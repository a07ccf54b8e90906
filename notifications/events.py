"""Who is told what, decided from the audit events of the use cases.

Registered as an audit listener (notifications.apps), so each notice is
written in the transaction of the change it reports. The recipients:

- approvers: a case submitted for a decision, a payment request submitted;
- finance: a payment fully approved, a payment failed;
- the requester: their payment request returned (with the approver's reason,
  in the app only), rejected, paid or failed;
- the assigned caseworker: their case decided (accepted, rejected, returned).

Nobody is told about their own action.
"""

from __future__ import annotations

import uuid

from accounts.models import User
from accounts.roles import Role
from notifications.kinds import Kind
from notifications.services import notify
from referrals.models import Case


def _object_pk(event) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(event.object_id))
    except ValueError:
        return None


def holders_of(role: str):
    return User.objects.filter(is_active=True, groups__name=role).distinct()


def _case_decided(event, case, reason):
    if case.assigned_to_id:
        notify(
            recipients=[case.assigned_to],
            kind=Kind.CASE_DECIDED,
            event=event,
            case=case,
            outcome=event.action.split(".", 1)[1],
            note=reason if event.action == "case.return_to_assessment" else "",
        )


def _case_event(event, reason):
    name = event.action.split(".", 1)[1]
    if name not in {"submit_for_approval", "approve", "reject", "return_to_assessment"}:
        return
    pk = _object_pk(event)
    case = Case.objects.select_related("assigned_to").filter(pk=pk).first() if pk else None
    if case is None:
        return
    if name == "submit_for_approval":
        notify(recipients=holders_of(Role.APPROVER), kind=Kind.CASE_SUBMITTED, event=event, case=case)
    else:
        _case_decided(event, case, reason)


_TO_REQUESTER = {
    "return_for_changes": Kind.PAYMENT_RETURNED,
    "reject": Kind.PAYMENT_REJECTED,
    "pay": Kind.PAYMENT_PAID,
    "mark_failed": Kind.PAYMENT_FAILED,
}


def _disbursement_event(event, reason):
    from fund.models import Disbursement

    name = event.action.split(".", 1)[1]
    payload = event.payload or {}
    if name == "approve" and payload.get("to") != "approved":
        return  # a first of two approvals: nothing waits for finance yet
    if name not in _TO_REQUESTER and name not in {"submit", "approve"}:
        return
    pk = _object_pk(event)
    disbursement = Disbursement.objects.select_related("case", "requested_by").filter(pk=pk).first() if pk else None
    if disbursement is None:
        return
    case = disbursement.case
    if name == "submit":
        notify(recipients=holders_of(Role.APPROVER), kind=Kind.PAYMENT_SUBMITTED, event=event, case=case)
    if name in {"approve", "mark_failed"}:
        kind = Kind.PAYMENT_APPROVED if name == "approve" else Kind.PAYMENT_FAILED
        notify(recipients=holders_of(Role.FINANCE), kind=kind, event=event, case=case)
    if name in _TO_REQUESTER:
        notify(
            recipients=[disbursement.requested_by],
            kind=_TO_REQUESTER[name],
            event=event,
            case=case,
            note=reason if name == "return_for_changes" else "",
        )


def notify_for_event(event, *, reason: str = "") -> None:
    if event.object_type == "case" and event.action.startswith("case."):
        _case_event(event, reason)
    elif event.object_type == "disbursement" and event.action.startswith("disbursement."):
        _disbursement_event(event, reason)
