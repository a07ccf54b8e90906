"""The coded HTCDS assessment fields through the case API: set, shown,
refused with the field named."""

from __future__ import annotations

import pytest

from referrals.services import case_transition


@pytest.fixture
def assessed_case(people):
    case = people.case()
    return case_transition(case=case, actor=people.caseworker, name="start_assessment")


def patch(api, people, case, body):
    return api(people.caseworker).patch(f"/api/v1/cases/{case.pk}/", body, format="json")


def test_coded_fields_are_set_through_the_assessment(people, api, assessed_case):
    body = {
        "assessment": {
            "trafficking_status": "ActualVictimOfTrafficking",
            "status_decided_by": "CourtOrProsecution",
            "methods_of_control": ["FalsePromises", "DebtBondage"],
            "recruitment_methods": ["AtWork"],
            "relationship_to_trafficker": "Familial",
            "age_when_trafficked": 16,
            "support_types": ["Education"],
        },
        "victim": {"citizenship": ["np", "IN"]},
    }
    response = patch(api, people, assessed_case, body)
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["assessment"].keys() == {"needs", "risk_level", "notes"}
    assert data["coded_assessment"]["methods_of_control"] == ["DebtBondage", "FalsePromises"]
    assert data["coded_assessment"]["age_when_trafficked"] == 16
    assert data["victim"]["citizenship"] == ["IN", "NP"]


@pytest.mark.parametrize(
    ("assessment", "field"),
    [
        ({"trafficking_status": "Victim"}, "trafficking_status"),
        ({"methods_of_control": ["Threats"]}, "methods_of_control"),
        ({"recruitment_methods": "AtWork"}, "recruitment_methods"),
        ({"relationship_to_trafficker": "Unacquainted"}, "relationship_to_trafficker"),
        ({"age_when_trafficked": 130}, "age_when_trafficked"),
        ({"support_types": ["Shelter"]}, "support_types"),
        ({"status_decided_by": "Judge"}, "status_decided_by"),
    ],
)
def test_unknown_values_are_refused_naming_the_field(people, api, assessed_case, assessment, field):
    response = patch(api, people, assessed_case, {"assessment": assessment})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert any(key.endswith(field) for key in body["errors"]), body


def test_a_bad_citizenship_is_refused(people, api, assessed_case):
    response = patch(api, people, assessed_case, {"victim": {"citizenship": ["ZZ"]}})
    assert response.status_code == 400
    assert "victim.citizenship" in response.json()["errors"]
