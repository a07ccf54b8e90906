"""What the case workflow (referrals.services) needs from the fund."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from fund.choices import OPEN_STATES
from fund.models import Disbursement
from fund.services.locks import lock_disbursement, lock_fund
from fund.services.transitions import disbursement_cancel_for_case_withdrawal


def case_has_open_disbursements(*, case) -> bool:
    """True while the case has a disbursement draft, submitted, approved or failed."""
    return Disbursement.objects.filter(case_id=case.pk, status__in=OPEN_STATES).exists()


def case_disbursements_cancel_open(*, case, actor, reason: str) -> int:
    """Cancel the case's open disbursements, releasing committed money. Runs in
    the caller's transaction, which holds the case lock. Returns how many were
    cancelled."""
    fund_ids = sorted(
        set(Disbursement.objects.filter(case_id=case.pk, status__in=OPEN_STATES).values_list("fund_id", flat=True)),
        key=str,
    )
    if not fund_ids:
        return 0
    reason = (reason or "").strip() or _("The case was withdrawn.")
    cancelled = 0
    with transaction.atomic():
        funds = {fund_id: lock_fund(fund_id) for fund_id in fund_ids}
        # Read again under the fund locks: a payment may have committed meanwhile.
        open_ids = Disbursement.objects.filter(case_id=case.pk, status__in=OPEN_STATES).order_by("pk")
        for disbursement_id in list(open_ids.values_list("pk", flat=True)):
            disbursement = lock_disbursement(disbursement_id)
            if disbursement.status not in OPEN_STATES:
                continue
            disbursement_cancel_for_case_withdrawal(
                fund=funds[disbursement.fund_id], disbursement=disbursement, actor=actor, reason=reason
            )
            cancelled += 1
    return cancelled
