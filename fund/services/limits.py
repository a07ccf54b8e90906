"""The case limit (DESIGN.md §4): no case may have more than the configured
total approved or paid. Checked early, when a request is created, edited and
submitted, so an over-limit request never reaches an approver, and again at
the last approval, under the fund lock, where it is authoritative."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from config.errors import CaseLimitExceeded
from fund.choices import COUNTED_STATES
from fund.models import Disbursement
from fund.policy import CENT, current_policy


def check_case_limit(*, case_id, amount: Decimal, currency: str, excluding=None) -> None:
    """Raise `case_limit_exceeded` (with the figures) if the case's approved
    and paid total plus `amount` would pass the limit."""
    limit = current_policy().case_limit
    counted = Disbursement.objects.filter(case_id=case_id, status__in=COUNTED_STATES)
    if excluding is not None:
        counted = counted.exclude(pk=excluding)
    total = (counted.aggregate(total=Sum("amount"))["total"] or Decimal("0")).quantize(CENT)
    if total + amount > limit:
        raise CaseLimitExceeded(
            _(
                "The case has %(counted)s %(c)s approved or paid; this request of %(amount)s %(c)s would take it "
                "to %(total)s %(c)s, over the case limit of %(limit)s %(c)s."
            )
            % {"counted": total, "amount": amount, "total": total + amount, "limit": limit, "c": currency}
        )
