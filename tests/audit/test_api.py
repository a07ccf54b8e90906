"""GET /api/v1/audit/events/ and /api/v1/audit/verify/ (DESIGN.md §8)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from audit.models import AuditEvent
from audit.services import audit_record
from tests.factories import make_user

EVENTS = "/api/v1/audit/events/"
VERIFY = "/api/v1/audit/verify/"


def record(n: int = 1, **fields) -> list[AuditEvent]:
    events = []
    for _ in range(n):
        with transaction.atomic():
            events.append(audit_record(**{"action": "test.event", **fields}))
    return events


@pytest.fixture
def api(db):
    client = APIClient()
    client.force_authenticate(make_user("auditor", username="api-auditor"))
    return client


@pytest.mark.parametrize("role", ["caseworker", "approver", "finance", "admin", "intake_partner"])
@pytest.mark.parametrize("url", [EVENTS, VERIFY])
def test_only_auditors(db, role, url):
    client = APIClient()
    client.force_authenticate(make_user(role))
    response = client.get(url)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


@pytest.mark.parametrize("url", [EVENTS, VERIFY])
def test_anonymous_is_401(db, url):
    response = APIClient().get(url)
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_events_are_cursor_paginated_newest_first(api):
    record(120)  # plus make_user's user.created: 121
    first = api.get(EVENTS).json()
    assert set(first) >= {"next", "previous", "results"}
    assert [e["seq"] for e in first["results"]] == list(range(121, 71, -1))
    assert first["previous"] is None and "cursor=" in first["next"]
    assert set(first["results"][0]) == {
        "seq",
        "occurred_at",
        "actor_id",
        "actor_username",
        "action",
        "object_type",
        "object_id",
        "payload",
        "reason",
        "ip",
        "prev_hash",
        "hash",
    }
    second = api.get(first["next"]).json()
    assert [e["seq"] for e in second["results"]] == list(range(71, 21, -1))
    back = api.get(second["previous"]).json()
    assert [e["seq"] for e in back["results"]] == [e["seq"] for e in first["results"]]


def test_the_query_count_does_not_grow_with_the_events(api):
    record(3)
    api.get(EVENTS)  # warm the caller's role cache
    with CaptureQueriesContext(connection) as few:
        api.get(EVENTS)
    record(150)
    with CaptureQueriesContext(connection) as many:
        api.get(EVENTS)
    assert len(many) == len(few)
    assert not any("OFFSET" in q["sql"].upper() for q in many.captured_queries)


def test_filters(api):
    someone = make_user("caseworker", username="api-cw")
    record(2, action="case.viewed", actor=someone, object_type="case", object_id="obj-1")
    record(1, action="case.approve", object_type="case", object_id="obj-1")
    record(1, action="case.viewed", object_type="case", object_id="obj-2")

    def seqs(**params):
        return [e["seq"] for e in api.get(EVENTS, params).json()["results"]]

    all_events = {e.seq: e for e in AuditEvent.objects.all()}
    assert all(all_events[s].object_id == "obj-1" for s in seqs(object_id="obj-1"))
    assert len(seqs(object_id="obj-1")) == 3
    assert len(seqs(action="case.viewed")) == 3
    assert len(seqs(actor="api-cw")) == 2
    assert len(seqs(actor="api-cw", action="case.viewed", object_id="obj-1")) == 2
    head = max(all_events.values(), key=lambda e: e.seq)
    # newest first; the auditor's own reads (audit.read) came after the head
    since_head = seqs(since=head.occurred_at.isoformat())
    assert since_head[-1] == head.seq
    assert {all_events.get(s) is None for s in since_head[:-1]} <= {True}
    first = min(all_events.values(), key=lambda e: e.seq)
    assert seqs(until=first.occurred_at.isoformat()) == [first.seq]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "2026-03-02T00:00:00Z", "until": "2026-03-01T00:00:00Z"}, "until"),
        ({"action": "no.such_action"}, "action"),
        ({"since": "not a date"}, "since"),
    ],
)
def test_bad_filters_are_a_validation_error(api, params, field):
    record(1)
    response = api.get(EVENTS, params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error" and field in body["errors"]


def test_verify_answers_the_design_fields(api):
    record(2)
    body = api.get(VERIFY).json()
    head = AuditEvent.objects.order_by("-seq").first()
    assert {k: body[k] for k in ("ok", "checked", "head_seq", "head_hash", "first_bad_seq", "problem")} == {
        "ok": True,
        "checked": head.seq,
        "head_seq": head.seq,
        "head_hash": head.hash,
        "first_bad_seq": None,
        "problem": None,
    }


def test_verify_names_a_deleted_event(api):
    record(4)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_auditevent_no_delete")
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = 2")
    body = api.get(VERIFY).json()
    assert (body["ok"], body["first_bad_seq"], body["problem"]) == (False, 2, "missing")


def test_the_schema_documents_both_endpoints(api):
    response = api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/v1/audit/events/" in text and "/api/v1/audit/verify/" in text
    for name in ("object_id", "actor", "since", "until", "cursor", "first_bad_seq"):
        assert name in text


def test_filter_on_a_known_action_not_yet_recorded_is_empty_not_an_error(db):
    from rest_framework.test import APIClient

    from tests.factories import make_user

    client = APIClient()
    client.force_authenticate(make_user("auditor"))
    response = client.get("/api/v1/audit/events/", {"action": "case.pii_revealed"})
    assert response.status_code == 200
    assert response.json()["results"] == []
    assert client.get("/api/v1/audit/events/", {"action": "no.such_action"}).status_code == 400


def test_unknown_api_path_answers_json_not_found(db):
    from rest_framework.test import APIClient

    response = APIClient().get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
