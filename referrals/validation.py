"""Domain checks on referral and case input, shared by the web forms and the
API. Messages name the field, never echo personal values."""

from __future__ import annotations

import datetime as dt

import pycountry
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import ValidationFailed
from referrals.choices import (
    AssistanceCategory,
    DocumentType,
    ExploitationType,
    MethodOfControl,
    RecruitmentMethod,
    RiskLevel,
    Sex,
    StatusDecisionMaker,
    SupportType,
    TraffickerRelationship,
    TraffickingStatus,
)
from referrals.models import PERSONAL_FIELDS

TEXT_LIMITS = {
    "full_name": 200,
    "other_names": 300,
    "document_number": 50,
    "phone": 40,
    "address": 500,
    "next_of_kin": 500,
    "region": 100,
}
CASE_TEXT_LIMITS = {"summary": 10000, "assessment_notes": 10000}
REASON_LIMIT = 2000


def is_country_code(value: str) -> bool:
    return isinstance(value, str) and len(value) == 2 and pycountry.countries.get(alpha_2=value.upper()) is not None


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationFailed(_("Invalid input: %(fields)s.") % {"fields": ", ".join(sorted(errors))}, errors=errors)


# Coded assessment fields (HTCDS value names): one value, or a list of values.
CODED_FIELDS = {
    "trafficking_status": TraffickingStatus,
    "status_decided_by": StatusDecisionMaker,
    "relationship_to_trafficker": TraffickerRelationship,
}
CODED_LIST_FIELDS = {
    "methods_of_control": MethodOfControl,
    "recruitment_methods": RecruitmentMethod,
    "support_types": SupportType,
}
MAX_AGE = 120


def _coded_errors(data: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, choices in CODED_FIELDS.items():
        if name in data and data[name] not in ("", *choices.values):
            errors[name] = [_("Choose one of: %(c)s.") % {"c": ", ".join(choices.values)}]
    for name, choices in CODED_LIST_FIELDS.items():
        if name in data:
            values = data[name]
            if not isinstance(values, list) or any(v not in choices.values for v in values):
                errors[name] = [_("A list of: %(c)s.") % {"c": ", ".join(choices.values)}]
    if "age_when_trafficked" in data:
        age = data["age_when_trafficked"]
        if age is not None and (isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= MAX_AGE):
            errors["age_when_trafficked"] = [_("A whole number of years from 0 to %(n)d.") % {"n": MAX_AGE}]
    return errors


SETTLED_STATES = {"pending_approval", "active", "closed", "rejected"}


def validate_case_fields(data: dict, *, creating: bool, status: str | None = None) -> None:
    errors: dict[str, list[str]] = {}
    if creating or "referring_agency" in data:
        agency = (data.get("referring_agency") or "").strip()
        if not agency:
            errors["referring_agency"] = [_("This field is required.")]
        elif len(agency) > 200:
            errors["referring_agency"] = [_("At most 200 characters.")]
    if "exploitation_types" in data:
        types = data["exploitation_types"]
        if not isinstance(types, list):
            errors["exploitation_types"] = [_("Expected a list of exploitation types.")]
        else:
            if any(t not in ExploitationType.values for t in types):
                # Name the field and the valid values; never echo what was sent.
                errors["exploitation_types"] = [
                    _("Unknown exploitation type. Valid types: %(valid)s.")
                    % {"valid": ", ".join(ExploitationType.values)}
                ]
            elif creating and not types:
                errors["exploitation_types"] = [_("Choose at least one exploitation type.")]
    if "needs" in data:
        needs = data["needs"]
        if not isinstance(needs, list) or any(n not in AssistanceCategory.values for n in needs):
            categories = ", ".join(AssistanceCategory.values)
            errors["needs"] = [_("Needs must be assistance categories: %(c)s.") % {"c": categories}]
    if "risk_level" in data and data["risk_level"] not in ("", *RiskLevel.values):
        errors["risk_level"] = [_("Choose low, medium or high.")]
    errors.update(_coded_errors(data))
    for name, limit in CASE_TEXT_LIMITS.items():
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            errors[name] = [_("Expected text.")]
        elif value and len(value) > limit:
            errors[name] = [_("At most %(n)d characters.") % {"n": limit}]
    if status in SETTLED_STATES:
        # Once submitted, the grounds of the decision stay: consent is
        # withdrawn through the `withdraw` transition, not by an edit.
        if "consent_given" in data and not data["consent_given"]:
            errors["consent.given"] = [_("Consent cannot be unset on a case past assessment; withdraw the case.")]
        if "exploitation_types" in data and data["exploitation_types"] == []:
            errors["exploitation_types"] = [_("A case past assessment keeps at least one exploitation type.")]
    given, date = data.get("consent_given"), data.get("consent_date")
    if given and not date:
        errors["consent.date"] = [_("The date consent was given is required.")]
    if date and date > timezone.localdate():
        errors["consent.date"] = [_("The consent date cannot be in the future.")]
    _raise(errors)


def validate_victim_fields(victim: dict, *, partial: bool = False) -> None:
    errors: dict[str, list[str]] = {}
    allowed = set(PERSONAL_FIELDS) | {"sex", "nationality", "document_type", "region", "citizenship"}
    for name in sorted(set(victim) - allowed):
        errors[f"victim.{name}"] = [_("Unknown field.")]
    if not partial and not (victim.get("full_name") or "").strip():
        errors["victim.full_name"] = [_("This field is required.")]
    for name, limit in TEXT_LIMITS.items():
        value = victim.get(name)
        if value is not None and not isinstance(value, str):
            errors[f"victim.{name}"] = [_("Expected text.")]
        elif value and len(value) > limit:
            errors[f"victim.{name}"] = [_("At most %(n)d characters.") % {"n": limit}]
    dob = victim.get("date_of_birth")
    if dob is not None:
        if not isinstance(dob, dt.date):
            errors["victim.date_of_birth"] = [_("Expected a date (YYYY-MM-DD).")]
        elif dob > timezone.localdate():
            errors["victim.date_of_birth"] = [_("The date of birth cannot be in the future.")]
        elif dob.year < 1900:
            errors["victim.date_of_birth"] = [_("The date of birth is too far in the past.")]
    if "sex" in victim and victim["sex"] not in Sex.values:
        errors["victim.sex"] = [_("Choose one of: %(c)s.") % {"c": ", ".join(Sex.values)}]
    if "document_type" in victim and victim["document_type"] not in DocumentType.values:
        errors["victim.document_type"] = [_("Choose one of: %(c)s.") % {"c": ", ".join(DocumentType.values)}]
    nationality = victim.get("nationality")
    if nationality and not is_country_code(nationality):
        errors["victim.nationality"] = [_("Use an ISO 3166-1 two-letter country code.")]
    if "citizenship" in victim:
        codes = victim["citizenship"]
        if not isinstance(codes, list) or not all(is_country_code(c) for c in codes):
            errors["victim.citizenship"] = [_("A list of ISO 3166-1 two-letter country codes.")]
    _raise(errors)


def clean_reason(reason, *, required: bool, missing: str) -> str:
    """The stripped reason for a transition or a reveal; refused when missing or too long."""
    if reason is not None and not isinstance(reason, str):
        raise ValidationFailed(_("The reason must be text."), errors={"reason": [_("Expected text.")]})
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationFailed(missing, errors={"reason": [_("This field is required.")]})
    if len(reason) > REASON_LIMIT:
        raise ValidationFailed(
            _("The reason is too long."), errors={"reason": [_("At most %(n)d characters.") % {"n": REASON_LIMIT}]}
        )
    return reason
