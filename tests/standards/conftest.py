"""Fixtures for the standards tests: people per role and cases with known
coded attributes, built through the referral services. All values are fake."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from rest_framework.test import APIClient

from referrals import services
from referrals.services import ReferralInput
from tests.factories import make_user

_numbers = itertools.count(1)


class People:
    def __init__(self) -> None:
        self.caseworker = make_user("caseworker", organisation="Standards Org")
        self.approver = make_user("approver", organisation="Committee")
        self.auditor = make_user("auditor", organisation="Committee")
        self.finance = make_user("finance", organisation="Committee")
        self.intake = make_user("intake_partner", organisation="Partner Agency")

    def case(self, *, types=("forced_labour",), sex="female", nationality="PH", dob=None, coded=None, **victim):
        n = next(_numbers)
        data = {
            "full_name": f"Fake Person {n:04d}",
            "date_of_birth": dob or dt.date(1990, 1, 1) + dt.timedelta(days=n),
            "sex": sex,
            "nationality": nationality,
            "document_type": "passport",
            "document_number": f"Z{n:07d}",
            "phone": f"+9665{n:08d}",
            "address": f"Fake Street {n}",
            **victim,
        }
        return services.referral_create(
            actor=self.caseworker,
            referral=ReferralInput(
                referring_agency="Fake Labour Office",
                exploitation_types=list(types),
                summary=f"Fake narrative {n}",
                consent_given=True,
                consent_date=dt.date(2026, 1, 2),
                victim=data,
                coded=dict(coded or {}),
            ),
        )


@pytest.fixture
def people(db) -> People:
    return People()


@pytest.fixture
def api():
    def as_user(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user=user)
        return client

    return as_user
