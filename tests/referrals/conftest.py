"""Fixtures for the referrals tests: one user per role, and cases built
through the services in any state. All names and numbers are fake."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.test import Client
from rest_framework.test import APIClient

from referrals import services
from referrals.choices import CaseStatus
from referrals.services import ReferralInput
from tests.factories import make_user

ORG = "Org Alpha"
OTHER_ORG = "Org Beta"
_numbers = itertools.count(1)


def victim_data(**overrides) -> dict:
    n = next(_numbers)
    data = {
        "full_name": f"Demo Person {n:04d}",
        "date_of_birth": dt.date(1990, 1, 1) + dt.timedelta(days=n),
        "sex": "female",
        "nationality": "PH",
        "document_type": "passport",
        "document_number": f"X{n:07d}",
        "phone": f"+9665{n:08d}",
        "address": f"Test Street {n}",
    }
    data.update(overrides)
    return data


def referral_input(**victim) -> ReferralInput:
    return ReferralInput(
        referring_agency="Test Labour Office",
        exploitation_types=["forced_labour"],
        summary="Fake summary for a test.",
        consent_given=True,
        consent_date=dt.date(2026, 1, 2),
        victim=victim_data(**victim),
    )


def referral_body(**victim) -> dict:
    """A referral as the API takes it (DESIGN.md §8)."""
    data = victim_data(**victim)
    data["date_of_birth"] = data["date_of_birth"].isoformat()
    return {
        "referring_agency": "Test Labour Office",
        "exploitation_types": ["forced_labour"],
        "summary": "Fake summary for a test.",
        "consent": {"given": True, "date": "2026-01-02"},
        "victim": data,
    }


ASSESSED = {"needs": ["shelter", "medical"], "risk_level": "high", "assessment_notes": "Fake notes."}


class People:
    def __init__(self) -> None:
        self.caseworker = make_user("caseworker", organisation=ORG)
        self.caseworker2 = make_user("caseworker", organisation=ORG)
        self.other_caseworker = make_user("caseworker", organisation=OTHER_ORG)
        self.approver = make_user("approver", organisation=OTHER_ORG)
        self.approver2 = make_user("approver", organisation=OTHER_ORG)
        self.finance = make_user("finance", organisation=OTHER_ORG)
        self.auditor = make_user("auditor", organisation=OTHER_ORG)
        self.admin = make_user("admin", organisation=ORG)
        self.intake = make_user("intake_partner", organisation="Partner Agency")

    def case(self, state: str = CaseStatus.REFERRED, *, assessed: bool = False, **victim):
        """A case of ORG in `state`, worked by `caseworker`, decided by `approver`
        (`assessed`: an in-assessment case whose assessment is complete)."""
        cw, ap = self.caseworker, self.approver
        case = services.referral_create(actor=cw, referral=referral_input(**victim))
        if state == CaseStatus.REFERRED:
            return case
        if state == CaseStatus.WITHDRAWN:
            return services.case_transition(case=case, actor=cw, name="withdraw", reason="Fake: consent withdrawn")
        case = services.case_transition(case=case, actor=cw, name="start_assessment")
        if state == CaseStatus.IN_ASSESSMENT and not assessed:
            return case
        case = services.case_update(case=case, actor=cw, changes=dict(ASSESSED))
        if state == CaseStatus.IN_ASSESSMENT:
            return case
        case = services.case_transition(case=case, actor=cw, name="submit_for_approval")
        if state == CaseStatus.PENDING_APPROVAL:
            return case
        if state == CaseStatus.REJECTED:
            return services.case_transition(case=case, actor=ap, name="reject", reason="Fake: not eligible")
        case = services.case_transition(case=case, actor=ap, name="approve")
        if state == CaseStatus.ACTIVE:
            return case
        assert state == CaseStatus.CLOSED
        return services.case_transition(case=case, actor=cw, name="close", reason="Fake: assistance ended")


@pytest.fixture
def people(db) -> People:
    return People()


class ApiClients:
    """`api.as_user(user)`: a fresh API client authenticated as `user`."""

    def as_user(self, user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user=user)
        return client


@pytest.fixture
def api() -> ApiClients:
    return ApiClients()


@pytest.fixture
def browser():
    """A web client: `browser(user)` signs the user in."""

    def sign_in(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return sign_in
