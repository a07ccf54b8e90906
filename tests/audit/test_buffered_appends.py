"""Appends at the last moment: events are buffered in the transaction and
appended (lock, head, hash, insert) just before it commits, so a long
transaction never holds the chain lock while it works."""

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_flush, audit_record
from audit.verification import verify_chain
from tests.conftest import postgresql_only


@transaction.atomic
def _service(actions):
    """A stand-in for a domain service: one atomic block, several events."""
    return [audit_record(action=action, payload={"n": n}) for n, action in enumerate(actions)]


def test_events_are_sequenced_when_the_service_returns(db):
    events = _service(["test.one", "test.two"])
    assert [event.seq for event in events] == [1, 2]
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["test.one", "test.two"]
    assert verify_chain().ok


def test_inside_a_callers_block_events_wait_until_someone_reads_them(db):
    with transaction.atomic():
        inner = _service(["test.inner"])
        assert inner[0].seq is None  # the caller's transaction is still open: no lock taken yet
        assert list(AuditEvent.objects.values_list("action", flat=True)) == ["test.inner"]  # reading appends
        assert inner[0].seq == 1
    assert AuditEvent.objects.count() == 1 and verify_chain().ok


def test_events_written_inside_a_savepoint_that_rolls_back_are_written_again(db):
    class Refused(Exception):
        pass

    with transaction.atomic():
        before = audit_record(action="test.before_savepoint")
        with pytest.raises(Refused), transaction.atomic():
            assert AuditEvent.objects.count() == 1  # reading appended the earlier event inside the savepoint
            audit_record(action="test.inside_savepoint")
            raise Refused
        audit_record(action="test.after_savepoint")
    assert list(AuditEvent.objects.values_list("seq", "action")) == [
        (1, "test.before_savepoint"),
        (2, "test.after_savepoint"),
    ]
    assert before.seq == 1 and verify_chain().ok


def test_a_rolled_back_savepoint_drops_only_its_own_events(db):
    class Refused(Exception):
        pass

    with transaction.atomic():
        audit_record(action="test.kept")
        with pytest.raises(Refused), transaction.atomic():
            audit_record(action="test.dropped")
            raise Refused
        audit_record(action="test.kept_too")
    assert list(AuditEvent.objects.values_list("seq", "action")) == [(1, "test.kept"), (2, "test.kept_too")]
    assert verify_chain().ok


def test_a_failed_service_appends_nothing(db):
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        audit_record(action="test.lost")
        1 / 0  # noqa: B018
    assert not AuditEvent.objects.exists()
    _service(["test.after"])
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == [1]


def test_explicit_flush_sequences_the_events_recorded_so_far(db):
    with transaction.atomic():
        first = audit_record(action="test.first")
        audit_flush()
        assert first.seq == 1 and AuditEvent.objects.filter(seq=1).exists()
        second = audit_record(action="test.second")
    assert second.seq == 2 and second.prev_hash == first.hash


def test_appending_costs_a_fixed_number_of_queries_whatever_the_event_count(db, django_assert_num_queries):
    _service(["test.warm"])
    # The service's savepoint and its release, then the append itself. On
    # PostgreSQL one statement: the database function takes the lock, numbers,
    # hashes and inserts every event with its tree nodes. On SQLite (one
    # statement per execute) four: the head, the right edge, the events, the
    # nodes.
    with django_assert_num_queries(3 if connection.vendor == "postgresql" else 6):
        _service([f"test.many{i}" for i in range(25)])
    assert AuditEvent.objects.count() == 26 and verify_chain().ok


def test_the_tree_stays_whole_across_appends_of_every_batch_size(db):
    """The right edge read with the lock is the one each new leaf needs: after
    appends of 1, 2, 3 ... events the stored root equals the RFC root of all leaves."""
    from audit import merkle
    from audit.tree import root_at

    for size in range(1, 9):
        _service([f"test.batch{size}.{i}" for i in range(size)])
        leaves = [merkle.leaf_hash(h) for h in AuditEvent.objects.order_by("seq").values_list("hash", flat=True)]
        assert root_at(len(leaves)) == merkle.naive_root(leaves)
    assert verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_events_are_appended_on_a_real_commit():
    with transaction.atomic():
        event = audit_record(action="test.committed")
        assert event.seq is None
    assert event.seq == 1 and AuditEvent.objects.get(seq=1).hash == event.hash


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_a_writer_stuck_inside_its_transaction_does_not_block_other_appends():
    recorded, release, others_done = threading.Event(), threading.Event(), threading.Event()
    errors = []

    def stuck_writer():
        try:
            with transaction.atomic():
                audit_record(action="test.slow_export")
                recorded.set()
                release.wait(timeout=60)  # the long part of a long transaction
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    def other_writers():
        try:
            recorded.wait(timeout=60)
            for i in range(5):
                _service([f"test.quick{i}"])
            others_done.set()
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    stuck, others = threading.Thread(target=stuck_writer), threading.Thread(target=other_writers)
    stuck.start()
    others.start()
    finished_while_stuck = others_done.wait(timeout=60)
    still_stuck = stuck.is_alive()
    release.set()
    stuck.join()
    others.join()
    assert errors == []
    assert finished_while_stuck and still_stuck
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert actions == [f"test.quick{i}" for i in range(5)] + ["test.slow_export"]
    assert verify_chain().ok


def test_verification_confirms_intact_events_without_the_slow_path(db, monkeypatch):
    from audit import chain_rows

    _service(["test.one", "test.two"])
    with transaction.atomic():
        audit_record(action="test.text", payload={"b": 'ümlaut "quoted"', "a": [1, "x"], "n": None})
    slow = []
    monkeypatch.setattr(chain_rows, "_exact_matches", lambda seq: slow.append(seq) or False)
    result = verify_chain()
    assert result.ok and result.checked == 3 and slow == []


def test_the_databases_formatting_matches_the_canonical_form_for_awkward_values(db, monkeypatch):
    """The database writes everything but the payload of the document that is
    hashed; quoting, control characters, ids, addresses and times (a whole
    second too) must match the canonical encoder exactly, or every such event
    would take the slow path."""
    from audit import chain_rows
    from audit.context import client_ip
    from tests.factories import make_user

    actor = make_user(username="fake-auditor")
    awkward = 'tab\there "quoted" back\\slash \x01\x1f\x7f new\nline ü € 𝄞'
    whole_second = timezone.now().replace(microsecond=0)
    for ip, moment in (("192.0.2.7", whole_second), ("2001:db8::1", None), ("::192.0.2.1", None), (None, None)):
        token = client_ip.set(ip)
        with monkeypatch.context() as patch:
            if moment:
                patch.setattr("audit.services.timezone.now", lambda moment=moment: moment)
            with transaction.atomic():
                audit_record(
                    action="test.awkward",
                    actor=actor,
                    object_type="fake",
                    object_id=awkward,
                    reason=awkward,
                    payload={"z": awkward, "a": {"y": [15, None, True], "b": "x"}, "big": 10**30, "sep": "\u2028"},
                )
        client_ip.reset(token)
    awkward_events = AuditEvent.objects.filter(action="test.awkward").order_by("seq")
    assert awkward_events.count() == 4 and awkward_events.first().occurred_at == whole_second
    slow = []
    monkeypatch.setattr(chain_rows, "_exact_matches", lambda seq: slow.append(seq) or False)
    result = verify_chain()
    assert result.ok and result.checked == AuditEvent.objects.count() and slow == []


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_the_early_lock_release_stays_inside_the_appending_transaction():
    event = _service(["test.durable"])[0]
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"  # the relaxed commit was SET LOCAL to that transaction
    assert not connection._wait_for_flush
    assert AuditEvent.objects.get(seq=event.seq).hash == event.hash
