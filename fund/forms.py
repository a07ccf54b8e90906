"""Forms of the fund pages. They parse input; the services decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from fund.bank_files import STATEMENT_MAX_BYTES
from fund.choices import PayeeType
from referrals.choices import AssistanceCategory

MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0.01")}


class StyledForm(forms.Form):
    """Gives every widget its Bootstrap class, so templates stay plain."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()


class DepositForm(StyledForm):
    amount = forms.DecimalField(label=_("Amount"), **MONEY)
    source = forms.CharField(
        label=_("Source"), max_length=200, help_text=_("For example: government budget 2026, or a donor's name.")
    )
    reference = forms.CharField(label=_("Reference"), max_length=100, help_text=_("The bank's transfer reference."))


class DisbursementForm(StyledForm):
    category = forms.ChoiceField(label=_("Category"), choices=AssistanceCategory.choices)
    amount = forms.DecimalField(label=_("Amount"), **MONEY)
    payee_type = forms.ChoiceField(
        label=_("Payee"),
        choices=PayeeType.choices,
        help_text=_("The victim, or a vendor such as a clinic, shelter, lawyer or travel agent."),
    )
    payee_name = forms.CharField(label=_("Account holder's name"), max_length=200)
    payee_account = forms.CharField(label=_("Account number (IBAN)"), max_length=64)
    justification = forms.CharField(
        label=_("Justification"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the payment is for. Do not write the victim's personal details here."),
    )


class BlankTextInput(forms.TextInput):
    """A text input that never writes a value into the page, not even the one
    just posted: payee details are personal data kept encrypted."""

    def format_value(self, value):
        return None


PAYEE_FIELDS = ("payee_name", "payee_account")


class DisbursementEditForm(DisbursementForm):
    """Change a draft. Payee name and account start empty, and an empty one
    keeps the stored value: the stored payee details are never shown."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in PAYEE_FIELDS:
            field = self.fields[name]
            field.required = False
            field.help_text = _("Leave empty to keep the current details.")
            field.widget = BlankTextInput(attrs={**field.widget.attrs, "autocomplete": "off"})

    def changes(self) -> dict:
        """The cleaned fields for fund.services.disbursement_update, without
        the payee fields left empty."""
        return {name: value for name, value in self.cleaned_data.items() if name not in PAYEE_FIELDS or value}


class TransitionForm(StyledForm):
    reason = forms.CharField(label=_("Reason or comment"), max_length=2000, required=False)
    payment_reference = forms.CharField(label=_("Payment reference"), max_length=100, required=False)
    statement_reference = forms.CharField(label=_("Bank statement reference"), max_length=100, required=False)


class PayeeRevealForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason for seeing the payee details"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: preparing the transfers at the bank. Recorded in the audit log for each payment."),
    )


class StatementImportForm(StyledForm):
    statement_reference = forms.CharField(
        label=_("Statement reference"), max_length=100, help_text=_("As printed on the bank statement.")
    )
    file = forms.FileField(
        label=_("Bank statement (CSV)"),
        help_text=_("Columns: payment_reference (or reference) and amount; date and description optional."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > STATEMENT_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MiB."))
        return upload
