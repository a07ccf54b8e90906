"""Builders for the report tests: cases and ledger entries written directly,
with the dates each test needs. All names and numbers are fake."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import make_user

_references = itertools.count(1)


def at(year: int, month: int, day: int = 15, hour: int = 12) -> dt.datetime:
    """A moment in the middle of a local day, far from month boundaries."""
    return timezone.make_aware(dt.datetime(year, month, day, hour))


def make_case(*, status: str = "referred", types=("forced_labour",), created=None, approved=None):
    from accounts.services import organisation_get_or_create
    from referrals.models import Case
    from vault.services import data_key_create

    case = Case.objects.create(
        reference=f"VAF-2026-{next(_references):06d}",
        organisation=organisation_get_or_create(name="Report Org"),
        referring_agency="Test Agency",
        exploitation_types=list(types),
        data_key=data_key_create(),
        status=status,
        approved_at=approved,
    )
    if created is not None:  # created_at is set on insert; backdate it
        Case.objects.filter(pk=case.pk).update(created_at=created)
    return case


class Ledger:
    """Writes a fund's ledger entries and disbursements as the fund app would."""

    def __init__(self, fund, user):
        self.fund, self.user = fund, user

    def deposit(self, amount: str, when):
        from fund.models import LedgerEntry

        return LedgerEntry.objects.create(
            fund=self.fund, kind="deposit", amount=Decimal(amount), source="Donor", reference="D", created_at=when
        )

    def disbursement(self, case, category: str, amount: str, *, status: str = "approved", approved=None, paid=None):
        from fund.models import Disbursement

        return Disbursement.objects.create(
            fund=self.fund,
            case=case,
            category=category,
            amount=Decimal(amount),
            currency=self.fund.currency,
            payee_type="vendor",
            justification="Test",
            requested_by=self.user,
            status=status,
            approved_at=approved,
            paid_at=paid,
        )

    def entry(self, disbursement, kind: str, when):
        from fund.models import LedgerEntry

        return LedgerEntry.objects.create(
            fund=self.fund, kind=kind, amount=disbursement.amount, disbursement=disbursement, created_at=when
        )


@pytest.fixture
def fund(db, settings):
    from fund.models import Fund

    return Fund.objects.get_or_create(currency=settings.VAF_FUND_CURRENCY, defaults={"name": "Test Fund"})[0]


@pytest.fixture
def ledger(fund):
    return Ledger(fund, make_user("caseworker", username="report-requester"))
