"""The audit chain: recording inside transactions, gapless seq, verification."""

import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from audit.chain import stored_event_hash
from audit.models import GENESIS_HASH, AuditEvent
from audit.services import AuditOutsideTransaction, audit_record
from audit.verification import verify_chain
from tests.conftest import postgresql_only
from tests.factories import make_user


def _record(n: int = 1, **kwargs):
    events = []
    for i in range(n):
        with transaction.atomic():
            events.append(audit_record(action=kwargs.get("action", "test.event"), payload={"i": i}))
    return events


def test_events_form_a_gapless_hash_chain(db):
    events = _record(5)
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == GENESIS_HASH
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.hash
    for event in AuditEvent.objects.all():
        assert stored_event_hash(event) == event.hash  # survives the database round trip


def test_actor_snapshot_and_payload_types(db):
    from decimal import Decimal

    user = make_user("auditor")
    with transaction.atomic():
        event = audit_record(action="test.actor", actor=user, payload={"amount": Decimal("12.50"), "ids": [1, 2]})
    stored = AuditEvent.objects.get(seq=event.seq)
    assert stored.actor_username == user.username and stored.actor_id == user.pk
    assert stored.payload == {"amount": "12.50", "ids": [1, 2]}
    assert verify_chain().ok


def test_floats_are_refused_in_payloads(db):
    with pytest.raises(TypeError), transaction.atomic():
        audit_record(action="test.float", payload={"x": 1.5})


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused():
    with pytest.raises(AuditOutsideTransaction):
        audit_record(action="test.outside")


def test_a_failed_transaction_leaves_neither_change_nor_event(db):
    from accounts.models import Organisation

    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        Organisation.objects.create(name="Rolled Back Org")
        audit_record(action="test.rolled_back")
        raise RuntimeError("fails after the event was recorded")
    assert AuditEvent.objects.count() == before
    assert not Organisation.objects.filter(name="Rolled Back Org").exists()
    _record(1)
    assert verify_chain().ok  # no gap where the rolled-back event was


def test_verify_command_passes_on_an_intact_chain(db, capsys):
    _record(3)
    call_command("verify_audit_log")
    assert "intact: 3 events" in capsys.readouterr().out


def test_verify_command_fails_and_names_the_edited_seq(db):
    _record(4)
    _without_triggers(lambda cursor: cursor.execute("UPDATE audit_auditevent SET reason = 'forged' WHERE seq = 3"))
    with pytest.raises(CommandError, match=r"FAILED at seq 3: edited"):
        call_command("verify_audit_log")


def _without_triggers(change):
    """Tamper as someone with full database access would (inside the test's
    transaction, so the triggers come back when it rolls back)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_auditevent_no_update")
            cursor.execute("DROP TRIGGER audit_auditevent_no_delete")
        change(cursor)


def test_deleted_event_is_reported_missing(db):
    _record(5)
    _without_triggers(lambda c: c.execute("DELETE FROM audit_auditevent WHERE seq = 2"))
    result = verify_chain()
    assert (result.ok, result.first_bad_seq, result.problem) == (False, 2, "missing")


def test_edited_and_rehashed_event_breaks_the_next_link(db):
    events = _record(5)
    target = events[2]
    target.reason = "rewritten"
    new_hash = stored_event_hash(target)
    _without_triggers(
        lambda c: c.execute("UPDATE audit_auditevent SET reason = %s, hash = %s WHERE seq = 3", ["rewritten", new_hash])
    )
    result = verify_chain()
    assert (result.ok, result.first_bad_seq) == (False, 4)
    assert result.problem in {"broken_link", "inserted"}


def test_reordered_events_are_reported(db):
    _record(4)

    def swap(cursor):
        cursor.execute("UPDATE audit_auditevent SET seq = 100 WHERE seq = 2")
        cursor.execute("UPDATE audit_auditevent SET seq = 2 WHERE seq = 3")
        cursor.execute("UPDATE audit_auditevent SET seq = 3 WHERE seq = 100")

    _without_triggers(swap)
    result = verify_chain()
    assert not result.ok and result.first_bad_seq == 2
    assert result.problem == "edited"  # seq is inside the hash: moving an event edits it


def test_inserted_event_is_reported(db):
    events = _record(3)

    def insert(cursor):
        # Shift the tail up by one and slip a self-consistent event in at seq 2.
        for seq in (3, 2):
            cursor.execute("UPDATE audit_auditevent SET seq = seq + 1 WHERE seq = %s", [seq])
        forged = AuditEvent(
            seq=2,
            occurred_at=events[0].occurred_at,
            action="test.forged",
            payload={},
            prev_hash="f" * 64,
        )
        forged.hash = stored_event_hash(forged)
        cursor.execute(
            "INSERT INTO audit_auditevent (seq, occurred_at, actor_username, action, object_type, object_id, "
            "payload, reason, prev_hash, hash) VALUES (2, %s, '', 'test.forged', '', '', '{}', '', %s, %s)",
            [events[0].occurred_at, forged.prev_hash, forged.hash],
        )

    _without_triggers(insert)
    result = verify_chain()
    assert not result.ok and result.first_bad_seq in (2, 3)


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_never_fork_or_leave_gaps():
    writers, per_writer = 6, 10
    barrier = threading.Barrier(writers)
    errors = []

    def write():
        try:
            barrier.wait()
            for i in range(per_writer):
                with transaction.atomic():
                    audit_record(action="test.concurrent", payload={"i": i})
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, writers * per_writer + 1))
    assert verify_chain().ok


def test_checkpoint_service_refuses_to_sign_a_tampered_chain(db):
    from audit.checkpoints import ChainNotIntact, audit_checkpoint_create
    from audit.models import AuditCheckpoint

    _record(3)
    _without_triggers(lambda c: c.execute("UPDATE audit_auditevent SET reason = 'forged' WHERE seq = 2"))
    with pytest.raises(ChainNotIntact, match="edited at event 2"):
        audit_checkpoint_create()
    assert not AuditCheckpoint.objects.exists()
    with pytest.raises(CommandError, match="does not verify"):
        call_command("audit_checkpoint")


def test_checkpoint_verifies_events_appended_after_verification(db):
    from audit.checkpoints import audit_checkpoint_create

    _record(2)
    verified = verify_chain()
    _record(2)  # appended between verification and signing
    checkpoint = audit_checkpoint_create(verification=verified)
    assert checkpoint.head_seq == 5  # four events and the checkpoint's own
    assert verify_chain().ok
