"""The upload form of the case page. The file itself is received by the
sealing upload handler and handed to the service, not to this form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from documents.choices import DocumentKind
from fund.forms import StyledForm


class DocumentUploadForm(StyledForm):
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("PDF, PNG or JPEG. Images are re-encoded without their metadata (such as a GPS position)."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    disbursement = forms.ChoiceField(label=_("Payment request"), required=False)

    def __init__(self, *args, case=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("None: the case itself"))]
        if case is not None:
            for d in case.disbursements.order_by("created_at"):
                choices.append(
                    (str(d.pk), f"{d.get_category_display()}, {d.amount} {d.currency} ({d.get_status_display()})")
                )
        self.fields["disbursement"].choices = choices
