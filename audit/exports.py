"""Exports of the audit log (CSV streamed, XLSX written to a temporary file).

Every export is itself audited (`audit.exported`) before its first byte
leaves, in a transaction of its own, with the format, the filters and the
exact row count: the rows are fixed by the head sequence at that moment, and
the log is append-only, so the count stays true while the file streams.

Cells that a spreadsheet would read as a formula get a leading apostrophe
(config.spreadsheets).

An export made in Arabic also carries the Hijri (Umm al-Qura) date beside
each Gregorian one, marked هـ, in a column headed in Arabic; English exports
keep exactly the machine columns.
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Iterable, Iterator
from types import SimpleNamespace

from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from audit.chain import EVENT_FIELDS, format_time
from audit.sealed_reasons import reason_text
from audit.selectors import EventFilters, events_for_export, head_seq
from audit.services import audit_record_now
from config.errors import ValidationFailed
from config.formats import format_hijri, hijri_beside_gregorian
from config.spreadsheets import neutralise_formula

# One sheet holds 1,048,576 rows, the header included.
XLSX_MAX_ROWS = 1_048_575
CHUNK_SIZE = 2000  # rows read from the database at a time
CSV_BATCH_ROWS = 500  # rows sent to the client at a time
FORMATS = ("csv", "xlsx", "jsonl")

EVENT_COLUMNS = list(EVENT_FIELDS)
ACCESS_COLUMNS = [
    "seq",
    "occurred_at",
    "actor_username",
    "action",
    "case_reference",
    "object_type",
    "object_id",
    "reason",
    "ip",
]


def neutralise(value):
    """Text through config.spreadsheets.neutralise_formula; numbers and empty
    cells keep their type (an XLSX number cell is never a formula)."""
    return neutralise_formula(value) if isinstance(value, str) else value


def _text(value) -> str:
    if value is None:
        return ""
    return str(value)


def _payload_text(payload) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_rows(events) -> Iterator[list]:
    fields = list(EVENT_COLUMNS)
    for values in events.values_list(*fields).iterator(chunk_size=CHUNK_SIZE):
        row = dict(zip(fields, values, strict=True))
        yield [
            row["seq"],
            format_time(row["occurred_at"]),
            _text(row["actor_id"]),
            row["actor_username"],
            row["action"],
            row["object_type"],
            row["object_id"],
            _payload_text(row["payload"]),
            row["reason"],
            _text(row["ip"]),
            row["prev_hash"],
            row["hash"],
        ]


def case_reference_of(payload) -> str:
    if not isinstance(payload, dict):
        return ""
    return str(payload.get("reference") or payload.get("case_reference") or "")


def access_rows(events) -> Iterator[list]:
    fields = ["seq", "occurred_at", "actor_username", "action", "payload", "object_type", "object_id", "reason", "ip"]
    keys: dict = {}
    for values in events.values_list(*fields).iterator(chunk_size=CHUNK_SIZE):
        row = dict(zip(fields, values, strict=True))
        # The access review is read by people: sealed reasons as text.
        row["reason"] = reason_text(SimpleNamespace(seq=row["seq"], reason=row["reason"]), keys=keys)
        yield [
            row["seq"],
            format_time(row["occurred_at"]),
            row["actor_username"],
            row["action"],
            case_reference_of(row["payload"]),
            row["object_type"],
            row["object_id"],
            row["reason"],
            _text(row["ip"]),
        ]


def with_hijri_dates(header: list[str], rows: Iterable[list], *, date_column: str) -> tuple[list[str], Iterable[list]]:
    """In Arabic, a Hijri date column right after `date_column` (an ISO 8601
    time in UTC: the Hijri date is that of the same UTC day); otherwise the
    header and rows unchanged."""
    if not hijri_beside_gregorian():
        return header, rows
    language = get_language()  # the rows are written after the request returns
    at = header.index(date_column) + 1
    hijri_header = [*header[:at], _("Hijri date (Umm al-Qura)"), *header[at:]]

    def hijri_rows() -> Iterator[list]:
        for row in rows:
            yield [*row[:at], format_hijri(row[at - 1], language=language), *row[at:]]

    return hijri_header, hijri_rows()


def event_json_lines(events) -> Iterator[str]:
    """One JSON object per event, exactly the hashed fields and the hash: the
    input of the offline verifier (`python -m audit.offline_verify`)."""
    fields = list(EVENT_COLUMNS)
    batch: list[str] = []
    for values in events.values_list(*fields).iterator(chunk_size=CHUNK_SIZE):
        row = dict(zip(fields, values, strict=True))
        row["occurred_at"] = format_time(row["occurred_at"])
        row["actor_id"] = str(row["actor_id"]) if row["actor_id"] else None
        batch.append(json.dumps(row, sort_keys=True, ensure_ascii=False) + "\n")
        if len(batch) >= CSV_BATCH_ROWS:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


class _Echo:
    """A file-like object whose write returns the line, for streaming CSV."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    """The header at once, then the rows in batches (not one write per line)."""
    writer = csv.writer(_Echo())
    # A byte order mark, so spreadsheet programs read Arabic text as UTF-8.
    yield "\ufeff" + writer.writerow(header)
    batch: list[str] = []
    for row in rows:
        batch.append(writer.writerow([neutralise(value) for value in row]))
        if len(batch) >= CSV_BATCH_ROWS:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def csv_response(*, header: list[str], rows: Iterable[list], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(*, header: list[str], rows: Iterable[list], filename: str, title: str) -> FileResponse:
    """Written by openpyxl's write-only workbook (rows go to disk, not memory)."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(header)
    for row in rows:
        sheet.append([neutralise(ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v) for v in row])
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def audit_log_export(*, actor, filters: EventFilters, fmt: str, view: str = "events", actions: tuple[str, ...] = ()):
    """Record the export, then answer it as a file. Refuses, writing nothing,
    an unknown format or an XLSX export too long for one sheet."""
    if fmt not in FORMATS:
        raise ValidationFailed(_("Unknown export format."), errors={"format": [_("Choose CSV or XLSX.")]})
    if fmt == "jsonl" and view != "events":
        raise ValidationFailed(
            _("Only the event log exports as JSON Lines."), errors={"format": [_("Choose CSV or XLSX.")]}
        )
    up_to_seq = head_seq()
    events = events_for_export(filters, actions=actions, up_to_seq=up_to_seq)
    count = events.count()
    if fmt == "xlsx" and count > XLSX_MAX_ROWS:
        raise ValidationFailed(
            _("Too many events for one spreadsheet: narrow the filters or export CSV."),
            errors={"format": [_("Too many rows for XLSX.")]},
        )
    audit_record_now(
        action="audit.exported",
        actor=actor,
        object_type="audit",
        payload={"format": fmt, "view": view, "filters": filters.describe(), "rows": count, "up_to_seq": up_to_seq},
    )
    if view == "access_review":
        header, rows = ACCESS_COLUMNS, access_rows(events)
    else:
        header, rows = EVENT_COLUMNS, event_rows(events)
    header, rows = with_hijri_dates(header, rows, date_column="occurred_at")
    filename = f"audit-{view.replace('_', '-')}-to-{up_to_seq}.{fmt}"
    if fmt == "jsonl":
        response = StreamingHttpResponse(event_json_lines(events), content_type="application/jsonl; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    if fmt == "csv":
        return csv_response(header=header, rows=rows, filename=filename)
    return xlsx_response(header=header, rows=rows, filename=filename, title=view)
