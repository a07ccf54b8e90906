"""Edits that would undo the grounds of a decision, and error messages that
must not repeat what was typed."""

import pytest

from config.errors import ValidationFailed
from referrals import services
from referrals.choices import CaseStatus


def test_consent_cannot_be_unset_on_an_active_case(people):
    case = people.case(CaseStatus.ACTIVE)
    with pytest.raises(ValidationFailed) as refused:
        services.case_update(case=case, actor=people.caseworker, changes={"consent_given": False})
    assert "consent.given" in refused.value.errors
    case.refresh_from_db()
    assert case.consent_given is True


def test_exploitation_types_cannot_be_emptied_on_an_active_case(people):
    case = people.case(CaseStatus.ACTIVE)
    with pytest.raises(ValidationFailed):
        services.case_update(case=case, actor=people.caseworker, changes={"exploitation_types": []})
    case.refresh_from_db()
    assert case.exploitation_types == ["forced_labour"]


def test_consent_may_still_change_during_assessment(people):
    case = people.case(CaseStatus.IN_ASSESSMENT)
    services.case_update(case=case, actor=people.caseworker, changes={"consent_given": False, "consent_date": None})
    case.refresh_from_db()
    assert case.consent_given is False


def test_unknown_exploitation_type_is_named_not_echoed(people, api):
    from tests.referrals.conftest import referral_body

    body = referral_body()
    body["exploitation_types"] = ["Fakename Personvalue P7654321"]
    response = api.as_user(people.caseworker).post("/api/v1/referrals/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert "exploitation_types" in response.json()["errors"]
    assert "P7654321" not in response.content.decode()
