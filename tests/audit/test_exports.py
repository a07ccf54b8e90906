"""Exports of the log and of the access review: CSV streamed, XLSX, formula
neutralising, and each export audited with its format, filters and row count."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.db import transaction
from django.http import StreamingHttpResponse
from django.urls import reverse
from openpyxl import load_workbook

from audit.chain import event_hash, format_time
from audit.exports import neutralise
from audit.models import AuditEvent
from audit.services import audit_record
from tests.factories import make_user

BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def auditor(db):
    return make_user("auditor", username="auditor-exports")


@pytest.fixture
def auditor_client(client, auditor):
    client.force_login(auditor, backend=BACKEND)
    return client


def record(**fields) -> AuditEvent:
    with transaction.atomic():
        return audit_record(**{"action": "test.event", **fields})


def csv_rows(response) -> list[dict]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("plain text", "plain text"),
        ("a=b", "a=b"),
        (42, 42),
        (None, None),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_csv_export_streams_the_filtered_range_and_is_audited(auditor_client, auditor):
    record(action="case.viewed", reason="first")
    record(action="case.approve")
    record(action="case.viewed", reason="=cmd|' /C calc'!A0")
    response = auditor_client.post(reverse("audit:event_export"), {"format": "csv", "action": "case.viewed"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert [row["action"] for row in rows] == ["case.viewed", "case.viewed"]
    assert rows[0]["reason"] == "first"
    assert rows[1]["reason"] == "'=cmd|' /C calc'!A0"

    exported = AuditEvent.objects.order_by("-seq").first()
    assert exported.action == "audit.exported" and exported.actor_username == auditor.username
    assert exported.payload["format"] == "csv"
    assert exported.payload["filters"] == {"action": "case.viewed"}
    assert exported.payload["rows"] == 2
    assert exported.payload["up_to_seq"] == exported.seq - 1


def test_csv_rows_carry_what_an_outside_verifier_needs(auditor_client):
    record(action="case.viewed", payload={"reference": "VAF-2026-000001", "amount": "10.00"}, reason="checked")
    rows = csv_rows(auditor_client.post(reverse("audit:event_export"), {"format": "csv"}))
    for row in rows:
        stored = AuditEvent.objects.get(seq=int(row["seq"]))
        assert row["occurred_at"] == format_time(stored.occurred_at)
        assert row["hash"] == stored.hash and row["prev_hash"] == stored.prev_hash
        recomputed = event_hash(
            seq=int(row["seq"]),
            occurred_at=stored.occurred_at,
            actor_id=row["actor_id"] or None,
            actor_username=row["actor_username"],
            action=row["action"],
            object_type=row["object_type"],
            object_id=row["object_id"],
            payload=json.loads(row["payload"]),
            reason=row["reason"],
            ip=row["ip"] or None,
            prev_hash=row["prev_hash"],
        )
        assert recomputed == row["hash"]


def test_xlsx_export_neutralises_formulas_and_is_audited(auditor_client):
    record(action="case.viewed", reason="=1+1")
    record(action="case.viewed", reason="@evil", payload={"note": "-5"})
    response = auditor_client.post(reverse("audit:event_export"), {"format": "xlsx", "action": "case.viewed"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    values = list(sheet.values)
    header = list(values[0])
    assert header[:5] == ["seq", "occurred_at", "actor_id", "actor_username", "action"]
    reasons = [row[header.index("reason")] for row in values[1:]]
    assert reasons == ["'=1+1", "'@evil"]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    exported = AuditEvent.objects.order_by("-seq").first()
    assert (exported.action, exported.payload["format"], exported.payload["rows"]) == ("audit.exported", "xlsx", 2)


def test_a_date_range_export_records_its_filters(auditor_client):
    record()
    response = auditor_client.post(
        reverse("audit:event_export"), {"format": "csv", "since": "2026-01-01", "until": "2099-12-31"}
    )
    assert response.status_code == 200
    filters = AuditEvent.objects.order_by("-seq").first().payload["filters"]
    assert filters["since"].startswith("2026-01-01T00:00:00") and filters["until"].startswith("2099-12-31T23:59:59")


@pytest.mark.parametrize(
    "data",
    [
        {"format": "pdf"},
        {"format": "csv", "since": "2026-03-02", "until": "2026-03-01"},
        {"format": "csv", "action": "no.such"},
    ],
)
def test_a_bad_export_request_writes_nothing(auditor_client, data):
    record()
    before = AuditEvent.objects.count()
    response = auditor_client.post(reverse("audit:event_export"), data)
    assert response.status_code == 400
    assert AuditEvent.objects.count() == before


def test_exports_refuse_get(auditor_client):
    assert auditor_client.get(reverse("audit:event_export"), {"format": "csv"}).status_code == 405


def test_access_review_export(auditor_client):
    reader = make_user("approver", username="approver-export")
    record(
        action="case.pii_revealed",
        actor=reader,
        object_type="case",
        object_id="c-1",
        payload={"reference": "VAF-2026-000007"},
        reason="+verify identity",
    )
    record(action="case.approve", actor=reader)
    record(
        action="disbursement.payee_revealed",
        actor=reader,
        object_type="disbursement",
        object_id="d-1",
        payload={"case_reference": "VAF-2026-000008", "case_id": "c-2"},
        reason="bank check",
    )
    response = auditor_client.post(reverse("audit:access_export"), {"format": "csv", "actor": "approver-export"})
    rows = csv_rows(response)
    assert [(r["action"], r["case_reference"], r["reason"]) for r in rows] == [
        ("case.pii_revealed", "VAF-2026-000007", "'+verify identity"),
        ("disbursement.payee_revealed", "VAF-2026-000008", "bank check"),
    ]
    exported = AuditEvent.objects.order_by("-seq").first()
    assert exported.payload == {
        "format": "csv",
        "view": "access_review",
        "filters": {"actor": "approver-export"},
        "rows": 2,
        "up_to_seq": exported.seq - 1,
    }


def test_the_csv_is_streamed_in_batches(auditor_client, monkeypatch):
    """Rows are read through an iterator in chunks and sent in batches as they come."""
    import audit.exports

    monkeypatch.setattr(audit.exports, "CSV_BATCH_ROWS", 3)
    for i in range(10):
        record(payload={"i": i})
    response = auditor_client.post(reverse("audit:event_export"), {"format": "csv"})
    chunks = [chunk.decode("utf-8-sig") for chunk in response.streaming_content]
    # The header first, then 11 events (10 and make_user's) in batches of 3.
    assert [chunk.count("\r\n") for chunk in chunks] == [1, 3, 3, 3, 2]


def test_an_xlsx_export_too_long_for_one_sheet_is_refused(auditor_client, monkeypatch):
    import audit.exports

    monkeypatch.setattr(audit.exports, "XLSX_MAX_ROWS", 2)
    record()
    record()
    before = AuditEvent.objects.count()
    response = auditor_client.post(reverse("audit:event_export"), {"format": "xlsx"})
    assert response.status_code == 400
    assert "narrow the filters or export CSV" in response.content.decode()
    assert AuditEvent.objects.count() == before


def _arabic(client):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    return client


def _hijri_heading() -> str:
    from django.utils import translation

    with translation.override("ar"):
        return translation.gettext("Hijri date (Umm al-Qura)")


def _umm_al_qura(moment) -> str:
    import datetime as dt

    from hijridate import Gregorian

    day = moment.astimezone(dt.UTC).date()
    hijri = Gregorian(day.year, day.month, day.day).to_hijri()
    return f"{hijri.day} {hijri.month_name('ar')} {hijri.year} هـ"


def test_an_arabic_csv_export_has_the_hijri_date_beside_the_gregorian(auditor_client):
    record(action="case.viewed", reason="=cmd|' /C calc'!A0")
    response = _arabic(auditor_client).post(reverse("audit:event_export"), {"format": "csv", "action": "case.viewed"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(text)))
    assert header[:3] == ["seq", "occurred_at", _hijri_heading()]
    rows = list(csv.DictReader(io.StringIO(text)))
    stored = AuditEvent.objects.get(seq=int(rows[0]["seq"]))
    assert rows[0][_hijri_heading()] == _umm_al_qura(stored.occurred_at)
    assert rows[0][_hijri_heading()].endswith(" هـ")
    assert rows[0]["occurred_at"] == format_time(stored.occurred_at)
    assert rows[0]["reason"] == "'=cmd|' /C calc'!A0"  # formulas still neutralised


def test_an_arabic_xlsx_and_access_review_export_have_the_hijri_date(auditor_client):
    reader = make_user("approver", username="approver-hijri")
    record(action="case.pii_revealed", actor=reader, payload={"reference": "VAF-2026-000009"}, reason="@check")
    client = _arabic(auditor_client)
    response = client.post(reverse("audit:event_export"), {"format": "xlsx", "action": "case.pii_revealed"})
    values = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    header = list(values[0])
    assert header[1:3] == ["occurred_at", _hijri_heading()]
    stored = AuditEvent.objects.get(seq=values[1][0])
    assert values[1][2] == _umm_al_qura(stored.occurred_at)
    assert values[1][header.index("reason")] == "'@check"

    rows = csv_rows(client.post(reverse("audit:access_export"), {"format": "csv", "actor": "approver-hijri"}))
    assert list(rows[0])[:3] == ["seq", "occurred_at", _hijri_heading()]
    assert rows[0][_hijri_heading()] == _umm_al_qura(stored.occurred_at)
    assert rows[0]["reason"] == "'@check"


def test_english_exports_keep_exactly_the_machine_columns(auditor_client):
    from audit.exports import ACCESS_COLUMNS, EVENT_COLUMNS

    record(action="case.viewed")
    events = auditor_client.post(reverse("audit:event_export"), {"format": "csv"})
    assert list(csv_rows(events)[0]) == EVENT_COLUMNS
    access = auditor_client.post(reverse("audit:access_export"), {"format": "xlsx"})
    assert list(next(load_workbook(io.BytesIO(b"".join(access.streaming_content))).active.values)) == ACCESS_COLUMNS


def test_the_hijri_date_is_named_in_the_language_asked_for():
    import datetime as dt

    from config.formats import format_hijri

    assert format_hijri(dt.date(2026, 12, 2), language="ar") == "22 جمادى الآخرة 1448 هـ"
    assert format_hijri("2026-12-02T20:39:00+00:00", language="en") == "22 Jumada al-Akhirah 1448 AH"
