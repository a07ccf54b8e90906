"""Writes to the fund: deposits, payment requests and their transitions,
bank files. Every public function is one transaction (or runs inside its
caller's) that checks who may act, changes state, writes the ledger and
records its audit event. Lock order: case -> fund -> disbursement
(fund.services.locks)."""

from __future__ import annotations

from fund.services.cases import case_disbursements_cancel_open, case_has_open_disbursements
from fund.services.ledger import Balances, fund_balances, fund_deposit
from fund.services.locks import fund_get_current, lock_disbursement, lock_fund
from fund.services.requests import DisbursementInput, disbursement_create, disbursement_update
from fund.services.transitions import disbursement_transition


def disbursement_submit(*, disbursement, actor):
    return disbursement_transition(disbursement=disbursement, actor=actor, name="submit")


def disbursement_approve(*, disbursement, actor, comment: str = ""):
    return disbursement_transition(disbursement=disbursement, actor=actor, name="approve", reason=comment)


def disbursement_reject(*, disbursement, actor, reason: str):
    return disbursement_transition(disbursement=disbursement, actor=actor, name="reject", reason=reason)


def disbursement_return_for_changes(*, disbursement, actor, reason: str):
    return disbursement_transition(disbursement=disbursement, actor=actor, name="return_for_changes", reason=reason)


def disbursement_cancel(*, disbursement, actor, reason: str):
    return disbursement_transition(disbursement=disbursement, actor=actor, name="cancel", reason=reason)


def disbursement_pay(*, disbursement, actor, payment_reference: str):
    return disbursement_transition(
        disbursement=disbursement, actor=actor, name="pay", payment_reference=payment_reference
    )


def disbursement_mark_failed(*, disbursement, actor, reason: str):
    return disbursement_transition(disbursement=disbursement, actor=actor, name="mark_failed", reason=reason)


def disbursement_reconcile(*, disbursement, actor, statement_reference: str):
    return disbursement_transition(
        disbursement=disbursement, actor=actor, name="reconcile", statement_reference=statement_reference
    )


__all__ = [
    "Balances",
    "DisbursementInput",
    "case_disbursements_cancel_open",
    "case_has_open_disbursements",
    "disbursement_approve",
    "disbursement_cancel",
    "disbursement_create",
    "disbursement_mark_failed",
    "disbursement_pay",
    "disbursement_reconcile",
    "disbursement_reject",
    "disbursement_return_for_changes",
    "disbursement_submit",
    "disbursement_transition",
    "disbursement_update",
    "fund_balances",
    "fund_deposit",
    "fund_get_current",
    "lock_disbursement",
    "lock_fund",
]
