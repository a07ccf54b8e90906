"""Reads of the fund and of disbursements, with access checks.

Who sees a disbursement: caseworkers of the case's organisation, and every
approver, finance officer and auditor. A disbursement the caller may not see
is reported exactly like a missing one.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.roles import Role, user_roles
from audit.selectors import latest_event, recent_events
from config.errors import NotFound, PermissionDenied
from fund.choices import COUNTED_STATES
from fund.choices import DisbursementStatus as S
from fund.forms import DisbursementForm, TransitionForm
from fund.hooks import disbursement_evidence
from fund.models import Approval, Disbursement, DisbursementMaker, LedgerEntry
from fund.payee import payee_account_elsewhere
from fund.permissions import (
    FUND_READER_ROLES,
    approver_deciding,
    available_transitions,
    can_request_for_case,
    current_approvals,
    has_approved,
    update_refusal,
)
from fund.policy import current_policy
from fund.services.ledger import Balances, fund_balances
from fund.services.locks import fund_get_current
from vault.errors import DataKeyDestroyed
from vault.masking import mask_value


def _visibility(user) -> Q | None:
    roles = user_roles(user)
    if roles & FUND_READER_ROLES:
        return Q()
    if Role.CASEWORKER in roles and user.organisation_id:
        return Q(case__organisation_id=user.organisation_id)
    return None


def _with_related(disbursements: QuerySet[Disbursement]) -> QuerySet[Disbursement]:
    return disbursements.select_related("case", "case__data_key", "requested_by").prefetch_related(
        Prefetch("approvals", queryset=Approval.objects.order_by("created_at")),
        Prefetch("makers", queryset=DisbursementMaker.objects.order_by("created_at")),
    )


def disbursement_list_for_user(*, user, status: str | None = None, case_id=None) -> QuerySet[Disbursement]:
    condition = _visibility(user)
    if condition is None:
        raise PermissionDenied(_("Your role may not see payment requests."))
    disbursements = _with_related(Disbursement.objects.filter(condition)).order_by("-created_at", "pk")
    if status:
        disbursements = disbursements.filter(status=status)
    if case_id:
        disbursements = disbursements.filter(case_id=case_id)
    return disbursements


def disbursement_get_for_user(*, user, disbursement_id) -> Disbursement:
    condition = _visibility(user)
    try:
        if condition is None:
            raise Disbursement.DoesNotExist
        return _with_related(Disbursement.objects.filter(condition)).get(pk=disbursement_id)
    except (Disbursement.DoesNotExist, ValueError, TypeError, DjangoValidationError):
        raise NotFound(_("Not found.")) from None


def fund_summary_for_user(*, user) -> Balances:
    if not user_roles(user) & FUND_READER_ROLES:
        raise PermissionDenied(_("Your role may not see the fund."))
    return fund_balances(fund_get_current())


def ledger_recent_for_user(*, user, limit: int = 20) -> list[LedgerEntry]:
    if not user_roles(user) & FUND_READER_ROLES:
        raise PermissionDenied(_("Your role may not see the fund's ledger."))
    return list(
        LedgerEntry.objects.filter(fund=fund_get_current())
        .select_related("disbursement", "disbursement__case")
        .order_by("-created_at", "-pk")[:limit]
    )


def masked_account(value: str | None) -> str | None:
    """'DEMO-0000-0001' -> '***0001': enough to tell accounts apart, not to use one."""
    if not value:
        return None
    return "***" + value[-4:] if len(value) >= 8 else "***"


ERASED = _lazy("[erased]")


def sealed_text(instance, name: str) -> str | None:
    """Free text sealed under the case's data key (a justification, an
    approval comment), or "[erased]" once the case was erased."""
    try:
        return getattr(instance, name)
    except DataKeyDestroyed:
        return str(ERASED)


def masked_payee(disbursement: Disbursement) -> dict:
    return payee_details(disbursement, revealed=False)


def payee_details(disbursement: Disbursement, *, revealed: bool) -> dict:
    """The payee's name and account, masked unless `revealed`; "[erased]"
    once the case's personal data was erased (its data key destroyed)."""
    try:
        name, account = disbursement.payee_name, disbursement.payee_account
    except DataKeyDestroyed:
        return {"payee_name": str(ERASED), "payee_account": str(ERASED)}
    if revealed:
        return {"payee_name": name, "payee_account": account}
    return {"payee_name": mask_value(name), "payee_account": masked_account(account)}


def approval_queue_for_user(*, user) -> list[Disbursement]:
    if Role.APPROVER not in user_roles(user):
        raise PermissionDenied(_("Only fund approvers sign off payment requests."))
    return list(_with_related(Disbursement.objects.filter(status=S.SUBMITTED)).order_by("submitted_at", "pk"))


def case_counted_totals(case_ids) -> dict:
    """Each case's approved and paid total (what counts against the case limit)."""
    rows = (
        Disbursement.objects.filter(case_id__in=set(case_ids), status__in=COUNTED_STATES)
        .values("case_id")
        .annotate(total=Sum("amount"))
    )
    return {row["case_id"]: row["total"] for row in rows}


def approval_queue_rows_for_user(*, user) -> list[dict]:
    """The approver's queue: per request the case, payee (masked), amount,
    the case's approved and paid total against the limit, who approved, and
    the decisions this approver may take. To the approver deciding a request,
    the payee's name and full IBAN (see `approval_row_for`)."""
    disbursements = approval_queue_for_user(user=user)
    totals = case_counted_totals(d.case_id for d in disbursements)
    limit = current_policy().case_limit
    rows = []
    evidence = disbursement_evidence(user, disbursements)
    for disbursement in disbursements:
        row = approval_row_for(user, disbursement)
        row["evidence"] = evidence.get(disbursement.pk, {})
        counted = totals.get(disbursement.case_id) or 0
        row.update(
            {
                "case_counted": counted,
                "case_limit": limit,
                "over_limit": counted + disbursement.amount > limit,
                "approved_by_me": has_approved(user, disbursement),
                "decisions": [name for name in row["transitions"] if name in DECISIONS],
            }
        )
        rows.append(row)
    return rows


# What an approver decides on a submitted request, in the order offered.
DECISIONS = ("approve", "return_for_changes", "reject", "cancel")


def payable_disbursements() -> QuerySet[Disbursement]:
    """Approved payments, and failed ones to be paid again, oldest approval
    first: the finance queue, the payee reveal and the bank batch list these.
    No access check: callers check for the finance role."""
    return _with_related(Disbursement.objects.filter(status__in=[S.APPROVED, S.FAILED])).order_by("approved_at", "pk")


def payment_queue_for_user(*, user, to_pay: list[Disbursement] | None = None) -> dict[str, list[Disbursement]]:
    """Finance's queue; `to_pay` when the payments to pay were already read
    (by the payee reveal, which records each one it shows)."""
    if Role.FINANCE not in user_roles(user):
        raise PermissionDenied(_("Only finance officers execute payments."))
    to_reconcile = _with_related(Disbursement.objects.filter(status=S.PAID))
    return {
        "to_pay": list(payable_disbursements()) if to_pay is None else to_pay,
        "to_reconcile": list(to_reconcile.order_by("paid_at", "pk")),
    }


def returned_for_changes(disbursement: Disbursement) -> dict | None:
    """Who returned a draft for changes, when and why (the reason is read from
    the audit event, where it is stored encrypted under the case's key)."""
    if disbursement.status != S.DRAFT or disbursement.approval_round <= 1:
        return None
    event = latest_event(
        object_type="disbursement", object_id=disbursement.pk, action="disbursement.return_for_changes"
    )
    if event is None:
        return None
    try:
        reason = event.reason_text
    except DataKeyDestroyed:
        reason = str(ERASED)
    return {"by": event.actor_username, "at": event.occurred_at, "reason": reason}


def row_for(user, disbursement: Disbursement, *, payee_revealed: bool = False) -> dict:
    """What a page shows of one disbursement, with what `user` may do to it.

    Payee details are masked unless `payee_revealed`: only for a response to
    a recorded reveal (fund.services.bank.payees_reveal).
    """
    approvals = current_approvals(disbursement)
    payee = payee_details(disbursement, revealed=payee_revealed)
    return {
        "disbursement": disbursement,
        "approvals": approvals,
        "approvals_required": disbursement.approvals_required,
        "transitions": available_transitions(user, disbursement),
        "editable": update_refusal(user, disbursement) is None,
        "payee_revealed": payee_revealed,
        "returned": returned_for_changes(disbursement),
        **payee,
    }


def approval_row_for(user, disbursement: Disbursement) -> dict:
    """A row of the approver's queue: to the approver deciding it, the payee's
    name and full IBAN (recorded with their approval) and the other cases the
    same IBAN is paid on."""
    deciding = approver_deciding(user, disbursement)
    row = row_for(user, disbursement, payee_revealed=deciding)
    row["payee_elsewhere"] = payee_account_elsewhere(disbursement) if deciding else []
    return row


def rows_for(user, disbursements, *, payee_revealed: bool = False) -> list[dict]:
    """`row_for` each disbursement, with the evidence (documents) that the
    apps above register through `fund.hooks`, read once for all rows."""
    disbursements = list(disbursements)
    evidence = disbursement_evidence(user, disbursements)
    rows = []
    for disbursement in disbursements:
        row = row_for(user, disbursement, payee_revealed=payee_revealed)
        row["evidence"] = evidence.get(disbursement.pk, {})
        rows.append(row)
    return rows


def case_disbursement_context(user, case) -> dict:
    """Context for `templates/fund/case_disbursements.html` on the case page.

    Empty for roles that do not see payment requests.
    """
    if _visibility(user) is None or not (
        user_roles(user) & FUND_READER_ROLES or user.organisation_id == case.organisation_id
    ):
        return {"fund_section_visible": False}
    disbursements = disbursement_list_for_user(user=user, case_id=case.pk)
    can_request = can_request_for_case(user, case)
    return {
        "fund_section_visible": True,
        "fund_case": case,
        "fund_rows": rows_for(user, disbursements),
        "fund_can_request": can_request,
        "fund_request_form": DisbursementForm() if can_request else None,
        "fund_transition_form": TransitionForm(),
        "fund_policy": current_policy(),
    }


def disbursement_ids_for_case(case_id: str) -> list[str]:
    """Ids of the case's payment requests, whose audit events belong to the
    case's history (registered with audit.subjects)."""
    return [str(pk) for pk in Disbursement.objects.filter(case_id=case_id).values_list("id", flat=True)]


def batch_exports_recent(*, limit: int = 20) -> dict:
    """The newest bank batch downloads, and for each payment the newest batch
    it was in, so finance sees what was already sent to the bank."""
    events = recent_events(action="fund.batch_exported", limit=limit)
    exported_at: dict[str, object] = {}
    for event in reversed(events):
        for disbursement_id in (event.payload or {}).get("disbursements", []):
            exported_at[disbursement_id] = event.occurred_at
    latest = events[0] if events else None
    return {
        "latest": {
            "at": latest.occurred_at,
            "by": latest.actor_username,
            "count": (latest.payload or {}).get("count", 0),
            "total": (latest.payload or {}).get("total"),
        }
        if latest
        else None,
        "exported_at": exported_at,
    }
