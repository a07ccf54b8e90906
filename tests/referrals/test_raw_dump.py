"""Personal data is never stored in clear: a raw dump of every table holds
none of the values submitted (DESIGN.md §6)."""

from __future__ import annotations

from django.db import connection

from tests.referrals.conftest import referral_body

SECRETS = {
    "full_name": "Zenobia Quillfeather",
    "other_names": "زنوبيا القلم",
    "document_number": "QX7319946",
    "phone": "+966598765432",
    "address": "17 Hidden Orchard Lane",
    "next_of_kin": "Bartholomew Quillfeather",
}
NOTES = "Ultraviolet heron sighting"
SUMMARY = "Cobalt lantern narrative"


def _dump() -> list[tuple[str, object]]:
    cells = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                cells.extend((table, value) for value in row)
    return cells


def _contains(value, needle: str) -> bool:
    if value is None:
        return False
    if isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
        return needle.encode("utf-8") in raw or needle.encode("utf-16-le") in raw
    return needle in str(value) or needle.encode("unicode_escape").decode() in str(value)


def test_no_table_holds_submitted_personal_values(people, api):
    # given referrals submitted, edited, revealed and moved along, through the API
    body = referral_body(**SECRETS)
    body["summary"] = SUMMARY
    cw = api.as_user(people.caseworker)
    created = cw.post("/api/v1/referrals/", body, format="json", HTTP_IDEMPOTENCY_KEY="dump-1").json()
    cw.post("/api/v1/referrals/", body, format="json", HTTP_IDEMPOTENCY_KEY="dump-1")
    partner = api.as_user(people.intake).post("/api/v1/referrals/", body, format="json").json()
    url = f"/api/v1/cases/{created['id']}/"
    cw.post(f"{url}transitions/start_assessment/", {}, format="json")
    patched = cw.patch(
        url,
        {"assessment": {"needs": ["shelter"], "risk_level": "high", "notes": NOTES}, "victim": {"region": "Asir"}},
        format="json",
    )
    assert patched.json()["victim"]["full_name"] == SECRETS["full_name"]
    cw.post(f"{url}transitions/submit_for_approval/", {}, format="json")
    revealed = api.as_user(people.approver).post(f"{url}reveal/", {"reason": "Decision"}, format="json").json()
    assert revealed["victim"]["document_number"] == SECRETS["document_number"]
    assert partner["reference"]
    # when every table is dumped with raw SQL
    cells = _dump()
    assert any(table == "referrals_victimprofile" for table, _ in cells)
    # then no cell holds any submitted personal value, in any encoding
    for needle in [*SECRETS.values(), NOTES, SUMMARY, "598765432", "QX7319946".lower()]:
        leaks = sorted({table for table, value in cells if _contains(value, needle)})
        assert leaks == [], f"{needle!r} found in {leaks}"
