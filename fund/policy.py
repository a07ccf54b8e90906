"""The fund's rules that are configurable without a code change.

Read from django.conf.settings at call time (environment variables
VAF_FUND_CURRENCY, VAF_DUAL_APPROVAL_THRESHOLD, VAF_CASE_LIMIT), never at import.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext as _

from config.errors import ValidationFailed

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")  # what a 12-digit, 2-place column holds


@dataclass(frozen=True)
class FundPolicy:
    currency: str
    dual_approval_threshold: Decimal
    case_limit: Decimal

    def approvals_required(self, amount: Decimal) -> int:
        """1 below the dual-approval threshold, 2 at or above it."""
        return 2 if amount >= self.dual_approval_threshold else 1


def current_policy() -> FundPolicy:
    return FundPolicy(
        currency=settings.VAF_FUND_CURRENCY,
        dual_approval_threshold=Decimal(settings.VAF_DUAL_APPROVAL_THRESHOLD).quantize(CENT),
        case_limit=Decimal(settings.VAF_CASE_LIMIT).quantize(CENT),
    )


def parse_amount(value, *, field: str = "amount") -> Decimal:
    """A positive amount with at most two decimal places, as a Decimal.

    Floats are refused: money is never binary floating point.
    """

    def refuse(message: str):
        return ValidationFailed(_("Invalid amount: %(problem)s") % {"problem": message}, errors={field: [message]})

    if isinstance(value, (bool, float)) or value is None:
        raise refuse(_("Enter the amount as a decimal number such as 250.00."))
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise refuse(_("Enter the amount as a decimal number such as 250.00.")) from None
    if not amount.is_finite():
        raise refuse(_("Enter the amount as a decimal number such as 250.00."))
    if amount <= 0:
        raise refuse(_("The amount must be greater than zero."))
    if amount.as_tuple().exponent < -2:  # "1.005" and "1.500" alike
        raise refuse(_("The amount may have at most two decimal places."))
    if amount > MAX_AMOUNT:
        raise refuse(_("The amount is too large."))
    return amount.quantize(CENT)
