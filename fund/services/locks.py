"""Row locks for moving money, always taken in one order.

    case  ->  fund  ->  disbursement

A transaction that needs several of these takes them in that order (skipping
the ones it does not need), so two transactions never wait for each other in
a cycle. The case withdrawal of referrals.services already holds the case
lock when it cancels the case's disbursements, so the order starts there.
Every disbursement transition takes the fund lock before the disbursement
lock, whether or not it moves money: the final approval only learns that it
moves money once it holds the disbursement.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from config.errors import NotFound
from fund.models import Disbursement, Fund


def fund_get_current() -> Fund:
    """The fund in the configured currency, created on first use."""
    currency = settings.VAF_FUND_CURRENCY
    fund = Fund.objects.filter(currency=currency).first()
    if fund is None:
        with transaction.atomic():  # a savepoint: a concurrent creation is then read back
            fund, _created = Fund.objects.get_or_create(currency=currency, defaults={"name": "Victims Assistance Fund"})
    return fund


def lock_fund(fund_id=None) -> Fund:
    """The fund row, locked until the end of the transaction."""
    if fund_id is None:
        fund_id = fund_get_current().pk
    return Fund.objects.select_for_update().get(pk=fund_id)


def lock_disbursement(disbursement_id) -> Disbursement:
    """The disbursement row, locked until the end of the transaction.

    Take the fund lock first (see the module docstring).
    """
    try:
        disbursement = Disbursement.objects.select_for_update().get(pk=disbursement_id)
    except Disbursement.DoesNotExist:
        raise NotFound(_("Not found.")) from None
    return disbursement
