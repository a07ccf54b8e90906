"""Tampering by someone with full database access: every scenario is detected
and named, by verify_chain, the command, the page and the API.

Each test drops (SQLite) or disables (PostgreSQL) the append-only triggers
inside its own transaction, so they come back when it rolls back.
"""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from audit.chain import stored_event_hash
from audit.checkpoints import audit_checkpoint_create
from audit.models import AuditCheckpoint, AuditEvent
from audit.services import audit_record
from audit.verification import verify_chain
from tests.factories import make_user

BACKEND = "django.contrib.auth.backends.ModelBackend"
TABLES = ("audit_auditevent", "audit_auditcheckpoint")


def record(n: int) -> list[AuditEvent]:
    events = []
    for i in range(n):
        with transaction.atomic():
            events.append(audit_record(action="test.event", payload={"i": i}, reason=f"reason {i}"))
    return events


def run_sql(*statements: tuple[str, list]) -> None:
    """Run statements with the append-only triggers out of the way."""
    with connection.cursor() as cursor:
        for table in TABLES:
            if connection.vendor == "postgresql":
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        for sql, params in statements:
            cursor.execute(sql, params)


def rewrite_chain_from(seq: int, *, reason: str) -> None:
    """Change event `seq` and recompute every hash after it: a self-consistent
    forgery that only a signed checkpoint can reveal."""
    events = list(AuditEvent.objects.filter(seq__gte=seq).order_by("seq"))
    previous = AuditEvent.objects.get(seq=seq - 1).hash
    statements = []
    for event in events:
        if event.seq == seq:
            event.reason = reason
        event.prev_hash = previous
        event.hash = stored_event_hash(event)
        previous = event.hash
        statements.append(
            (
                "UPDATE audit_auditevent SET reason = %s, prev_hash = %s, hash = %s WHERE seq = %s",
                [event.reason, event.prev_hash, event.hash, event.seq],
            )
        )
    # Hashes are unique: park the old ones first so the rewrite never collides.
    run_sql(("UPDATE audit_auditevent SET hash = 'old-' || seq WHERE seq >= %s", [seq]), *statements)


def insert_event(*, seq: int, prev_hash: str, occurred_at) -> None:
    forged = AuditEvent(seq=seq, occurred_at=occurred_at, action="test.forged", payload={}, prev_hash=prev_hash)
    forged.hash = stored_event_hash(forged)
    run_sql(
        (
            "INSERT INTO audit_auditevent (seq, occurred_at, actor_username, action, object_type, object_id, "
            "payload, reason, prev_hash, hash) VALUES (%s, %s, '', 'test.forged', '', '', '{}', '', %s, %s)",
            [seq, occurred_at, prev_hash, forged.hash],
        )
    )


def shift_up_from(seq: int) -> None:
    """Renumber events seq.. one up, from the top so the keys never collide."""
    top = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    run_sql(*(("UPDATE audit_auditevent SET seq = seq + 1 WHERE seq = %s", [s]) for s in range(top, seq - 1, -1)))


def outcome() -> tuple[int | None, str | None]:
    result = verify_chain()
    assert not result.ok
    return result.first_bad_seq, result.problem


def test_an_intact_chain_with_checkpoints_verifies(db):
    record(3)
    audit_checkpoint_create()
    record(2)
    audit_checkpoint_create()
    result = verify_chain()
    assert result.ok and result.checked == 7 and result.checkpoints_checked == 2


def test_edit_is_detected(db):
    record(5)
    run_sql(("UPDATE audit_auditevent SET reason = 'changed' WHERE seq = 3", []))
    assert outcome() == (3, "edited")


def test_edit_and_rehash_of_one_event_breaks_the_next_link(db):
    events = record(5)
    target = events[2]
    target.reason = "changed"
    run_sql(
        ("UPDATE audit_auditevent SET reason = %s, hash = %s WHERE seq = 3", ["changed", stored_event_hash(target)])
    )
    assert outcome() == (4, "broken_link")


def test_delete_is_detected(db):
    record(5)
    run_sql(("DELETE FROM audit_auditevent WHERE seq = 2", []))
    assert outcome() == (2, "missing")


def test_small_batches_verify_an_intact_chain_whole(db):
    record(10)
    result = verify_chain(chunk_size=3)
    assert (result.ok, result.checked, result.head_seq) == (True, 10, 10)
    assert result.root == verify_chain().root


def test_a_deleted_batch_of_events_is_missing_from_its_first(db):
    """Batches are read by ranges of sequence numbers: a range whose events are
    all gone reads as nothing, and the next batch shows the gap."""
    record(10)
    run_sql(("DELETE FROM audit_auditevent WHERE seq BETWEEN 4 AND 6", []))
    result = verify_chain(chunk_size=3)
    assert (result.ok, result.first_bad_seq, result.problem, result.checked) == (False, 4, "missing", 3)


def test_an_event_renumbered_far_past_the_head_is_found_missing_at_once(db):
    """A gap of a trillion numbers costs one query, not one per empty range."""
    record(5)
    run_sql(("UPDATE audit_auditevent SET seq = %s WHERE seq = 5", [10**12]))
    result = verify_chain(chunk_size=3)
    assert (result.ok, result.first_bad_seq, result.problem, result.checked) == (False, 5, "missing", 4)


def test_an_edit_in_a_later_batch_is_named(db):
    record(10)
    run_sql(("UPDATE audit_auditevent SET reason = 'changed' WHERE seq = 8", []))
    result = verify_chain(chunk_size=3)
    assert (result.ok, result.first_bad_seq, result.problem, result.checked) == (False, 8, "edited", 7)


def test_insert_of_an_unlinked_event_is_detected(db):
    events = record(3)
    shift_up_from(2)
    insert_event(seq=2, prev_hash="f" * 64, occurred_at=events[0].occurred_at)
    assert outcome() == (2, "inserted")


def test_insert_of_a_linked_event_is_detected_at_the_renumbered_one(db):
    events = record(4)
    shift_up_from(3)
    insert_event(seq=3, prev_hash=events[1].hash, occurred_at=events[1].occurred_at)
    result = verify_chain()
    assert (result.ok, result.first_bad_seq, result.problem) == (False, 4, "inserted")
    assert "recorded as event 3" in result.detail


def test_reorder_is_detected(db):
    record(4)
    run_sql(
        ("UPDATE audit_auditevent SET seq = 100 WHERE seq = 2", []),
        ("UPDATE audit_auditevent SET seq = 2 WHERE seq = 3", []),
        ("UPDATE audit_auditevent SET seq = 3 WHERE seq = 100", []),
    )
    result = verify_chain()
    assert (result.ok, result.first_bad_seq, result.problem) == (False, 2, "edited")
    assert "holds the content of event 3" in result.detail


def test_truncating_the_tail_below_a_checkpoint_is_detected(db):
    record(5)
    checkpoint = audit_checkpoint_create()  # its event is #6
    run_sql(("DELETE FROM audit_auditevent WHERE seq >= 4", []))
    result = verify_chain()
    assert (result.ok, result.first_bad_seq, result.problem) == (False, 4, "truncated")
    assert str(checkpoint.head_seq) in result.detail


def test_truncating_everything_is_detected(db):
    record(2)
    audit_checkpoint_create()
    run_sql(("DELETE FROM audit_auditevent", []))
    assert outcome() == (1, "truncated")


def test_rewriting_and_rehashing_the_whole_chain_after_a_checkpoint_is_detected(db):
    record(5)
    checkpoint = audit_checkpoint_create()
    record(2)
    rewrite_chain_from(2, reason="history rewritten")
    result = verify_chain()
    assert result.checked == 8  # every link holds: only the signature can tell
    assert (result.ok, result.first_bad_seq, result.problem) == (False, checkpoint.head_seq, "checkpoint_mismatch")


def test_a_rewritten_chain_with_its_checkpoint_edited_to_match_is_detected(db):
    record(4)
    checkpoint = audit_checkpoint_create()
    rewrite_chain_from(2, reason="history rewritten")
    new_head = AuditEvent.objects.get(seq=checkpoint.head_seq).hash
    run_sql(("UPDATE audit_auditcheckpoint SET head_hash = %s WHERE id = %s", [new_head, checkpoint.pk]))
    # The signed note's Merkle root still names the original log.
    assert outcome() == (checkpoint.head_seq, "checkpoint_mismatch")


def _attacker_key() -> str:
    raw = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return base64.b64encode(raw).decode()


def test_a_checkpoint_signed_with_another_key_is_detected(db, settings):
    record(3)
    server_key = settings.VAF_AUDIT_SIGNING_KEY
    settings.VAF_AUDIT_SIGNING_KEY = _attacker_key()
    forged = audit_checkpoint_create()  # a well-formed signature, by a key nobody trusts
    settings.VAF_AUDIT_SIGNING_KEY = server_key
    assert outcome() == (forged.head_seq, "checkpoint_signature")


def test_a_checkpoint_with_garbage_signature_is_detected(db):
    record(3)
    checkpoint = audit_checkpoint_create()
    forged_signature = base64.b64encode(b"\x00" * 64).decode()
    run_sql(("UPDATE audit_auditcheckpoint SET signature = %s WHERE id = %s", [forged_signature, checkpoint.pk]))
    assert outcome() == (checkpoint.head_seq, "checkpoint_signature")


def test_every_verifier_reports_the_same_failure(db, client):
    """The command (non-zero exit), the page and the API all name it."""
    record(5)
    checkpoint = audit_checkpoint_create()
    rewrite_chain_from(3, reason="history rewritten")
    with pytest.raises(CommandError, match=rf"FAILED at seq {checkpoint.head_seq}: checkpoint_mismatch"):
        call_command("verify_audit_log")
    auditor = make_user("auditor")  # appended after the rewrite: links to the forged head
    client.force_login(auditor, backend=BACKEND)
    page = client.get(reverse("audit:verify"))
    assert f"Verification FAILED at event {checkpoint.head_seq}." in page.content.decode()
    api = APIClient()
    api.force_authenticate(auditor)
    body = api.get("/api/v1/audit/verify/").json()
    assert body["ok"] is False
    assert (body["first_bad_seq"], body["problem"]) == (checkpoint.head_seq, "checkpoint_mismatch")
    assert AuditCheckpoint.objects.count() == 1
