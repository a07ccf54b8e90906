"""Opening referrals through the service: references, organisation, audit,
encryption at rest, validation and duplicate detection."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from audit.models import AuditEvent
from config.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from referrals import selectors, services
from referrals.choices import CaseStatus, IntakeChannel
from referrals.models import Case, VictimProfile
from tests.referrals.conftest import referral_input


def test_referral_gets_a_fresh_reference_and_is_audited(people):
    # when two referrals are opened
    first = services.referral_create(actor=people.caseworker, referral=referral_input())
    second = services.referral_create(actor=people.caseworker, referral=referral_input())
    # then each has its own reference of the documented shape, in sequence
    year = timezone.localdate().year
    assert re.fullmatch(rf"VAF-{year}-\d{{6}}", first.reference)
    assert int(second.reference[-6:]) == int(first.reference[-6:]) + 1
    assert first.status == CaseStatus.REFERRED
    assert first.organisation == people.caseworker.organisation
    assert first.intake_channel == IntakeChannel.WEB
    # and the referral is in the audit log without personal values
    [event] = AuditEvent.objects.filter(action="case.referred", object_id=str(first.pk))
    assert event.payload["reference"] == first.reference
    assert "full_name" in event.payload["personal_fields"]
    assert "Demo Person" not in str(event.payload)


def test_references_are_never_reused(people):
    # given a referral that was refused ...
    first = services.referral_create(actor=people.caseworker, referral=referral_input())
    with pytest.raises(ValidationFailed):
        services.referral_create(actor=people.caseworker, referral=referral_input(full_name=""))
    # ... and a case that was withdrawn
    services.case_transition(case=first, actor=people.caseworker, name="withdraw", reason="Test")
    # when another is opened, it gets the next number, never an old one
    second = services.referral_create(actor=people.caseworker, referral=referral_input())
    assert second.reference > first.reference
    assert Case.objects.filter(reference=first.reference).count() == 1


@override_settings(VAF_INTAKE_ORGANISATION="Coordination Unit Test")
def test_intake_partner_referrals_belong_to_the_coordination_unit(people):
    case = services.referral_create(actor=people.intake, referral=referral_input())
    assert case.organisation.name == "Coordination Unit Test"
    assert case.intake_channel == IntakeChannel.API
    assert case.created_by == people.intake


@pytest.mark.parametrize("role_holder", ["approver", "finance", "auditor", "admin"])
def test_other_roles_may_not_open_referrals(people, role_holder):
    with pytest.raises(PermissionDenied):
        services.referral_create(actor=getattr(people, role_holder), referral=referral_input())
    assert Case.objects.count() == 0


def test_arabic_and_other_scripts_round_trip_exactly(people):
    names = {"full_name": "زبيدة بنت قاسم", "other_names": "Жанна Иванова · 王秀英", "address": "حي النسيم، جدة"}
    case = services.referral_create(actor=people.caseworker, referral=referral_input(**names))
    profile = VictimProfile.objects.get(case=case)
    for field, value in names.items():
        assert getattr(profile, field) == value


def test_personal_fields_are_only_ciphertext_in_the_database(people):
    case = services.referral_create(
        actor=people.caseworker, referral=referral_input(full_name="Quentin Cipher-Test", document_number="QC1234567")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT full_name, document_number FROM referrals_victimprofile WHERE case_id = %s",
            [case.pk.hex] if connection.vendor == "sqlite" else [case.pk],
        )
        full_name, document_number = cursor.fetchone()
    assert b"Quentin" not in bytes(full_name)
    assert b"QC1234567" not in bytes(document_number)


BAD_INPUT = [
    ({"exploitation_types": ["forced_labour", "time_travel"]}, "exploitation_types"),
    ({"exploitation_types": []}, "exploitation_types"),
    ({"referring_agency": "  "}, "referring_agency"),
    ({"consent_given": True, "consent_date": None}, "consent.date"),
    ({"consent_date": dt.date(2999, 1, 1)}, "consent.date"),
    ({"victim": {"full_name": "Demo Person", "date_of_birth": dt.date(2999, 1, 1)}}, "victim.date_of_birth"),
    ({"victim": {"full_name": "Demo Person", "nationality": "XX"}}, "victim.nationality"),
    ({"victim": {"full_name": "Demo Person", "sex": "robot"}}, "victim.sex"),
    ({"victim": {"full_name": "Demo Person", "shoe_size": "42"}}, "victim.shoe_size"),
    ({"victim": {"full_name": ""}}, "victim.full_name"),
    ({"victim": {"full_name": "x" * 201}}, "victim.full_name"),
]


@pytest.mark.parametrize(("change", "field"), BAD_INPUT)
def test_bad_referral_names_the_field_and_creates_nothing(people, change, field):
    referral = dataclasses.replace(referral_input(), **change)
    with pytest.raises(ValidationFailed) as refused:
        services.referral_create(actor=people.caseworker, referral=referral)
    assert field in refused.value.errors
    assert field in refused.value.detail
    assert Case.objects.count() == 0
    assert not AuditEvent.objects.filter(action="case.referred").exists()


def test_referral_without_consent_yet_may_be_opened_but_not_submitted(people):
    # consent is often recorded during assessment: the referral is kept, and
    # submission for approval waits for it (see test_transitions)
    referral = dataclasses.replace(referral_input(), consent_given=False, consent_date=None)
    case = services.referral_create(actor=people.caseworker, referral=referral)
    assert case.consent_given is False


def test_validation_messages_never_echo_personal_values(people):
    referral = dataclasses.replace(
        referral_input(), victim={"full_name": "Secret Name", "date_of_birth": dt.date(2999, 1, 1), "nationality": "QQ"}
    )
    with pytest.raises(ValidationFailed) as refused:
        services.referral_create(actor=people.caseworker, referral=referral)
    assert "Secret" not in str(refused.value.detail) + str(refused.value.errors)
    assert "QQ" not in str(refused.value.errors)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"document_number": "AB 123-456"}, {"document_number": "ab123456"}),
        ({"phone": "+966 50 111 2222"}, {"phone": "00966501112222"}),
        (
            {"full_name": "Amina  Karimova", "date_of_birth": dt.date(1994, 3, 5)},
            {"full_name": "amina karimova", "date_of_birth": dt.date(1994, 3, 5)},
        ),
    ],
)
def test_matching_identifiers_are_possible_duplicates(people, first, second):
    # given a case, and a second referral of the same person written differently
    a = services.referral_create(actor=people.caseworker, referral=referral_input(**first))
    b = services.referral_create(actor=people.caseworker, referral=referral_input(**second))
    # then each lists the other
    assert selectors.possible_duplicates(user=people.caseworker, case=b) == [a.reference]
    assert selectors.possible_duplicates(user=people.caseworker, case=a) == [b.reference]


def test_same_name_alone_is_not_a_duplicate(people):
    a = services.referral_create(actor=people.caseworker, referral=referral_input(full_name="Same Name"))
    services.referral_create(actor=people.caseworker, referral=referral_input(full_name="Same Name"))
    assert selectors.possible_duplicates(user=people.caseworker, case=a) == []


def test_duplicates_list_only_cases_visible_to_the_caller(people):
    # given the same person referred in two organisations
    mine = services.referral_create(actor=people.caseworker, referral=referral_input(document_number="DUP0001"))
    services.referral_create(actor=people.other_caseworker, referral=referral_input(document_number="DUP0001"))
    # then neither caseworker learns the other organisation's reference
    assert selectors.possible_duplicates(user=people.caseworker, case=mine) == []


def test_an_edit_can_make_a_duplicate(people):
    a = people.case(CaseStatus.REFERRED, document_number="EDIT0001")
    b = people.case(CaseStatus.IN_ASSESSMENT)
    assert selectors.possible_duplicates(user=people.caseworker, case=b) == []
    services.case_update(case=b, actor=people.caseworker, changes={"victim": {"document_number": "edit 0001"}})
    b.refresh_from_db()
    assert selectors.possible_duplicates(user=people.caseworker, case=b) == [a.reference]


def test_edit_records_field_names_not_values(people):
    case = people.case(CaseStatus.IN_ASSESSMENT)
    services.case_update(
        case=case,
        actor=people.caseworker,
        changes={"risk_level": "medium", "victim": {"phone": "+966509999999", "nationality": "id"}},
    )
    event = AuditEvent.objects.filter(action="case.updated", object_id=str(case.pk)).last()
    assert event.payload["fields"] == ["risk_level"]
    assert event.payload["victim_fields"] == ["nationality", "phone"]
    assert "9999999" not in str(event.payload)
    assert VictimProfile.objects.get(case=case).nationality == "ID"


def test_only_the_assigned_caseworker_edits_in_assessment_or_active(people):
    case = people.case(CaseStatus.IN_ASSESSMENT)
    for outsider in (people.caseworker2, people.approver, people.other_caseworker):
        with pytest.raises(PermissionDenied):
            services.case_update(case=case, actor=outsider, changes={"risk_level": "low"})
    pending = people.case(CaseStatus.PENDING_APPROVAL)
    with pytest.raises(TransitionNotAllowed):
        services.case_update(case=pending, actor=people.caseworker, changes={"risk_level": "low"})


def test_read_only_fields_cannot_be_edited(people):
    case = people.case(CaseStatus.IN_ASSESSMENT)
    with pytest.raises(ValidationFailed) as refused:
        services.case_update(case=case, actor=people.caseworker, changes={"status": "active", "reference": "X"})
    assert set(refused.value.errors) == {"status", "reference"}
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_ASSESSMENT
