"""This project's own referral spreadsheet template: one column per field,
and (in the XLSX) a sheet listing the accepted values."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _

from referrals.choices import DocumentType, ExploitationType, Sex
from standards.intake.columns import CODED, VAF_COLUMNS, VAF_REQUIRED

ACCEPTED = {
    "sex": ", ".join(Sex.values),
    "document_type": ", ".join(DocumentType.values),
    "exploitation_types": ", ".join(ExploitationType.values),
    "nationality": "ISO 3166-1 alpha-2 (PH)",
    "citizenship": "ISO 3166-1 alpha-2, ';' between codes",
    "date_of_birth": "YYYY-MM-DD",
    "consent_date": "YYYY-MM-DD",
    "consent_given": "TRUE / FALSE",
    "age_when_trafficked": "0-120",
}


def _accepted(name: str) -> str:
    if name in ACCEPTED:
        return ACCEPTED[name]
    parser = CODED.get(name)
    accepted = getattr(parser, "keywords", {}).get("accepted")
    return ", ".join(accepted) if accepted else ""


def template_csv() -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(list(VAF_COLUMNS))
    return out.getvalue()


def template_xlsx() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Referrals"
    sheet.append(list(VAF_COLUMNS))
    help_sheet = workbook.create_sheet("Accepted values")
    help_sheet.append([_("Column"), _("Required"), _("Accepted values")])
    for name in VAF_COLUMNS:
        help_sheet.append([name, _("yes") if name in VAF_REQUIRED else "", _accepted(name)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
