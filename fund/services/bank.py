"""Finance's work with the bank: payee details revealed, the payment batch
exported, the bank statement reconciled. Each is audited in its own
transaction; payee details shown in full are recorded per disbursement."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.roles import Role, user_roles
from audit.services import audit_record
from config.errors import PermissionDenied, ValidationFailed
from fund.bank_files import StatementLine, batch_csv, parse_statement
from fund.choices import DisbursementStatus as S
from fund.hooks import reconcile_blocker
from fund.models import Disbursement
from fund.selectors import payable_disbursements
from fund.services.locks import fund_get_current, lock_fund
from fund.services.transitions import disbursement_transition


def _require_finance(actor, action: str) -> None:
    if Role.FINANCE not in user_roles(actor):
        raise PermissionDenied(_("Only finance officers may %(action)s.") % {"action": action})


PAYEE_FIELDS = ["payee_account", "payee_name"]
BATCH_EXPORT_REASON = "payment batch export"
REASON_LIMIT = 2000


def _record_payee_revealed(*, actor, disbursement: Disbursement, reason: str, batch: bool = False) -> None:
    payload = {
        "case_id": str(disbursement.case_id),
        "case_reference": disbursement.case.reference,
        "fields": PAYEE_FIELDS,
    }
    if batch:
        payload["batch"] = True
    audit_record(
        action="disbursement.payee_revealed",
        actor=actor,
        object_type="disbursement",
        object_id=disbursement.pk,
        payload=payload,
        reason=reason,
        # What finance types may name someone: sealed under the case's key
        # (the fixed batch-export reason names nobody).
        reason_key=None if batch else disbursement.case.data_key,
    )


@transaction.atomic
def payees_reveal(*, actor, reason: str) -> list[Disbursement]:
    """Finance asks, with a reason, to see the payee details of the payments
    waiting to be paid. Returns those payments; each one is recorded as a
    `disbursement.payee_revealed` event, so the log lists exactly what was shown."""
    _require_finance(actor, _("see payee account details"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            _("A reason is required to see payee details."), errors={"reason": [_("This field is required.")]}
        )
    if len(reason) > REASON_LIMIT:
        raise ValidationFailed(
            _("Invalid input: %(f)s.") % {"f": "reason"},
            errors={"reason": [_("At most %(n)d characters.") % {"n": REASON_LIMIT}]},
        )
    disbursements = list(payable_disbursements())
    for disbursement in disbursements:
        _record_payee_revealed(actor=actor, disbursement=disbursement, reason=reason)
    return disbursements


@transaction.atomic
def payment_batch_export(*, actor, disbursement_ids: list | None = None) -> str:
    """The approved (and failed, to be paid again) payments as the bank's CSV;
    only those of `disbursement_ids` when finance chose rows.

    The file carries payee details in full: besides `fund.batch_exported`,
    each payment in it is recorded as a `disbursement.payee_revealed` event.
    """
    _require_finance(actor, _("export the payment batch"))
    payable = payable_disbursements()
    if disbursement_ids is not None:
        payable = payable.filter(pk__in=disbursement_ids)
    disbursements = list(payable)
    rows = [
        {
            "disbursement_id": d.pk,
            "case_reference": d.case.reference,
            "status": d.status,
            "category": d.category,
            "amount": d.amount,
            "currency": d.currency,
            "payee_type": d.payee_type,
            "payee_name": d.payee_name,
            "payee_account": d.payee_account,
            "approved_at": d.approved_at.isoformat() if d.approved_at else "",
        }
        for d in disbursements
    ]
    audit_record(
        action="fund.batch_exported",
        actor=actor,
        object_type="fund",
        object_id=fund_get_current().pk,
        payload={
            "disbursements": [str(d.pk) for d in disbursements],
            "count": len(disbursements),
            "total": sum((d.amount for d in disbursements), start=0),
        },
    )
    for disbursement in disbursements:
        _record_payee_revealed(actor=actor, disbursement=disbursement, reason=BATCH_EXPORT_REASON, batch=True)
    return batch_csv(rows)


@dataclass
class Reconciliation:
    statement_reference: str
    matched: list[dict] = field(default_factory=list)
    unmatched: list[dict] = field(default_factory=list)


def _match(line: StatementLine, seen: set[str]) -> tuple[Disbursement | None, str]:
    """The one paid disbursement this line settles, or why there is none."""
    if line.payment_reference in seen:
        return None, _("The reference appears more than once in this statement.")
    seen.add(line.payment_reference)
    candidates = list(
        Disbursement.objects.filter(payment_reference=line.payment_reference, status__in=[S.PAID, S.RECONCILED])
    )
    paid = [d for d in candidates if d.status == S.PAID]
    if not candidates:
        return None, _("No payment carries this reference.")
    if not paid:
        return None, _("The payment with this reference is already reconciled.")
    if len(paid) > 1:
        return None, _("Several payments carry this reference; reconcile them one by one.")
    if paid[0].amount != line.amount:
        return None, _("The amount differs from the payment's (%(a)s).") % {"a": paid[0].amount}
    blocker = reconcile_blocker(paid[0])
    if blocker:
        return None, blocker
    return paid[0], ""


@transaction.atomic
def statement_reconcile(*, actor, statement_reference: str, raw: bytes) -> Reconciliation:
    """Reconcile paid disbursements with a bank statement, by payment reference.

    Lines that do not match exactly one paid payment of the same amount are
    reported, never guessed at. A malformed file changes nothing.
    """
    _require_finance(actor, _("reconcile bank statements"))
    statement_reference = (statement_reference or "").strip()
    if not statement_reference or len(statement_reference) > 100:
        raise ValidationFailed(
            _("A bank statement reference (at most 100 characters) is required."),
            errors={"statement_reference": [_("This field is required.")]},
        )
    lines = parse_statement(raw)
    file_sha256 = hashlib.sha256(raw).hexdigest()
    report = Reconciliation(statement_reference=statement_reference)
    lock_fund()  # one import at a time; the transitions below take the same lock
    seen: set[str] = set()
    for line in lines:
        disbursement, problem = _match(line, seen)
        entry = {"line": line.line, "payment_reference": line.payment_reference, "amount": line.amount}
        if disbursement is None:
            report.unmatched.append({**entry, "problem": problem})
            continue
        disbursement_transition(
            disbursement=disbursement,
            actor=actor,
            name="reconcile",
            statement_reference=f"{statement_reference} line {line.line}"[:100],
            statement={"file_sha256": file_sha256, "line": line.line, "statement_reference": statement_reference},
        )
        report.matched.append({**entry, "disbursement": disbursement, "case_reference": disbursement.case.reference})
    audit_record(
        action="fund.statement_imported",
        actor=actor,
        object_type="fund",
        object_id=fund_get_current().pk,
        payload={
            "statement_reference": statement_reference,
            "file_sha256": file_sha256,
            "lines": len(lines),
            "matched": [str(m["disbursement"].pk) for m in report.matched],
            "unmatched_lines": [u["line"] for u in report.unmatched],
        },
    )
    return report
