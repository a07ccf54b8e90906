"""How apps above `fund` take part in a payment request's work without `fund`
importing them (the same pattern as `referrals.hooks`).

- reconcile checks: `fn(disbursement) -> str | None`, a message when the
  payment may not be reconciled yet (e.g. no receipt attached). Checked with
  the other reconcile rules, so a refused reconcile is never offered either,
  and the bank statement import reports such payments as unmatched.
- evidence providers: `fn(user, disbursements) -> {disbursement id: dict}`,
  what pages show beside each payment request: `documents` (a list of
  `{"label", "url"}`) and flags such as `invoice_attached`. Called once per
  page with every request shown, so a page's queries do not grow with its rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

_reconcile_checks: list[Callable] = []
_evidence_providers: list[Callable] = []


def _register(registry: list, fn: Callable) -> Callable:
    if fn not in registry:  # ready() may run twice (tests, autoreload)
        registry.append(fn)
    return fn


def register_reconcile_check(fn: Callable) -> Callable:
    return _register(_reconcile_checks, fn)


def register_evidence_provider(fn: Callable) -> Callable:
    return _register(_evidence_providers, fn)


def reconcile_blocker(disbursement) -> str | None:
    """The first registered reason why `disbursement` may not be reconciled, or None."""
    for check in _reconcile_checks:
        message = check(disbursement)
        if message:
            return message
    return None


def disbursement_evidence(user, disbursements: Iterable) -> dict:
    """{disbursement id: merged evidence dicts of every provider}."""
    disbursements = list(disbursements)
    merged: dict = {d.pk: {} for d in disbursements}
    if not disbursements:
        return merged
    for provider in _evidence_providers:
        for pk, evidence in (provider(user, disbursements) or {}).items():
            merged.setdefault(pk, {}).update(evidence)
    return merged
