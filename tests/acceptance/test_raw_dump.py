"""After intake through the API, no table holds a submitted personal value (DESIGN.md §6)."""

from __future__ import annotations

import json

from django.db import connection

from .conftest import client_for, referral_body

SECRETS = {
    "full_name": "Xiomara Threnodyne",
    "other_names": "Xiomi Threnn",
    "document_number": "ZQ4471902",
    "phone": "+966577123498",
    "address": "42 Obsidian Crescent Flat 9",
    "next_of_kin": "Ignatius Threnodyne",
}
SUMMARY = "Narrative marmalade cormorant"
NOTES = "Assessment periwinkle zeppelin"
PAYEE_ACCOUNT = "SA7311112222333344445555"
PAYEE_NAME = "Wilhelmina Grackleford"
PARTNER_SECRETS = {
    "full_name": "Obadiah Fernsplitter",
    "document_number": "YT8820415",
    "phone": "+966566001177",
    "address": "7 Saffron Quay",
}

NEEDLES = [
    *SECRETS.values(),
    *PARTNER_SECRETS.values(),
    SUMMARY,
    NOTES,
    PAYEE_ACCOUNT,
    PAYEE_NAME,
    # distinctive fragments and normalised forms
    "Threnodyne",
    "Xiomara",
    "Fernsplitter",
    "Obadiah",
    "Grackleford",
    "Wilhelmina",
    "Obsidian Crescent",
    "Saffron Quay",
    "marmalade cormorant",
    "periwinkle zeppelin",
    "966577123498",
    "577123498",
    "966566001177",
    "zq4471902",
    "yt8820415",
    "1111222233334444",
    "9911112222333344445555",
]


def _tables(cursor):
    return connection.introspection.table_names(cursor)


def _dump() -> list[tuple[str, str, object]]:
    """Every cell of every table, raw (SELECT *) and cast to text."""
    q = connection.ops.quote_name
    cells = []
    raw_conn = connection.connection if connection.vendor == "sqlite" else None
    with connection.cursor() as cursor:
        for table in _tables(cursor):
            cursor.execute(f"SELECT * FROM {q(table)}")
            cols = [col[0] for col in cursor.description]
            for row in cursor.fetchall():
                cells.extend((table, col, value) for col, value in zip(cols, row, strict=False))
            casts = ", ".join(f"CAST({q(c)} AS TEXT)" for c in cols)
            if raw_conn is not None:
                # SQLite: a BLOB cast to TEXT need not be UTF-8; keep its bytes
                raw_conn.text_factory = bytes
            try:
                cursor.execute(f"SELECT {casts} FROM {q(table)}")
                rows = cursor.fetchall()
            finally:
                if raw_conn is not None:
                    raw_conn.text_factory = str
            for row in rows:
                cells.extend((table, col + "::text", value) for col, value in zip(cols, row, strict=False))
    return cells


def _hits(value, needle: str) -> bool:
    if value is None:
        return False
    if isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
        return any(
            enc in raw
            for enc in (
                needle.encode("utf-8"),
                needle.lower().encode(),
                needle.encode("utf-16-le"),
                needle.encode("utf-8").hex().encode(),
            )
        )
    text = value if isinstance(value, str) else str(value)
    low = text.lower()
    return needle.lower() in low or json.dumps(needle)[1:-1].lower() in low or needle.encode("utf-8").hex() in low


def test_raw_dump_holds_no_personal_value(p, api):
    body = referral_body(**SECRETS)
    body["summary"] = SUMMARY
    cw = client_for(p.cw)
    created = cw.post("/api/v1/referrals/", body, format="json", HTTP_IDEMPOTENCY_KEY="dump-key-1")
    assert created.status_code == 201, created.content
    again = cw.post("/api/v1/referrals/", body, format="json", HTTP_IDEMPOTENCY_KEY="dump-key-1")
    assert again.status_code == 201
    cid = created.json()["id"]
    # an intake partner's referral too, with its own key
    pbody = referral_body(**PARTNER_SECRETS)
    pr = client_for(p.partner).post("/api/v1/referrals/", pbody, format="json", HTTP_IDEMPOTENCY_KEY="dump-key-2")
    assert pr.status_code == 201, pr.content
    # a duplicate (same document number) to exercise the blind indexes
    dup = referral_body(document_number=SECRETS["document_number"], phone=SECRETS["phone"])
    assert cid and cw.post("/api/v1/referrals/", dup, format="json").status_code == 201
    # worked, assessed, approved, revealed, a payment requested and paid
    api.ct_ok(p.cw, cid, "start_assessment")
    r = api.patch(p.cw, cid, {"assessment": {"needs": ["shelter"], "risk_level": "high", "notes": NOTES}})
    assert r.status_code == 200, r.content
    api.ct_ok(p.cw, cid, "submit_for_approval")
    rev = client_for(p.approver).post(f"/api/v1/cases/{cid}/reveal/", {"reason": "Decision"}, format="json")
    assert rev.json()["victim"]["document_number"] == SECRETS["document_number"]
    api.ct_ok(p.approver, cid, "approve")
    assert api.deposit("5000.00").status_code == 201
    d = api.request_ok(cid, "250.00", payee_account=PAYEE_ACCOUNT, payee_name=PAYEE_NAME, payee_type="victim")
    api.dt_ok(p.cw, d["id"], "submit")
    api.dt_ok(p.approver, d["id"], "approve")
    api.dt_ok(p.finance, d["id"], "pay", payment_reference="DUMP-PAY-1")
    # failed attempts must not leave personal data behind either
    bad = referral_body(**{**SECRETS, "nationality": "XX"})
    assert cw.post("/api/v1/referrals/", bad, format="json").status_code == 400

    cells = _dump()
    tables = {t for t, _, _ in cells}
    assert "referrals_victimprofile" in tables
    # positive controls: plain values are found, so the search itself works
    assert any(_hits(v, "Jeddah Labour Office") for t, _, v in cells if t == "referrals_case")
    assert any(_hits(v, "DUMP-PAY-1") for t, _, v in cells if t == "fund_disbursement")
    leaks = {}
    for needle in NEEDLES:
        found = sorted({f"{t}.{c}" for t, c, v in cells if _hits(v, needle)})
        if found:
            leaks[needle] = found
    assert leaks == {}, leaks
