"""Web forms for intake, assessment and victim details.

Forms parse types; the domain rules are the services' (referrals.validation),
whose errors `add_domain_errors` attaches to the fields they name.
"""

from __future__ import annotations

from functools import cache

import pycountry
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.errors import DomainError
from referrals.choices import (
    AssistanceCategory,
    CaseStatus,
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

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


@cache
def country_choices() -> list[tuple[str, str]]:
    countries = sorted(pycountry.countries, key=lambda c: c.name)
    return [("", "—"), *((c.alpha_2, f"{c.name} ({c.alpha_2})") for c in countries)]


class BootstrapForm(forms.Form):
    """Bootstrap classes on widgets, and `is-invalid` on fields with errors."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple)):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = css

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                classes = self.fields[name].widget.attrs.get("class", "")
                if "is-invalid" not in classes:
                    self.fields[name].widget.attrs["class"] = f"{classes} is-invalid".strip()


def add_domain_errors(form: forms.Form, exc: DomainError) -> None:
    """Attach a service's field errors ("victim.full_name", "consent.date") to the form."""
    aliases = {"consent.date": "consent_date", "consent.given": "consent_given"}
    for key, messages in (exc.errors or {}).items():
        name = aliases.get(key, key.removeprefix("victim.").removeprefix("assessment."))
        for message in messages:
            form.add_error(name if name in form.fields else None, message)
    if not exc.errors:
        form.add_error(None, exc.detail)


class VictimFieldsMixin(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    other_names = forms.CharField(label=_("Other names or aliases"), max_length=300, required=False)
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=DATE_WIDGET)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    nationality = forms.ChoiceField(label=_("Nationality"), choices=(), required=False)
    document_type = forms.ChoiceField(label=_("Identity document"), choices=DocumentType.choices)
    document_number = forms.CharField(label=_("Document number"), max_length=50, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    address = forms.CharField(label=_("Address"), max_length=500, required=False, widget=forms.Textarea({"rows": 2}))
    next_of_kin = forms.CharField(
        label=_("Next of kin"), max_length=500, required=False, widget=forms.Textarea({"rows": 2})
    )
    region = forms.CharField(label=_("Region"), max_length=100, required=False)

    VICTIM_FIELDS = [
        "full_name",
        "other_names",
        "date_of_birth",
        "sex",
        "nationality",
        "document_type",
        "document_number",
        "phone",
        "address",
        "next_of_kin",
        "region",
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["nationality"].choices = country_choices()

    def victim_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.VICTIM_FIELDS}


class ReferralForm(VictimFieldsMixin, BootstrapForm):
    referring_agency = forms.CharField(label=_("Referring agency"), max_length=200)
    summary = forms.CharField(
        label=_("Summary of the referral"),
        required=False,
        max_length=10000,
        widget=forms.Textarea({"rows": 4}),
        help_text=_("Stored encrypted."),
    )
    exploitation_types = forms.MultipleChoiceField(
        label=_("Exploitation types"), choices=ExploitationType.choices, widget=forms.CheckboxSelectMultiple
    )
    consent_given = forms.BooleanField(
        label=_("The person gave informed consent to this referral"),
        required=False,  # the service names the missing consent, like the API does
    )
    consent_date = forms.DateField(label=_("Date consent was given"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consent_date"].initial = timezone.localdate

    sections = [
        (_("Referring agency"), ["referring_agency", "summary"]),
        (_("Victim identity"), VictimFieldsMixin.VICTIM_FIELDS),
        (_("Exploitation"), ["exploitation_types"]),
        (_("Consent"), ["consent_given", "consent_date"]),
    ]

    def fieldsets(self):
        return [(title, [self[name] for name in names]) for title, names in self.sections]


class VictimForm(VictimFieldsMixin, BootstrapForm):
    pass


class AssessmentForm(BootstrapForm):
    exploitation_types = forms.MultipleChoiceField(
        label=_("Exploitation types"), choices=ExploitationType.choices, widget=forms.CheckboxSelectMultiple
    )
    consent_given = forms.BooleanField(label=_("The person gave informed consent"), required=False)
    consent_date = forms.DateField(label=_("Date consent was given"), required=False, widget=DATE_WIDGET)
    needs = forms.MultipleChoiceField(
        label=_("Needs"), choices=AssistanceCategory.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=[("", "—"), *RiskLevel.choices], required=False)
    assessment_notes = forms.CharField(
        label=_("Assessment notes"),
        required=False,
        max_length=10000,
        widget=forms.Textarea({"rows": 5}),
        help_text=_("Stored encrypted."),
    )
    # Optional coded fields (HTCDS value names, docs/htcds.md).
    trafficking_status = forms.ChoiceField(
        label=_("Trafficking status"), choices=[("", "—"), *TraffickingStatus.choices], required=False
    )
    status_decided_by = forms.ChoiceField(
        label=_("Trafficking status decided by"), choices=[("", "—"), *StatusDecisionMaker.choices], required=False
    )
    methods_of_control = forms.MultipleChoiceField(
        label=_("Methods of control"),
        choices=MethodOfControl.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    recruitment_methods = forms.MultipleChoiceField(
        label=_("Methods of recruitment"),
        choices=RecruitmentMethod.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    relationship_to_trafficker = forms.ChoiceField(
        label=_("Relationship to the trafficker"),
        choices=[("", "—"), *TraffickerRelationship.choices],
        required=False,
    )
    age_when_trafficked = forms.IntegerField(
        label=_("Age when first trafficked (years)"), min_value=0, max_value=120, required=False
    )
    support_types = forms.MultipleChoiceField(
        label=_("Support plan types"), choices=SupportType.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    def changes(self) -> dict:
        """The `changes` argument of services.case_update."""
        return dict(self.cleaned_data)


class ReasonForm(BootstrapForm):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea({"rows": 2}))


class CaseFilterForm(BootstrapForm):
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("Any status")), *CaseStatus.choices], required=False)
    reference = forms.CharField(label=_("Reference"), max_length=20, required=False)


class DocumentSearchForm(BootstrapForm):
    """Sent by POST so the document number never appears in a URL or a log."""

    document_number = forms.CharField(label=_("Document number"), max_length=50)
