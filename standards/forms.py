from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from referrals.forms import BootstrapForm


class SpreadsheetForm(BootstrapForm):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("An HTCDS Excel template (.xlsx) or this system's template (.xlsx or .csv)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    referring_agency = forms.CharField(
        label=_("Referring agency"),
        max_length=200,
        required=False,
        help_text=_("Used for rows that do not name their referring agency."),
    )
