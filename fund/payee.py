"""The payee's account: an IBAN (ISO 13616), checked and normalised before it
is sealed, and found on other cases through its blind index, never by
decrypting."""

from __future__ import annotations

from django.utils.translation import gettext as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from vault.normalise import account as normalised_account


def clean_iban(value: str) -> str | None:
    """The IBAN in its compact form (upper case, no spaces, ASCII digits), or
    None when `value` is not a valid IBAN. Unicode digits and spaces are
    normalised first (vault.normalise.account), so `sa03 8000 ...` and
    Arabic-Indic digits are accepted."""
    compact = normalised_account(value or "")
    if not compact:
        return None
    try:
        return IBAN(compact).compact
    except (SchwiftyException, ValueError):
        return None


def iban_error() -> str:
    return _(
        "Enter a valid IBAN: country code, check digits and account number, for example GB82 WEST 1234 5698 7654 32."
    )


def payee_account_elsewhere(disbursement) -> list[str]:
    """References of the other cases whose payment requests pay the same IBAN
    (a warning for the approver: one account collecting for many cases)."""
    from fund.models import Disbursement

    index = disbursement.payee_account_index
    if not index:
        return []
    others = (
        Disbursement.objects.filter(payee_account_index=index)
        .exclude(case_id=disbursement.case_id)
        .values_list("case__reference", flat=True)
        .distinct()
        .order_by("case__reference")
    )
    return list(others)
