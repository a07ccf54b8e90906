from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from referrals.choices import (
    AgeBand,
    CaseStatus,
    DocumentType,
    IntakeChannel,
    RiskLevel,
    Sex,
    StatusDecisionMaker,
    TraffickerRelationship,
    TraffickingStatus,
)
from vault.fields import BlindIndexField, EncryptedField
from vault.models import DataKey

OPEN_STATES = [CaseStatus.REFERRED, CaseStatus.IN_ASSESSMENT, CaseStatus.PENDING_APPROVAL, CaseStatus.ACTIVE]


class CaseReferenceCounter(models.Model):
    """Last reference number issued per year, so references are never reused."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class Case(ConcurrentTransitionMixin, models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="cases")
    referring_agency = models.CharField(_("referring agency"), max_length=200)
    intake_channel = models.CharField(max_length=8, choices=IntakeChannel.choices, default=IntakeChannel.WEB)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_submitted", null=True
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases_assigned", null=True, blank=True
    )
    exploitation_types = models.JSONField(_("exploitation types"), default=list, blank=True)
    consent_given = models.BooleanField(_("consent given"), default=False)
    consent_date = models.DateField(_("consent date"), null=True, blank=True)
    summary = EncryptedField()
    needs = models.JSONField(_("needs"), default=list, blank=True)
    risk_level = models.CharField(_("risk level"), max_length=8, choices=RiskLevel.choices, blank=True)
    assessment_notes = EncryptedField()
    # Optional coded assessment fields whose values are HTCDS v2.0 value names
    # (docs/htcds.md): lists hold several values of one picklist.
    trafficking_status = models.CharField(
        _("trafficking status"), max_length=40, choices=TraffickingStatus.choices, blank=True
    )
    status_decided_by = models.CharField(
        _("trafficking status decided by"), max_length=40, choices=StatusDecisionMaker.choices, blank=True
    )
    methods_of_control = models.JSONField(_("methods of control"), default=list, blank=True)
    recruitment_methods = models.JSONField(_("methods of recruitment"), default=list, blank=True)
    relationship_to_trafficker = models.CharField(
        _("relationship to trafficker"), max_length=20, choices=TraffickerRelationship.choices, blank=True
    )
    age_when_trafficked = models.PositiveSmallIntegerField(_("age when trafficked"), null=True, blank=True)
    support_types = models.JSONField(_("support plan types"), default=list, blank=True)
    status = FSMField(default=CaseStatus.REFERRED, choices=CaseStatus.choices, protected=True, db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True, help_text=_("First submitted for approval."))
    approved_at = models.DateTimeField(null=True, blank=True)
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-reference"]
        indexes = [
            # Each list filter with the list's order, so a page is read from
            # the index in order instead of sorting every matching case.
            models.Index(fields=["organisation", "-created_at", "-reference"], name="case_org_created"),
            models.Index(
                fields=["organisation", "status", "-created_at", "-reference"], name="case_org_status_created"
            ),
            models.Index(fields=["-created_at", "-reference"], name="case_created"),
            models.Index(fields=["status", "-created_at", "-reference"], name="case_status_created"),
            models.Index(fields=["created_by", "-created_at", "-reference"], name="case_creator_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(consent_given=False) | models.Q(consent_date__isnull=False),
                name="case_consent_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("referrals:case_detail", kwargs={"case_id": self.pk})

    def vault_data_key(self) -> DataKey:
        return self.data_key

    # Transitions are pure: the services in referrals.services check who may
    # call them, save, and record the audit event.
    @transition(field=status, source=CaseStatus.REFERRED, target=CaseStatus.IN_ASSESSMENT)
    def start_assessment(self) -> None:
        pass

    @transition(field=status, source=CaseStatus.IN_ASSESSMENT, target=CaseStatus.PENDING_APPROVAL)
    def submit_for_approval(self) -> None:
        pass

    @transition(field=status, source=CaseStatus.PENDING_APPROVAL, target=CaseStatus.ACTIVE)
    def approve(self) -> None:
        pass

    @transition(field=status, source=CaseStatus.PENDING_APPROVAL, target=CaseStatus.REJECTED)
    def reject(self) -> None:
        pass

    @transition(field=status, source=CaseStatus.PENDING_APPROVAL, target=CaseStatus.IN_ASSESSMENT)
    def return_to_assessment(self) -> None:
        pass

    @transition(field=status, source=CaseStatus.ACTIVE, target=CaseStatus.CLOSED)
    def close(self) -> None:
        pass

    @transition(field=status, source=OPEN_STATES, target=CaseStatus.WITHDRAWN)
    def withdraw(self) -> None:
        pass

    @transition(field=status, source=[CaseStatus.CLOSED, CaseStatus.REJECTED], target=CaseStatus.IN_ASSESSMENT)
    def reopen(self) -> None:
        pass


class VictimProfile(models.Model):
    """The referred person. Personal fields are sealed under the case's data key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="victim")
    full_name = EncryptedField()
    other_names = EncryptedField()
    date_of_birth = EncryptedField(kind="date")
    document_number = EncryptedField()
    phone = EncryptedField()
    address = EncryptedField()
    next_of_kin = EncryptedField()
    sex = models.CharField(max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    age_band = models.CharField(max_length=8, choices=AgeBand.choices, default=AgeBand.UNKNOWN)
    nationality = models.CharField(max_length=2, blank=True, help_text=_("ISO 3166-1 alpha-2 code."))
    citizenship = models.JSONField(
        default=list, blank=True, help_text=_("Every citizenship, ISO 3166-1 alpha-2 codes.")
    )
    document_type = models.CharField(max_length=20, choices=DocumentType.choices, default=DocumentType.NONE)
    region = models.CharField(max_length=100, blank=True)
    document_number_index = BlindIndexField(source="document_number", normaliser="document")
    phone_index = BlindIndexField(source="phone", normaliser="phone")
    name_dob_index = BlindIndexField(source=("full_name", "date_of_birth"), normaliser="name_dob")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["nationality"], name="victim_nationality")]

    def __str__(self) -> str:
        return f"victim profile of {self.case_id}"

    def vault_data_key(self) -> DataKey:
        return self.case.data_key


PERSONAL_FIELDS = [
    "full_name",
    "other_names",
    "date_of_birth",
    "document_number",
    "phone",
    "address",
    "next_of_kin",
]
