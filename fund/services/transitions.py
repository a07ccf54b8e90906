"""The disbursement transitions of DESIGN.md §4, one transaction each.

Each one: lock (case ->) fund -> disbursement, check the rules
(fund.permissions), change the state, write the ledger entries and record one
audit event `disbursement.<transition>`, all in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition

from audit.services import audit_record
from config.errors import ConcurrentUpdate, InsufficientFunds, TransitionNotAllowed, ValidationFailed
from fund.choices import COMMITTED_STATES
from fund.choices import LedgerEntryKind as Kind
from fund.models import Approval, Disbursement, Fund, MakerRole
from fund.payee import payee_account_elsewhere
from fund.permissions import REASON_REQUIRED, current_approvals, transition_refusal
from fund.policy import current_policy
from fund.services.ledger import fund_balances, ledger_entry_add
from fund.services.limits import check_case_limit
from fund.services.locks import lock_disbursement, lock_fund
from fund.services.requests import PAYEE_FIELDS, maker_record
from referrals.services import lock_case

INPUT_LIMITS = {"reason": 2000, "payment_reference": 100, "statement_reference": 100}


@dataclass
class TransitionInput:
    reason: str = ""
    payment_reference: str = ""
    statement_reference: str = ""


def _required(field: str, value: str, message: str) -> None:
    if not value:
        raise ValidationFailed(message, errors={field: [_("This field is required.")]})


def _check_input(name: str, given: TransitionInput) -> None:
    for field, limit in INPUT_LIMITS.items():
        if len(getattr(given, field)) > limit:
            raise ValidationFailed(
                _("Invalid input: %(f)s.") % {"f": field},
                errors={field: [_("At most %(n)d characters.") % {"n": limit}]},
            )
    if name in REASON_REQUIRED:
        _required("reason", given.reason, _("A reason is required for this step."))
    if name == "pay":
        _required("payment_reference", given.payment_reference, _("A payment reference is required to pay."))
    if name == "reconcile":
        _required(
            "statement_reference",
            given.statement_reference,
            _("A bank statement reference is required to reconcile."),
        )


def _check_money(fund: Fund, disbursement: Disbursement) -> None:
    """Conditions of the final approval, checked under the fund lock."""
    check_case_limit(
        case_id=disbursement.case_id, amount=disbursement.amount, currency=fund.currency, excluding=disbursement.pk
    )
    available = fund_balances(fund).available
    if available < disbursement.amount:
        raise InsufficientFunds(
            _("The fund has %(a)s %(c)s available; this payment needs %(n)s %(c)s.")
            % {"a": available, "c": fund.currency, "n": disbursement.amount}
        )


def _approve(fund, disbursement, actor, given, payload) -> None:
    approvals = current_approvals(disbursement)
    required = disbursement.approvals_required
    fully_approved = len(approvals) + 1 >= required
    if fully_approved:
        _check_money(fund, disbursement)
    Approval.objects.create(
        disbursement=disbursement,
        approver=actor,
        approver_username=actor.get_username(),
        round=disbursement.approval_round,
        comment=given.reason or None,
    )
    disbursement.approve(fully_approved=fully_approved)
    payload.update(approvals=len(approvals) + 1, approvals_required=required)
    # The approver decides seeing the payee's name and full IBAN (the
    # approval screen); that showing is recorded here, not as a reveal.
    elsewhere = payee_account_elsewhere(disbursement)
    payload.update(payee_shown=list(PAYEE_FIELDS), payee_account_on_other_cases=elsewhere)
    if fully_approved:
        disbursement.approved_at = timezone.now()
        payload["ledger"] = Kind.COMMIT


def _submit(fund, disbursement, actor, given, payload) -> None:
    check_case_limit(
        case_id=disbursement.case_id, amount=disbursement.amount, currency=fund.currency, excluding=disbursement.pk
    )
    disbursement.submit()
    maker_record(disbursement=disbursement, actor=actor, role=MakerRole.SUBMITTER)
    disbursement.submitted_by = actor
    disbursement.submitted_at = timezone.now()
    disbursement.approvals_required_at_submission = current_policy().approvals_required(disbursement.amount)
    payload["approvals_required"] = disbursement.approvals_required_at_submission


def _return_for_changes(fund, disbursement, actor, given, payload) -> None:
    payload["approvals_cleared"] = len(current_approvals(disbursement))
    disbursement.return_for_changes()
    disbursement.approval_round += 1
    disbursement.approvals_required_at_submission = None


def _cancel(fund, disbursement, actor, given, payload) -> None:
    committed = disbursement.status in COMMITTED_STATES
    disbursement.cancel()
    if committed:
        payload["ledger"] = Kind.RELEASE


def _pay(fund, disbursement, actor, given, payload) -> None:
    disbursement.pay()
    disbursement.paid_by = actor
    disbursement.paid_at = timezone.now()
    disbursement.payment_reference = given.payment_reference
    payload.update(ledger=Kind.PAYMENT, payment_reference=given.payment_reference)


def _reconcile(fund, disbursement, actor, given, payload) -> None:
    disbursement.reconcile()
    disbursement.reconciled_at = timezone.now()
    disbursement.statement_reference = given.statement_reference
    payload.update(payment_reference=disbursement.payment_reference, statement_reference=given.statement_reference)


_EFFECTS = {
    "submit": _submit,
    "approve": _approve,
    "reject": lambda fund, d, actor, given, payload: d.reject(),
    "return_for_changes": _return_for_changes,
    "cancel": _cancel,
    "pay": _pay,
    "mark_failed": lambda fund, d, actor, given, payload: d.mark_failed(),
    "reconcile": _reconcile,
}


def _apply(
    *,
    fund: Fund,
    disbursement: Disbursement,
    actor,
    name: str,
    given: TransitionInput,
    via: str = "",
    statement: dict | None = None,
) -> None:
    """Change state, save, write the ledger and the audit event. Locks are held."""
    data_key = disbursement.case.data_key
    if data_key.destroyed_at is not None and (given.reason or name not in ("reconcile", "cancel")):
        # An erased case's free text cannot be sealed: nothing more is written
        # about it but the bookkeeping of money already paid.
        raise TransitionNotAllowed(_("This case's personal data was erased: its payment requests cannot change."))
    payload: dict = {
        "case": str(disbursement.case_id),
        "case_reference": disbursement.case.reference,
        "from": disbursement.status,
        "amount": disbursement.amount,
        "currency": disbursement.currency,
    }
    try:
        _EFFECTS[name](fund, disbursement, actor, given, payload)
        disbursement.save()
        if "ledger" in payload:
            extra = {"reference": given.payment_reference} if name == "pay" else {}
            entry = ledger_entry_add(fund=fund, kind=payload["ledger"], actor=actor, disbursement=disbursement, **extra)
            payload["ledger_entry"] = str(entry.pk)
    except (ConcurrentTransition, IntegrityError):
        # Only reachable if the row locks were bypassed: the state check on save
        # and the database's uniqueness rules still allow a single effect.
        raise ConcurrentUpdate(_("The payment request was changed by someone else; reload and try again.")) from None
    payload["to"] = disbursement.status
    if via:
        payload["via"] = via
    if statement:
        payload["via"] = "statement_import"
        payload["statement"] = statement
    audit_record(
        action=f"disbursement.{name}",
        actor=actor,
        object_type="disbursement",
        object_id=disbursement.pk,
        payload=payload,
        reason=given.reason,
        reason_key=data_key,
    )


@transaction.atomic
def disbursement_transition(
    *,
    disbursement: Disbursement,
    actor,
    name: str,
    reason: str = "",
    payment_reference: str = "",
    statement_reference: str = "",
    statement: dict | None = None,
) -> Disbursement:
    """Apply transition `name`; the approval comment travels as `reason`.

    `statement`: a reconcile matched by the bank statement import (its file's
    SHA-256 and line), which may settle anyone's payment."""
    given = TransitionInput(
        reason=(reason or "").strip(),
        payment_reference=(payment_reference or "").strip(),
        statement_reference=(statement_reference or "").strip(),
    )
    if name == "submit":
        lock_case(disbursement.case_id)  # the case must stay active while this commits
    fund = lock_fund(disbursement.fund_id)
    disbursement = lock_disbursement(disbursement.pk)
    refusal = transition_refusal(actor, disbursement, name, by_statement=statement is not None and name == "reconcile")
    if refusal is not None:
        raise refusal
    _check_input(name, given)
    _apply(fund=fund, disbursement=disbursement, actor=actor, name=name, given=given, statement=statement)
    return disbursement


def disbursement_cancel_for_case_withdrawal(*, fund: Fund, disbursement: Disbursement, actor, reason: str) -> None:
    """Cancel without the requester-or-approver rule: the case itself was
    withdrawn. The caller holds the case, fund and disbursement locks."""
    _apply(
        fund=fund,
        disbursement=disbursement,
        actor=actor,
        name="cancel",
        given=TransitionInput(reason=reason),
        via="case.withdraw",
    )
