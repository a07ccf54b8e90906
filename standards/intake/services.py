"""Referral intake from a spreadsheet: a dry run that reports row by row,
then the import, each row through the same intake service as the API.

Each row is its own transaction: a bad row never blocks the others, and no
lock is held for the whole file. A row already imported from the same file
(same SHA-256, same row number) is skipped, so uploading a file twice
creates nothing new.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record_now
from config.errors import PermissionDenied
from referrals import selectors
from referrals.choices import IntakeChannel
from referrals.services import referral_create
from standards.intake.columns import layout_of
from standards.intake.files import read_sheet
from standards.intake.rows import ParsedRow, parse_row
from standards.models import ImportedRow
from standards.permissions import may_import_spreadsheet


@dataclass
class IntakeReport:
    file_sha256: str
    layout: str
    rows: list[ParsedRow]
    ignored_columns: list[str]
    created: list[str] = field(default_factory=list)  # references
    already_imported: list[int] = field(default_factory=list)  # row numbers

    @property
    def valid(self) -> list[ParsedRow]:
        return [row for row in self.rows if row.ok]

    @property
    def invalid(self) -> list[ParsedRow]:
        return [row for row in self.rows if not row.ok]


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _identity_key(row: ParsedRow) -> list[tuple]:
    victim = row.referral.victim
    keys = []
    if victim.get("document_number"):
        keys.append(("document", victim["document_number"].replace(" ", "").upper()))
    if victim.get("full_name") and victim.get("date_of_birth"):
        keys.append(("name_dob", victim["full_name"].casefold(), victim["date_of_birth"]))
    return keys


def _mark_duplicates(*, actor, rows: list[ParsedRow]) -> None:
    """Existing cases with the same identifiers (blind indexes), and earlier
    rows of the same file that name the same person."""
    seen: dict[tuple, int] = {}
    for row in rows:
        if not row.ok:
            continue
        victim = row.referral.victim
        row.duplicates = selectors.cases_matching_identifiers(
            user=actor,
            document_number=victim.get("document_number"),
            phone=victim.get("phone"),
            full_name=victim.get("full_name"),
            date_of_birth=victim.get("date_of_birth"),
        )
        for key in _identity_key(row):
            if key in seen:
                row.duplicates.append(_("row %(n)d") % {"n": seen[key]})
            else:
                seen[key] = row.number


def spreadsheet_check(*, actor, name: str, data: bytes, default_agency: str) -> IntakeReport:
    """The dry run: every row parsed and validated, nothing written."""
    if not may_import_spreadsheet(actor):
        raise PermissionDenied(_("Only caseworkers of an organisation may import referrals."))
    sheet = read_sheet(name=name, data=data)
    layout = layout_of(sheet.header)
    today = timezone.localdate()
    rows = [
        parse_row(layout, number, cells, default_agency=default_agency, today=today)
        for number, cells in sheet.rows
        if not (number == 2 and layout.skips_label_row(cells))
    ]
    digest = file_sha256(data)
    done = set(ImportedRow.objects.filter(file_sha256=digest).values_list("row_number", flat=True))
    report = IntakeReport(file_sha256=digest, layout=layout.kind, rows=rows, ignored_columns=layout.ignored)
    report.already_imported = sorted(row.number for row in rows if row.number in done)
    _mark_duplicates(actor=actor, rows=rows)
    return report


def _import_row(*, actor, digest: str, row: ParsedRow) -> str | None:
    """The new case's reference, or None when the row was imported before."""
    try:
        with transaction.atomic():
            if ImportedRow.objects.filter(file_sha256=digest, row_number=row.number).exists():
                return None
            case = referral_create(actor=actor, referral=row.referral, channel=IntakeChannel.SPREADSHEET)
            ImportedRow.objects.create(file_sha256=digest, row_number=row.number, case=case, imported_by=actor)
            return case.reference
    except IntegrityError:  # the same row imported by a concurrent upload
        return None


def spreadsheet_import(*, actor, name: str, data: bytes, default_agency: str) -> IntakeReport:
    """Create a case for every valid row not imported before; rows with errors
    are left out and reported. One audit event per case (`case.referred`)
    and one for the upload."""
    report = spreadsheet_check(actor=actor, name=name, data=data, default_agency=default_agency)
    for row in report.valid:
        reference = _import_row(actor=actor, digest=report.file_sha256, row=row)
        if reference is None:
            if row.number not in report.already_imported:
                report.already_imported.append(row.number)
        else:
            report.created.append(reference)
    audit_record_now(
        action="intake.spreadsheet_imported",
        actor=actor,
        object_type="intake",
        payload={
            "file_sha256": report.file_sha256,
            "layout": report.layout,
            "rows": len(report.rows),
            "created": report.created,
            "already_imported": len(report.already_imported),
            "rows_with_errors": [row.number for row in report.invalid],
        },
    )
    return report
