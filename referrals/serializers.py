"""API input parsing and output shapes for referrals and cases (DESIGN.md §8).

Input serializers only parse types; the domain rules (known exploitation
types, country codes, dates not in the future, consent) are checked by the
services through `referrals.validation`, for the pages and the API alike.
Output serializers read personal values through `referrals.disclosure`.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from referrals import permissions, selectors
from referrals.disclosure import PLAIN_VICTIM_FIELDS, case_text, victim_row, victim_view
from referrals.models import PERSONAL_FIELDS
from referrals.services import ReferralInput


class StrictKeysMixin:
    """Names unknown keys instead of silently dropping them."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown or read-only field.")] for name in unknown})
        return super().to_internal_value(data)


def _text(**kwargs) -> serializers.CharField:
    # Personal text is kept exactly as sent (no trimming), so names round-trip.
    return serializers.CharField(required=False, allow_blank=True, allow_null=True, trim_whitespace=False, **kwargs)


class ConsentSerializer(serializers.Serializer):
    given = serializers.BooleanField()
    date = serializers.DateField(required=False, allow_null=True)


class VictimInputSerializer(StrictKeysMixin, serializers.Serializer):
    full_name = _text()
    other_names = _text()
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    sex = serializers.CharField(required=False, help_text="female, male, other, unknown")
    nationality = serializers.CharField(required=False, allow_blank=True, help_text=_("ISO 3166-1 alpha-2 code."))
    document_type = serializers.CharField(
        required=False, help_text="passport, national_id, residence_permit, other, none"
    )
    document_number = _text()
    phone = _text()
    address = _text()
    next_of_kin = _text()
    region = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    citizenship = serializers.ListField(
        child=serializers.CharField(), required=False, help_text=_("Every citizenship, ISO 3166-1 alpha-2 codes.")
    )


class ReferralInputSerializer(serializers.Serializer):
    referring_agency = serializers.CharField(allow_blank=True)
    exploitation_types = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    summary = _text(help_text=_("Free text; stored encrypted."))
    consent = ConsentSerializer()
    victim = VictimInputSerializer()

    def referral_input(self) -> ReferralInput:
        data = self.validated_data
        return ReferralInput(
            referring_agency=data["referring_agency"],
            exploitation_types=data["exploitation_types"],
            summary=data.get("summary") or "",
            consent_given=data["consent"]["given"],
            consent_date=data["consent"].get("date"),
            victim=dict(data["victim"]),
        )


class AssessmentInputSerializer(StrictKeysMixin, serializers.Serializer):
    needs = serializers.ListField(child=serializers.CharField(), required=False)
    risk_level = serializers.CharField(required=False, allow_blank=True, help_text="low, medium, high")
    notes = _text(help_text=_("Stored encrypted."))
    trafficking_status = serializers.CharField(
        required=False, allow_blank=True, help_text=_("HTCDS vic_TraffickingStatus value name.")
    )
    status_decided_by = serializers.CharField(
        required=False, allow_blank=True, help_text=_("HTCDS vic_TraffickingStatusDecisionMakingOrg value name.")
    )
    methods_of_control = serializers.ListField(
        child=serializers.CharField(), required=False, help_text=_("HTCDS vic_MethodsOfControl value names.")
    )
    recruitment_methods = serializers.ListField(
        child=serializers.CharField(), required=False, help_text=_("HTCDS vic_MethodOfRecruitment value names.")
    )
    relationship_to_trafficker = serializers.CharField(
        required=False, allow_blank=True, help_text=_("HTCDS vic_RelationshipToTrafficker value name.")
    )
    age_when_trafficked = serializers.IntegerField(required=False, allow_null=True)
    support_types = serializers.ListField(
        child=serializers.CharField(), required=False, help_text=_("HTCDS spl_Type value names.")
    )


class CaseUpdateSerializer(StrictKeysMixin, serializers.Serializer):
    referring_agency = serializers.CharField(required=False, allow_blank=True)
    exploitation_types = serializers.ListField(child=serializers.CharField(), required=False)
    summary = _text()
    consent = ConsentSerializer(required=False)
    assessment = AssessmentInputSerializer(required=False)
    victim = VictimInputSerializer(required=False)

    def changes(self) -> dict:
        """The `changes` argument of services.case_update."""
        data = dict(self.validated_data)
        changes = {k: data[k] for k in ("referring_agency", "exploitation_types", "summary") if k in data}
        if "consent" in data:
            changes["consent_given"] = data["consent"]["given"]
            changes["consent_date"] = data["consent"].get("date")
        for name, value in (data.get("assessment") or {}).items():
            changes["assessment_notes" if name == "notes" else name] = value
        if "victim" in data:
            changes["victim"] = dict(data["victim"])
        return changes


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text=_("Why; required where DESIGN.md §3 says so.")
    )


# --- Output -------------------------------------------------------------------


class CaseSummarySerializer(serializers.Serializer):
    """All an intake partner sees of its own referrals."""

    id = serializers.UUIDField()
    reference = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()


class VictimRowSerializer(serializers.Serializer):
    full_name = serializers.CharField(allow_null=True, help_text=_("Always masked in lists, e.g. A*** K***."))
    sex = serializers.CharField()
    age_band = serializers.CharField()
    nationality = serializers.CharField(allow_blank=True)

    def to_representation(self, case):
        return victim_row(case)


class VictimOutputSerializer(serializers.Serializer):
    full_name = serializers.CharField(allow_null=True)
    other_names = serializers.CharField(allow_null=True)
    date_of_birth = serializers.CharField(allow_null=True, help_text=_("YYYY-MM-DD, or ****-**-** when masked."))
    document_number = serializers.CharField(allow_null=True)
    phone = serializers.CharField(allow_null=True)
    address = serializers.CharField(allow_null=True)
    next_of_kin = serializers.CharField(allow_null=True)
    sex = serializers.CharField(allow_null=True)
    age_band = serializers.CharField(allow_null=True)
    nationality = serializers.CharField(allow_null=True)
    document_type = serializers.CharField(allow_null=True)
    region = serializers.CharField(allow_null=True)
    citizenship = serializers.ListField(child=serializers.CharField(), allow_null=True)

    def to_representation(self, case):
        data = victim_view(case, visible=self.context["pii_visible"])
        if data["date_of_birth"] is not None and hasattr(data["date_of_birth"], "isoformat"):
            data["date_of_birth"] = data["date_of_birth"].isoformat()
        return {name: data[name] for name in [*PERSONAL_FIELDS, *PLAIN_VICTIM_FIELDS]}


class ConsentOutputSerializer(serializers.Serializer):
    given = serializers.BooleanField(source="consent_given")
    date = serializers.DateField(source="consent_date", allow_null=True)


class AssessmentOutputSerializer(serializers.Serializer):
    needs = serializers.ListField(child=serializers.CharField())
    risk_level = serializers.CharField(allow_blank=True)
    notes = serializers.SerializerMethodField(help_text=_("Masked as *** when personal data is not visible."))

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_notes(self, case):
        return case_text(case, "assessment_notes", visible=self.context["pii_visible"])


class CodedAssessmentOutputSerializer(serializers.Serializer):
    """The optional coded assessment fields (HTCDS value names); sent in
    `assessment` on PATCH, shown beside it so `assessment` keeps its shape."""

    trafficking_status = serializers.CharField(allow_blank=True)
    status_decided_by = serializers.CharField(allow_blank=True)
    methods_of_control = serializers.ListField(child=serializers.CharField())
    recruitment_methods = serializers.ListField(child=serializers.CharField())
    relationship_to_trafficker = serializers.CharField(allow_blank=True)
    age_when_trafficked = serializers.IntegerField(allow_null=True)
    support_types = serializers.ListField(child=serializers.CharField())


class CaseRowSerializer(serializers.Serializer):
    """A case in a list: personal fields always masked."""

    id = serializers.UUIDField()
    reference = serializers.CharField()
    status = serializers.CharField()
    organisation = serializers.CharField(source="organisation.name")
    referring_agency = serializers.CharField()
    assigned_to = serializers.CharField(source="assigned_to.username", allow_null=True)
    exploitation_types = serializers.ListField(child=serializers.CharField())
    victim = VictimRowSerializer(source="*")
    pii_visible = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_pii_visible(self, case) -> bool:
        return False

    def to_representation(self, case):
        if selectors.is_summary_only(self.context["user"], case):
            return CaseSummarySerializer(case).data
        return super().to_representation(case)


class ReferralCreatedSerializer(CaseRowSerializer):
    """The answer to a new referral. It carries no personal value in full,
    because an idempotent repeat is answered from a stored copy."""

    consent = ConsentOutputSerializer(source="*")
    possible_duplicates = serializers.SerializerMethodField(
        help_text=_("References of other cases you can see whose identifiers match.")
    )
    available_transitions = serializers.SerializerMethodField()

    def get_possible_duplicates(self, case) -> list[str]:
        return selectors.possible_duplicates(user=self.context["user"], case=case)

    def get_available_transitions(self, case) -> list[str]:
        return permissions.available_transitions(self.context["user"], case)

    def to_representation(self, case):
        data = super().to_representation(case)
        if "possible_duplicates" not in data:
            # An intake partner's summary still names its own earlier
            # referrals that match (DESIGN.md §8: "incl. possible_duplicates").
            data["possible_duplicates"] = self.get_possible_duplicates(case)
        return data


class CaseDetailSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()
    status = serializers.CharField()
    organisation = serializers.CharField(source="organisation.name")
    referring_agency = serializers.CharField()
    assigned_to = serializers.CharField(source="assigned_to.username", allow_null=True)
    exploitation_types = serializers.ListField(child=serializers.CharField())
    consent = ConsentOutputSerializer(source="*")
    summary = serializers.SerializerMethodField()
    assessment = AssessmentOutputSerializer(source="*")
    coded_assessment = CodedAssessmentOutputSerializer(source="*")
    victim = VictimOutputSerializer(source="*")
    pii_visible = serializers.SerializerMethodField()
    possible_duplicates = serializers.SerializerMethodField()
    available_transitions = serializers.SerializerMethodField(help_text=_("What the caller may do now."))
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_summary(self, case):
        return case_text(case, "summary", visible=self.context["pii_visible"])

    def get_pii_visible(self, case) -> bool:
        return self.context["pii_visible"]

    def get_possible_duplicates(self, case) -> list[str]:
        return selectors.possible_duplicates(user=self.context["user"], case=case)

    def get_available_transitions(self, case) -> list[str]:
        return permissions.available_transitions(self.context["user"], case)

    def to_representation(self, case):
        if selectors.is_summary_only(self.context["user"], case):
            return CaseSummarySerializer(case).data
        return super().to_representation(case)
