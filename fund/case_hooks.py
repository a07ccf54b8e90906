"""The fund's part in the case workflow, registered with `referrals.hooks` in
`FundConfig.ready()` (referrals never imports the fund)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from fund.permissions import can_request_for_case
from fund.selectors import case_disbursement_context
from fund.services import case_disbursements_cancel_open, case_has_open_disbursements


def cancel_open_disbursements(*, case, actor, reason: str) -> dict:
    """Withdrawal: cancel the case's open payment requests, releasing committed
    money, inside the withdrawal's transaction (case lock held, then fund,
    then disbursement locks)."""
    return {"disbursements_cancelled": case_disbursements_cancel_open(case=case, actor=actor, reason=reason)}


def open_disbursements_block_closing(case) -> str | None:
    if case_has_open_disbursements(case=case):
        return _("The case has payment requests still draft, submitted, approved or failed: settle them first.")
    return None


def request_payment_step(request, case) -> dict | None:
    """On an active case, the caseworker's next step is a payment request."""
    if not can_request_for_case(request.user, case):
        return None
    return {"label": _("Request a payment"), "url": "#request-payment"}


def payments_section(request, case) -> dict | None:
    context = case_disbursement_context(request.user, case)
    if not context.get("fund_section_visible"):
        return None
    return {"template": "fund/case_disbursements.html", **context}
