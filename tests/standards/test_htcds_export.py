"""The HTCDS export: the standard's field and value names, no identifiers,
a stable pseudonym, the XLSX layout, roles, filters and its audit event."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from audit.models import AuditEvent
from standards import htcds

URL = "/api/v1/exports/htcds/"
# Value names of the exported fields, copied from the HTCDS v2.0 field sheet.
STANDARD = {
    "con_Consent": None,
    "prs_Gender": "Feminine Masculine TransgenderFeminine TransgenderMasculine NonConforming NonSpecifiedUnknown",
    "prs_Citizenship": None,
    "vic_TraffickingStatus": "PossibleVictimOfTrafficking ActualVictimOfTrafficking NotAVictimOfTrafficking",
    "vic_TraffickingStatusDecisionMakingOrg": "Police NGO CourtOrProsecution NonPoliceGovernmentalOrganization Other",
    "vic_MethodOfRecruitment": "AtAPlaceOfBusiness AtAnEducationalInstitution AtWork ThroughOnlineSocialNetworks "
    "ThroughAnOnlineAdvertisement ThroughATelevisionAdvert ThroughANewspaperAdvert ThroughFamilyOrFamilyEvents "
    "ThroughFriendsOrSocialEvents Other",
    "vic_MethodsOfControl": "PhysicalThreats ThreatsLawEnforcement ThreatensChildrenFamily DebtBondage "
    "FalsePromises PhysicalAbuse SexualAbuse TakesEarnings RestrictsFinancialAccess RestrictsMedicalCare "
    "WithholdsNecessities PsychologicalAbuse PsychoactiveSubstance ExcessiveWorkingHours WithholdsDocuments Other",
    "vic_TypeOfExploitation": "ForcedLabour SexualExploitation ChildLabour ForcedMarriage Servitude "
    "ForcedMilitaryByNonStateActors OrganRemoval ForcedBegging ForcedAdoption Surrogacy Other",
    "cas_Status": "Active FollowUp Closed ClosedReferred",
    "cas_IncomingReferralDate": None,
    "vic_RelationshipToTrafficker": "Familial Acquainted Unaquainted",
    "vic_AgeWhenTrafficked": None,
    "spl_Type": "Education Financial Health LabourExploitationRehabilitation Legal Livelihood RightsBasedTraining "
    "SexualExploitationRehabilitation SocialCare",
}


def test_records_use_the_standards_names_and_values(people, api):
    people.case(
        types=["forced_labour", "forced_criminality"],
        sex="male",
        coded={
            "trafficking_status": "ActualVictimOfTrafficking",
            "methods_of_control": ["DebtBondage", "WithholdsDocuments"],
            "recruitment_methods": ["ThroughFriendsOrSocialEvents"],
            "relationship_to_trafficker": "Acquainted",
            "age_when_trafficked": 19,
            "support_types": ["Legal"],
        },
        citizenship=["PH", "ID"],
    )
    response = api(people.approver).get(URL)
    assert response.status_code == 200
    [record] = response.json()
    assert record["vic_TypeOfExploitation"] == ["ForcedLabour", "Other"]
    assert record["vaf_TypeOfExploitationOther"] == ["forced_criminality"]
    assert record["prs_Gender"] == "Masculine"
    assert record["prs_Citizenship"] == ["ID", "PH"]
    assert record["vic_TraffickingStatus"] == "ActualVictimOfTrafficking"
    assert record["vic_MethodsOfControl"] == ["DebtBondage", "WithholdsDocuments"]
    assert record["vic_MethodOfRecruitment"] == ["ThroughFriendsOrSocialEvents"]
    assert record["vic_RelationshipToTrafficker"] == "Acquainted"
    assert record["vic_AgeWhenTrafficked"] == 19
    assert record["spl_Type"] == ["Legal"]
    assert record["cas_Status"] == "Active"
    assert record["con_Consent"] is True
    for name, value in record.items():
        if name.startswith("vaf_"):
            continue
        assert name in STANDARD, name
        if STANDARD[name] and value is not None:
            values = value if isinstance(value, list) else [value]
            assert set(values) <= set(STANDARD[name].split()), name


def test_no_identifier_or_free_text_leaves(people, api):
    case = people.case(full_name="Unique Fakename", document_number="QQ998877", phone="+966511223344")
    body = api(people.auditor).get(URL).content.decode()
    for secret in ("Unique Fakename", "QQ998877", "511223344", "Fake Street", "Fake narrative", str(case.pk)):
        assert secret not in body
    assert case.victim.date_of_birth.isoformat() not in body
    assert case.reference not in body


def test_the_record_id_is_a_stable_pseudonym(people, api):
    case = people.case()
    first = api(people.approver).get(URL).json()[0]["vaf_record_id"]
    second = api(people.auditor).get(URL).json()[0]["vaf_record_id"]
    assert first == second == htcds.record_id(case.pk)
    assert re.fullmatch(r"[0-9a-f]{64}", first)


def test_assistance_given_becomes_support_plan_types(people, api):
    from fund.models import Disbursement, Fund

    case = people.case()
    fund = Fund.objects.create(currency="SAR")
    for category, status in (("medical", "paid"), ("shelter", "approved"), ("legal", "draft")):
        Disbursement.objects.create(
            fund=fund,
            case=case,
            category=category,
            amount="10.00",
            status=status,
            requested_by=people.caseworker,
            payee_type="vendor",
        )
    [record] = api(people.approver).get(URL).json()
    assert record["spl_Type"] == ["Health", "SocialCare"]


def test_xlsx_is_laid_out_like_the_template(people, api):
    people.case(types=["sexual_exploitation", "forced_begging"])
    response = api(people.approver).get(URL, {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == htcds.FIELD_NAMES
    assert rows[1][0] == "VAF record id"
    data = dict(zip(rows[0], rows[2], strict=True))
    assert data["vic_TypeOfExploitation"] == "ForcedBegging;SexualExploitation"


def test_an_empty_range_is_an_empty_export(people, api):
    people.case()
    assert api(people.approver).get(URL, {"since": "2001-01-01", "until": "2001-12-31"}).json() == []
    response = api(people.approver).get(URL, {"since": "2001-01-01", "until": "2001-12-31", "format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert [list(r) for r in rows[:1]] == [htcds.FIELD_NAMES] and len(rows) == 2


def test_the_range_filters_by_referral_date(people, api):
    from django.utils import timezone

    people.case()
    today = timezone.localdate().isoformat()
    assert len(api(people.approver).get(URL, {"since": today, "until": today}).json()) == 1


@pytest.mark.parametrize(
    "query", [{"since": "yesterday"}, {"since": "2026-02-01", "until": "2026-01-01"}, {"format": "pdf"}]
)
def test_bad_parameters_answer_validation_error(people, api, query):
    response = api(people.approver).get(URL, query)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


@pytest.mark.parametrize("role", ["caseworker", "finance", "intake"])
def test_other_roles_are_refused(people, api, role):
    response = api(getattr(people, role)).get(URL)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_anonymous_is_refused(db):
    from rest_framework.test import APIClient

    assert APIClient().get(URL).status_code == 401


def test_the_export_is_audited_with_filter_and_count(people, api):
    people.case()
    people.case()
    api(people.auditor).get(URL, {"since": "2020-01-01", "format": "xlsx"})
    event = AuditEvent.objects.filter(action="export.htcds").get()
    assert event.actor_username == people.auditor.username
    assert event.payload["rows"] == 2
    assert event.payload["format"] == "xlsx"
    assert event.payload["filter"] == {"since": "2020-01-01", "until": None}


def test_an_erased_case_still_exports_its_coded_values(people, api):
    from referrals.services import case_erase, case_transition

    case = people.case(sex="female")
    case = case_transition(case=case, actor=people.caseworker, name="withdraw", reason="Fake: consent withdrawn")
    case_erase(case=case, actor=people.caseworker, reason="Fake: erasure request")
    [record] = api(people.approver).get(URL).json()
    assert (record["cas_Status"], record["vaf_CaseStatus"], record["prs_Gender"]) == ("Closed", "withdrawn", "Feminine")
    assert len(api(people.approver).get("/api/v1/exports/ctdc/", {"until": "2001-01-01"}).content) > 0
