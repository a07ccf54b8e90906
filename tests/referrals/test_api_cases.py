"""GET/PATCH /api/v1/cases/ and reveal (DESIGN.md §8): visibility, masking,
pagination, editing, revealing with its audit event."""

from __future__ import annotations

import uuid

import pytest
from django.db import transaction

from audit.models import AuditEvent
from referrals import services
from referrals.choices import CaseStatus
from referrals.models import VictimProfile
from tests.factories import make_user
from tests.referrals.conftest import referral_input
from vault.services import data_key_destroy

S = CaseStatus
DETAIL_KEYS = {
    "id",
    "reference",
    "status",
    "organisation",
    "referring_agency",
    "assigned_to",
    "exploitation_types",
    "consent",
    "assessment",
    "victim",
    "pii_visible",
    "possible_duplicates",
    "available_transitions",
    "created_at",
    "updated_at",
}


def detail_url(case) -> str:
    return f"/api/v1/cases/{case.pk}/"


def test_caseworker_of_the_organisation_sees_the_case_in_full(people, api):
    case = people.case(S.IN_ASSESSMENT, full_name="Amina Karimova", document_number="P7654321")
    body = api.as_user(people.caseworker).get(detail_url(case)).json()
    assert set(body) >= DETAIL_KEYS
    assert body["pii_visible"] is True
    assert body["victim"]["full_name"] == "Amina Karimova"
    assert body["victim"]["document_number"] == "P7654321"
    assert body["consent"] == {"given": True, "date": "2026-01-02"}
    assert body["assessment"] == {"needs": [], "risk_level": "", "notes": None}
    assert body["assigned_to"] == people.caseworker.username
    assert body["available_transitions"] == ["withdraw"]


@pytest.mark.parametrize("viewer", ["approver", "auditor", "finance"])
def test_reviewers_see_submitted_cases_masked(people, api, viewer):
    case = people.case(S.PENDING_APPROVAL, full_name="Amina Karimova", document_number="P7654321")
    response = api.as_user(getattr(people, viewer)).get(detail_url(case))
    assert response.status_code == 200
    body = response.json()
    assert body["pii_visible"] is False
    assert body["victim"]["full_name"] == "A*** K***"
    assert body["victim"]["date_of_birth"] == "****-**-**"
    assert "7654321" not in str(body)
    assert body["assessment"]["notes"] == "***"
    assert body["victim"]["nationality"] == "PH"  # plain fields stay plain


@pytest.mark.parametrize(
    ("viewer", "state"),
    [
        ("approver", S.REFERRED),
        ("auditor", S.IN_ASSESSMENT),
        ("other_caseworker", S.ACTIVE),
        ("admin", S.ACTIVE),
        ("intake", S.ACTIVE),
    ],
)
def test_invisible_case_answers_404_like_a_missing_one(people, api, viewer, state):
    case = people.case(state)
    client = api.as_user(getattr(people, viewer))
    hidden = client.get(detail_url(case))
    missing = client.get(f"/api/v1/cases/{uuid.uuid4()}/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json() == {"code": "not_found", "detail": "Not found."}


def test_malformed_case_id_answers_404(people, api):
    response = api.as_user(people.caseworker).get("/api/v1/cases/not-a-uuid/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_intake_partner_sees_its_own_referral_as_reference_and_status(people, api):
    case = services.referral_create(actor=people.intake, referral=referral_input())
    client = api.as_user(people.intake)
    body = client.get(detail_url(case)).json()
    assert set(body) == {"id", "reference", "status", "created_at"}
    rows = client.get("/api/v1/cases/").json()["results"]
    assert [set(row) for row in rows] == [{"id", "reference", "status", "created_at"}]
    other_partner = make_user("intake_partner", organisation="Another Partner")
    assert api.as_user(other_partner).get(detail_url(case)).status_code == 404


def test_list_shows_what_each_role_may_see(people, api):
    # given cases of two organisations in several states
    mine = [people.case(S.REFERRED), people.case(S.PENDING_APPROVAL), people.case(S.ACTIVE)]
    services.referral_create(actor=people.other_caseworker, referral=referral_input())
    # then caseworkers see their organisation's, reviewers the submitted ones
    refs = {
        who: {row["reference"] for row in api.as_user(getattr(people, who)).get("/api/v1/cases/").json()["results"]}
        for who in ("caseworker", "approver", "auditor")
    }
    assert refs["caseworker"] == {case.reference for case in mine}
    assert refs["approver"] == refs["auditor"] == {mine[1].reference, mine[2].reference}


def test_list_rows_are_always_masked(people, api):
    people.case(S.REFERRED, full_name="Amina Karimova")
    [row] = api.as_user(people.caseworker).get("/api/v1/cases/").json()["results"]
    assert row["victim"]["full_name"] == "A*** K***"
    assert row["pii_visible"] is False


def test_list_is_paginated_and_filters_by_status(people, api):
    for _ in range(27):
        services.referral_create(actor=people.caseworker, referral=referral_input())
    people.case(S.IN_ASSESSMENT)
    client = api.as_user(people.caseworker)
    page = client.get("/api/v1/cases/").json()
    assert set(page) == {"count", "next", "previous", "results"}
    assert page["count"] == 28
    assert len(page["results"]) == 25
    assert page["previous"] is None
    assert "page=2" in page["next"]
    second = client.get(page["next"]).json()
    assert len(second["results"]) == 3
    filtered = client.get("/api/v1/cases/?status=in_assessment").json()
    assert filtered["count"] == 1
    assert filtered["results"][0]["status"] == "in_assessment"


def test_unknown_status_filter_answers_400(people, api):
    response = api.as_user(people.caseworker).get("/api/v1/cases/?status=lost")
    assert response.status_code == 400
    assert "status" in response.json()["errors"]


def test_admins_and_roleless_users_have_no_case_list(people, api):
    for user in (people.admin, make_user(organisation="Nowhere")):
        response = api.as_user(user).get("/api/v1/cases/")
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"


def test_case_list_query_count_does_not_grow_with_rows(people, api, django_assert_max_num_queries):
    client = api.as_user(people.caseworker)
    for _ in range(3):
        services.referral_create(actor=people.caseworker, referral=referral_input())
    with django_assert_max_num_queries(4) as few:
        assert len(client.get("/api/v1/cases/").json()["results"]) == 3
    for _ in range(27):
        services.referral_create(actor=people.caseworker, referral=referral_input())
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get("/api/v1/cases/").json()["results"]) == 25


def test_reveal_shows_everything_and_is_audited(people, api):
    case = people.case(S.PENDING_APPROVAL, full_name="Amina Karimova", phone="+966501112233")
    response = api.as_user(people.approver).post(
        f"{detail_url(case)}reveal/", {"reason": "Deciding the case"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["pii_visible"] is True
    assert body["victim"]["full_name"] == "Amina Karimova"
    assert body["victim"]["phone"] == "+966501112233"
    [event] = AuditEvent.objects.filter(action="case.pii_revealed", object_id=str(case.pk))
    assert event.actor_id == people.approver.pk
    assert event.reason_text == "Deciding the case"
    assert "Amina" not in str(event.payload)


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}])
def test_reveal_needs_a_reason(people, api, body):
    case = people.case(S.PENDING_APPROVAL)
    response = api.as_user(people.auditor).post(f"{detail_url(case)}reveal/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert "reason" in response.json()["errors"]
    assert not AuditEvent.objects.filter(action="case.pii_revealed").exists()


def test_finance_sees_the_case_so_may_reveal_it_with_a_record(people, api):
    from audit.models import AuditEvent

    case = people.case(S.PENDING_APPROVAL)
    response = api.as_user(people.finance).post(f"{detail_url(case)}reveal/", {"reason": "Payee check"}, format="json")
    assert response.status_code == 200 and response.json()["pii_visible"] is True
    assert AuditEvent.objects.filter(action="case.pii_revealed", actor_id=people.finance.pk).count() == 1


@pytest.mark.parametrize(("viewer", "status"), [("admin", 404), ("other_caseworker", 404)])
def test_reveal_refused_to_others(people, api, viewer, status):
    case = people.case(S.PENDING_APPROVAL)
    response = api.as_user(getattr(people, viewer)).post(f"{detail_url(case)}reveal/", {"reason": "x"}, format="json")
    assert response.status_code == status
    assert not AuditEvent.objects.filter(action="case.pii_revealed").exists()


def test_intake_partner_may_not_reveal(people, api):
    case = services.referral_create(actor=people.intake, referral=referral_input())
    response = api.as_user(people.intake).post(f"{detail_url(case)}reveal/", {"reason": "x"}, format="json")
    assert response.status_code == 403


def test_assigned_caseworker_patches_the_case(people, api):
    case = people.case(S.IN_ASSESSMENT)
    response = api.as_user(people.caseworker).patch(
        detail_url(case),
        {
            "exploitation_types": ["forced_labour", "domestic_servitude"],
            "consent": {"given": True, "date": "2026-02-03"},
            "assessment": {"needs": ["shelter", "legal"], "risk_level": "medium", "notes": "ملاحظات"},
            "victim": {"phone": "+966507777777", "region": "Makkah"},
        },
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["exploitation_types"] == ["domestic_servitude", "forced_labour"]
    assert body["consent"] == {"given": True, "date": "2026-02-03"}
    assert body["assessment"] == {"needs": ["legal", "shelter"], "risk_level": "medium", "notes": "ملاحظات"}
    assert body["victim"]["phone"] == "+966507777777"
    assert body["victim"]["region"] == "Makkah"
    assert body["available_transitions"] == ["submit_for_approval", "withdraw"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"exploitation_types": ["unknown"]}, "exploitation_types"),
        ({"assessment": {"needs": ["yacht"]}}, "needs"),
        ({"assessment": {"risk_level": "extreme"}}, "risk_level"),
        ({"victim": {"date_of_birth": "2999-01-01"}}, "victim.date_of_birth"),
        ({"victim": {"nationality": "ZZ"}}, "victim.nationality"),
        ({"victim": {"full_name": ""}}, "victim.full_name"),
        ({"status": "active"}, "status"),
        ({"assessment": {"score": 3}}, "assessment.score"),
    ],
)
def test_bad_patch_answers_400_and_changes_nothing(people, api, body, field):
    case = people.case(S.IN_ASSESSMENT)
    before = AuditEvent.objects.count()
    response = api.as_user(people.caseworker).patch(detail_url(case), body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert AuditEvent.objects.count() == before
    case.refresh_from_db()
    assert case.status == S.IN_ASSESSMENT


@pytest.mark.parametrize(
    ("viewer", "state", "status", "code"),
    [
        ("caseworker2", S.IN_ASSESSMENT, 403, "permission_denied"),
        ("approver", S.PENDING_APPROVAL, 403, "permission_denied"),
        ("other_caseworker", S.IN_ASSESSMENT, 404, "not_found"),
        ("caseworker", S.PENDING_APPROVAL, 409, "transition_not_allowed"),
        ("caseworker", S.CLOSED, 409, "transition_not_allowed"),
    ],
)
def test_patch_refused(people, api, viewer, state, status, code):
    case = people.case(state)
    response = api.as_user(getattr(people, viewer)).patch(
        detail_url(case), {"assessment": {"risk_level": "low"}}, format="json"
    )
    assert response.status_code == status
    assert response.json()["code"] == code


def test_patch_that_matches_another_case_lists_it(people, api):
    other = people.case(S.REFERRED, document_number="MATCH777")
    case = people.case(S.IN_ASSESSMENT)
    body = (
        api.as_user(people.caseworker)
        .patch(detail_url(case), {"victim": {"document_number": "match-777"}}, format="json")
        .json()
    )
    assert body["possible_duplicates"] == [other.reference]


def test_destroyed_data_key_shows_erased_instead_of_failing(people, api):
    case = people.case(S.PENDING_APPROVAL, full_name="Shredded Person")
    with transaction.atomic():
        data_key_destroy(data_key=case.data_key)
    for user in (people.caseworker, people.approver):
        client = api.as_user(user)
        body = client.get(detail_url(case)).json()
        assert body["victim"]["full_name"] == "[erased]"
        assert body["assessment"]["notes"] == "[erased]"
        rows = client.get("/api/v1/cases/").json()["results"]
        assert rows[0]["victim"]["full_name"] == "[erased]"
    assert VictimProfile.objects.filter(case=case).exists()
