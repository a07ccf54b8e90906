"""One spreadsheet row as a referral, checked by the same rules as the API
(referrals.validation), with every problem tied to its cell."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from config.errors import ValidationFailed
from referrals.choices import DocumentType
from referrals.services import ReferralInput
from referrals.validation import validate_case_fields, validate_victim_fields
from standards.intake.cells import CellError
from standards.intake.columns import CODED, Layout
from standards.intake.files import Cell
from vault.masking import mask_value

VICTIM_FIELDS = (
    "full_name",
    "other_names",
    "date_of_birth",
    "sex",
    "nationality",
    "citizenship",
    "document_type",
    "document_number",
    "phone",
    "address",
    "region",
)
ADDRESS_PARTS = ("address_street", "address_city", "address_state", "address_postcode", "address_country")
NAME_PARTS = ("first_name", "middle_name", "second_name")
# Where a service's error about a field points in an HTCDS sheet.
HTCDS_SOURCES = {
    "full_name": "first_name",
    "address": "address_street",
    "consent_date": "referral_date",
    "nationality": "citizenship",
}


@dataclass
class RowIssue:
    cell: str
    column: str
    message: str


@dataclass
class ParsedRow:
    number: int
    referral: ReferralInput | None = None
    errors: list[RowIssue] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    preview: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _values(layout: Layout, number: int, row: list[Cell], parsed: ParsedRow) -> tuple[dict, dict]:
    """field -> typed value, and field -> (cell, column) it came from."""
    values: dict = {}
    sources: dict = {}
    for index, (header, name, parser) in layout.columns.items():
        cell = row[index] if index < len(row) else Cell(f"?{number}", None)
        sources[name] = (cell.ref, header)
        if cell.formula:
            parsed.errors.append(RowIssue(cell.ref, header, _("Formulas are not accepted: type the value itself.")))
            continue
        try:
            values[name] = parser(cell.value)
        except CellError as exc:
            parsed.errors.append(RowIssue(cell.ref, header, str(exc)))
    return values, sources


def _join(values: dict, parts, separator: str) -> str:
    return separator.join(v for v in (values.pop(p, "") for p in parts) if v)


def _from_htcds(values: dict) -> None:
    """HTCDS fields to ours: name and address parts joined, citizenship's first
    code as the nationality, the referral date as the consent date."""
    values["full_name"] = _join(values, NAME_PARTS, " ")
    address = _join(values, ADDRESS_PARTS, ", ")
    if address:
        values["address"] = address
    home_phone = values.pop("home_phone", "")
    if not values.get("phone") and home_phone:
        values["phone"] = home_phone
    if values.get("citizenship"):
        values["nationality"] = values["citizenship"][0]
    if values.get("document_number"):
        values["document_type"] = DocumentType.NATIONAL_ID
    referral_date = values.pop("referral_date", None)
    if values.get("consent_given"):
        values["consent_date"] = referral_date


def _referral(values: dict, *, default_agency: str, today: dt.date) -> ReferralInput:
    victim = {name: values[name] for name in VICTIM_FIELDS if values.get(name) not in (None, "", [])}
    consent_given = bool(values.get("consent_given"))
    return ReferralInput(
        referring_agency=values.get("referring_agency") or default_agency,
        exploitation_types=values.get("exploitation_types") or [],
        summary=values.get("summary") or "",
        consent_given=consent_given,
        consent_date=(values.get("consent_date") or today) if consent_given else None,
        victim=victim,
        coded={name: values[name] for name in CODED if values.get(name) not in (None, "", [])},
    )


def _service_errors(referral: ReferralInput, sources: dict, layout: Layout, number: int) -> list[RowIssue]:
    issues = []
    checks = (
        lambda: validate_case_fields(
            {
                "referring_agency": referral.referring_agency,
                "exploitation_types": referral.exploitation_types,
                "consent_given": referral.consent_given,
                "consent_date": referral.consent_date,
                "summary": referral.summary,
                **referral.coded,
            },
            creating=True,
        ),
        lambda: validate_victim_fields(referral.victim),
    )
    for check in checks:
        try:
            check()
        except ValidationFailed as exc:
            for key, messages in (exc.errors or {}).items():
                name = key.removeprefix("victim.").replace("consent.", "consent_")
                if layout.kind == "htcds":
                    name = HTCDS_SOURCES.get(name, name)
                cell, column = sources.get(name) or (_("row %(n)d") % {"n": number}, layout.header_for(name))
                issues.extend(RowIssue(cell, column, str(m)) for m in messages)
    return issues


def parse_row(layout: Layout, number: int, row: list[Cell], *, default_agency: str, today: dt.date) -> ParsedRow:
    parsed = ParsedRow(number=number)
    values, sources = _values(layout, number, row, parsed)
    if layout.kind == "htcds":
        _from_htcds(values)
    referral = _referral(values, default_agency=default_agency, today=today)
    parsed.preview = {
        "full_name": mask_value(referral.victim.get("full_name")),
        "sex": referral.victim.get("sex", ""),
        "nationality": referral.victim.get("nationality", ""),
        "exploitation_types": referral.exploitation_types,
    }
    if not parsed.errors:
        parsed.errors.extend(_service_errors(referral, sources, layout, number))
    if not parsed.errors:
        parsed.referral = referral
    return parsed
