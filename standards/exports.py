"""The HTCDS and CTDC exports (DESIGN.md §12), each audited before it is
answered, with its filter and row counts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from audit.services import audit_record_now
from referrals.models import Case
from standards import ctdc, htcds
from standards.selectors import assistance_given, cases_registered, victim_profiles

CHUNK_SIZE = 2000


@dataclass
class ExportFilter:
    since: dt.date | None = None
    until: dt.date | None = None

    def describe(self) -> dict:
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }

    def filename(self, stem: str, extension: str) -> str:
        since = self.since.isoformat() if self.since else "start"
        until = (self.until or timezone.localdate()).isoformat()
        return f"{stem}-{since}-to-{until}.{extension}"


def htcds_records(export_filter: ExportFilter) -> list[dict]:
    cases = cases_registered(since=export_filter.since, until=export_filter.until)
    profiles = victim_profiles(cases)
    given = assistance_given(cases)
    return [
        htcds.htcds_record(case, profile=profiles.get(case.pk), paid_categories=sorted(given.get(case.pk, ())))
        for case in cases.iterator(chunk_size=CHUNK_SIZE)
    ]


def htcds_export(*, actor, export_filter: ExportFilter, fmt: str) -> list[dict]:
    """The de-identified HTCDS records, after recording `export.htcds`."""
    records = htcds_records(export_filter)
    audit_record_now(
        action="export.htcds",
        actor=actor,
        object_type="export",
        payload={"standard": "HTCDS 2.0", "format": fmt, "filter": export_filter.describe(), "rows": len(records)},
    )
    return records


def htcds_workbook(records: list[dict]):
    """An XLSX file laid out like the HTCDS Excel template: field names on the
    first row, labels on the second, one case a row from the third."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="HTCDS")
    sheet.append(htcds.FIELD_NAMES)
    sheet.append([label for _name, label in htcds.COLUMNS])
    for record in records:
        sheet.append(htcds.spreadsheet_row(record))
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it)
    workbook.save(spool)
    spool.seek(0)
    return spool


def ctdc_facts(case: Case, profile) -> ctdc.CaseFacts:
    citizenship = htcds.citizenship(profile)
    return ctdc.CaseFacts(
        year=timezone.localtime(case.created_at).year,
        sex=profile.sex if profile else "unknown",
        age_band=profile.age_band if profile else "unknown",
        citizenship=citizenship[0] if citizenship else "",
        exploitation_types=tuple(case.exploitation_types),
        methods_of_control=tuple(case.methods_of_control),
        relationship_to_trafficker=case.relationship_to_trafficker,
    )


def ctdc_export(*, actor, export_filter: ExportFilter) -> ctdc.Anonymised:
    """The k-anonymised CTDC rows, after recording `export.ctdc` with how
    many records were generalised and suppressed."""
    cases = cases_registered(since=export_filter.since, until=export_filter.until)
    profiles = victim_profiles(cases)
    country = settings.VAF_COUNTRY
    rows = [
        ctdc.ctdc_row(ctdc_facts(case, profiles.get(case.pk)), country=country)
        for case in cases.iterator(chunk_size=CHUNK_SIZE)
    ]
    result = ctdc.k_anonymise(rows, k=settings.VAF_CTDC_K)
    audit_record_now(
        action="export.ctdc",
        actor=actor,
        object_type="export",
        payload={
            "standard": "CTDC",
            "format": "csv",
            "filter": export_filter.describe(),
            "k": result.k,
            "records": len(rows),
            "rows": len(result.rows),
            "suppressed": result.suppressed,
            "generalised": result.generalised,
        },
    )
    return result


def ctdc_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=ctdc.COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
