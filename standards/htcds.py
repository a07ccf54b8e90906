"""Our vocabulary in HTCDS v2.0 words (IOM's Human Trafficking Case Data
Standard, CC BY 4.0): field names, value names, and the de-identified record
of one case. docs/htcds.md is the same mapping as a table.

The coded assessment fields already hold HTCDS value names (referrals.choices);
what needs translating is our own vocabulary: exploitation types, sex, case
states and assistance categories.
"""

from __future__ import annotations

from django.utils import timezone

from referrals.choices import AssistanceCategory, CaseStatus, ExploitationType, Sex, SupportType
from referrals.models import Case
from vault.pseudonyms import pseudonym

OTHER = "Other"

EXPLOITATION_TYPES = {
    ExploitationType.FORCED_LABOUR: "ForcedLabour",
    ExploitationType.SEXUAL_EXPLOITATION: "SexualExploitation",
    ExploitationType.DOMESTIC_SERVITUDE: "Servitude",
    ExploitationType.FORCED_BEGGING: "ForcedBegging",
    ExploitationType.FORCED_CRIMINALITY: OTHER,
    ExploitationType.ORGAN_REMOVAL: "OrganRemoval",
    ExploitationType.FORCED_MARRIAGE: "ForcedMarriage",
    ExploitationType.CHILD_EXPLOITATION: OTHER,
    ExploitationType.OTHER: OTHER,
}
# Our types the standard has no value for: exported as Other, and named in
# vaf_TypeOfExploitationOther so nothing is lost.
EXPLOITATION_WITHOUT_EQUIVALENT = [
    code for code, value in EXPLOITATION_TYPES.items() if value == OTHER and code != ExploitationType.OTHER
]

GENDERS = {
    Sex.FEMALE: "Feminine",
    Sex.MALE: "Masculine",
    Sex.OTHER: "NonConforming",
    Sex.UNKNOWN: "NonSpecifiedUnknown",
}

CASE_STATUSES = {
    CaseStatus.REFERRED: "Active",
    CaseStatus.IN_ASSESSMENT: "Active",
    CaseStatus.PENDING_APPROVAL: "Active",
    CaseStatus.ACTIVE: "Active",
    CaseStatus.CLOSED: "Closed",
    CaseStatus.REJECTED: "Closed",
    CaseStatus.WITHDRAWN: "Closed",
}

# Assistance the fund paid for, as the support plan it belongs to.
SUPPORT_TYPES = {
    AssistanceCategory.SHELTER: SupportType.SOCIAL_CARE,
    AssistanceCategory.MEDICAL: SupportType.HEALTH,
    AssistanceCategory.PSYCHOSOCIAL: SupportType.HEALTH,
    AssistanceCategory.LEGAL: SupportType.LEGAL,
    AssistanceCategory.REPATRIATION: SupportType.SOCIAL_CARE,
    AssistanceCategory.LIVING_ALLOWANCE: SupportType.FINANCIAL,
    AssistanceCategory.EDUCATION_TRAINING: SupportType.EDUCATION,
}

# (field name, label) in the order of the HTCDS Excel template, then the
# standard's fields the template lacks, then ours (prefix vaf_).
COLUMNS = [
    ("vaf_record_id", "VAF record id"),
    ("con_Consent", "Consent"),
    ("prs_Gender", "Gender"),
    ("prs_Citizenship", "Citizenship"),
    ("vic_TraffickingStatus", "Trafficking Status"),
    ("vic_TraffickingStatusDecisionMakingOrg", "Trafficking Status Decision Making Organization"),
    ("vic_MethodOfRecruitment", "Method of Recruitment"),
    ("vic_MethodsOfControl", "Methods of Control"),
    ("vic_TypeOfExploitation", "Type of Exploitation"),
    ("cas_Status", "Status"),
    ("cas_IncomingReferralDate", "Incoming Referral Date"),
    ("vic_RelationshipToTrafficker", "Relationship to Trafficker"),
    ("vic_AgeWhenTrafficked", "Age when Trafficked"),
    ("spl_Type", "Type"),
    ("vaf_AgeBand", "Age band at referral"),
    ("vaf_TypeOfExploitationOther", "Exploitation types exported as Other"),
    ("vaf_CaseStatus", "Case state in the VAF tracker"),
]
FIELD_NAMES = [name for name, _label in COLUMNS]
MULTI_VALUE_FIELDS = {
    "prs_Citizenship",
    "vic_MethodOfRecruitment",
    "vic_MethodsOfControl",
    "vic_TypeOfExploitation",
    "spl_Type",
    "vaf_TypeOfExploitationOther",
}


def record_id(case_id) -> str:
    """A pseudonym of the case, stable across exports of this deployment."""
    return pseudonym("htcds.vaf_record_id", str(case_id))


def exploitation_types(codes: list[str]) -> list[str]:
    return sorted({EXPLOITATION_TYPES.get(code, OTHER) for code in codes})


def citizenship(profile) -> list[str]:
    if profile is None:
        return []
    return sorted(profile.citizenship or ([profile.nationality] if profile.nationality else []))


def support_types(case: Case, paid_categories: list[str]) -> list[str]:
    mapped = {SUPPORT_TYPES[c] for c in paid_categories if c in SUPPORT_TYPES}
    return sorted({*case.support_types, *(str(t) for t in mapped)})


def htcds_record(case: Case, *, profile, paid_categories: list[str]) -> dict:
    """The de-identified HTCDS record of a case: coded values only, never a
    name, document number, phone, address, date of birth or free text."""
    return {
        "vaf_record_id": record_id(case.pk),
        "con_Consent": case.consent_given,
        "prs_Gender": GENDERS.get(profile.sex if profile else Sex.UNKNOWN, GENDERS[Sex.UNKNOWN]),
        "prs_Citizenship": citizenship(profile),
        "vic_TraffickingStatus": case.trafficking_status or None,
        "vic_TraffickingStatusDecisionMakingOrg": case.status_decided_by or None,
        "vic_MethodOfRecruitment": sorted(case.recruitment_methods),
        "vic_MethodsOfControl": sorted(case.methods_of_control),
        "vic_TypeOfExploitation": exploitation_types(case.exploitation_types),
        "cas_Status": CASE_STATUSES[case.status],
        "cas_IncomingReferralDate": timezone.localtime(case.created_at).date().isoformat(),
        "vic_RelationshipToTrafficker": case.relationship_to_trafficker or None,
        "vic_AgeWhenTrafficked": case.age_when_trafficked,
        "spl_Type": support_types(case, paid_categories),
        "vaf_AgeBand": profile.age_band if profile else None,
        "vaf_TypeOfExploitationOther": sorted(
            c for c in case.exploitation_types if c in EXPLOITATION_WITHOUT_EQUIVALENT
        ),
        "vaf_CaseStatus": case.status,
    }


def spreadsheet_row(record: dict) -> list:
    """The record as template cells: several values joined by ';' as the
    template's multi-select columns do."""
    row = []
    for name in FIELD_NAMES:
        value = record[name]
        if name in MULTI_VALUE_FIELDS:
            value = ";".join(value)
        row.append(value)
    return row
