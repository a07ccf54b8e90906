"""Appends on PostgreSQL run in one database function (audit/migrations/0004):
the document the database hashes must be the canonical one, byte for byte;
events with sealed reasons take the client-side path and chain on with the
others; a commit's append carries the COMMIT in the same round trip, and a
failure there loses the whole transaction, never half of it."""

import contextlib
import datetime as dt
import hashlib

import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.db.utils import DataError, IntegrityError, OperationalError
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.models import Organisation
from audit import merkle
from audit.chain import event_hash, hash_pieces
from audit.models import AuditEvent
from audit.services import _normalised_ip, audit_flush, audit_record
from audit.tree import root_at
from audit.verification import verify_chain
from config.db.before_commit import CommittedDespiteError
from config.db.postgresql.base import WAIT_FOR_DISK
from tests.conftest import postgresql_only
from vault.services import data_key_create

_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**12), 10**12) | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(
    seq=st.integers(1, 10**12),
    prev_hash=st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
    moment=st.datetimes(timezones=st.just(dt.UTC)),
    actor=st.none() | st.uuids().map(str),
    texts=st.tuples(_text, _text, _text, _text, _text),
    payload=st.dictionaries(_text, _json, max_size=4),
    ip=st.none() | st.sampled_from(["192.0.2.7", "2001:db8::1"]),
)
def test_the_pieces_the_database_joins_make_the_canonical_document(seq, prev_hash, moment, actor, texts, payload, ip):
    username, action, object_type, object_id, reason = texts
    fields = dict(
        occurred_at=moment,
        actor_id=actor,
        actor_username=username,
        action=action,
        object_type=object_type,
        object_id=object_id,
        payload=payload,
        reason=reason,
        ip=ip,
    )
    head, middle = hash_pieces(**fields)
    joined = hashlib.sha256(f"{head}{prev_hash}{middle}{seq}}}".encode()).hexdigest()
    assert joined == event_hash(seq=seq, prev_hash=prev_hash, **fields)


def _root_is_whole() -> bool:
    leaves = [merkle.leaf_hash(h) for h in AuditEvent.objects.order_by("seq").values_list("hash", flat=True)]
    return root_at(len(leaves)) == merkle.naive_root(leaves)


def test_sealed_reasons_and_plain_events_chain_on_together(db):
    """A sealed reason is encrypted once its number is known, in Python; the
    events around it, alone or in the same transaction, go the database's way."""
    key = data_key_create()
    with transaction.atomic():
        audit_record(action="test.plain.before")
    with transaction.atomic():
        audit_record(action="test.mixed.plain")
        sealed = audit_record(action="test.mixed.sealed", reason="fake reason text", reason_key=key)
        audit_record(action="test.mixed.plain.after")
    with transaction.atomic():
        audit_record(action="test.plain.after")
    assert sealed.seq == 3 and sealed.reason.startswith("sealed:v1:")
    assert AuditEvent.objects.get(seq=3).reason_text == "fake reason text"
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == [1, 2, 3, 4, 5]
    assert verify_chain().ok and _root_is_whole()


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_a_commits_append_carries_the_commit_in_the_same_round_trip():
    committed = []
    session_setting = _setting("synchronous_commit")
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        Organisation.objects.create(name="fake-org-commit")
        event = audit_record(action="test.committed")
        transaction.on_commit(lambda: committed.append(event.seq))
    appends = [q["sql"] for q in queries.captured_queries if "vaf_audit_append" in q["sql"]]
    assert len(appends) == 1 and appends[0].endswith(f"; COMMIT; {WAIT_FOR_DISK}")
    assert "set_config('synchronous_commit', 'off', true)" in appends[0]
    assert committed == [1] and event.seq == 1
    assert connection.get_autocommit() and not connection.in_atomic_block
    # The work is committed: a new connection sees the change and the event.
    connection.close()
    assert Organisation.objects.filter(name="fake-org-commit").exists()
    assert AuditEvent.objects.get(seq=1).hash == event.hash
    # And the next transaction on the connection is an ordinary one: the
    # relaxed commit was that transaction's own.
    with transaction.atomic():
        audit_record(action="test.next")
    assert _setting("synchronous_commit") == session_setting
    assert verify_chain().ok and _root_is_whole()


@postgresql_only()
@pytest.mark.django_db
def test_the_commits_batch_is_the_same_text_every_time_with_its_own_mark():
    """psycopg keeps the parse of a statement's text: the commit's tail must
    not put its mark in the text, or every append is parsed afresh."""
    first_sql, first_params = connection.batch_commit_sql()
    second_sql, second_params = connection.batch_commit_sql()
    assert first_sql == second_sql and first_sql.endswith(f"; COMMIT; {WAIT_FOR_DISK}")
    assert first_params != second_params and all(len(p) == 32 for p in first_params + second_params)


@pytest.mark.django_db(transaction=True)
def test_code_watching_every_statement_sees_the_append_and_its_commit():
    seen = []

    def watch(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(watch), transaction.atomic():
        Organisation.objects.create(name="fake-org-watched")
        event = audit_record(action="test.watched")
    insert = f'INSERT INTO "{AuditEvent._meta.db_table}"'  # the append on SQLite; one function call on PostgreSQL
    assert len([sql for sql in seen if "vaf_audit_append" in sql or insert in sql]) == 1
    logged = [q["sql"] for q in queries.captured_queries]
    assert len([sql for sql in logged if "vaf_audit_append" in sql or insert in sql]) == 1  # logged once, not twice
    connection.close()
    assert AuditEvent.objects.get(seq=event.seq).hash == event.hash
    assert Organisation.objects.filter(name="fake-org-watched").exists() and verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_an_append_in_a_transaction_that_must_roll_back_is_refused_as_django_refuses_a_query():
    with transaction.atomic():
        with pytest.raises(IntegrityError), transaction.atomic(savepoint=False):
            Organisation.objects.create(name="fake-org-twice")
            Organisation.objects.create(name="fake-org-twice")
        with pytest.raises(TransactionManagementError):
            audit_record(action="test.after_an_error")
            audit_flush()
    assert not AuditEvent.objects.exists() and not Organisation.objects.filter(name="fake-org-twice").exists()


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_a_failure_in_the_commits_append_loses_the_whole_transaction(monkeypatch):
    with transaction.atomic():
        audit_record(action="test.first")
    with monkeypatch.context() as patch:
        patch.setattr("audit.services.format_time", lambda moment: "not-a-time")  # refused by timestamptz
        with pytest.raises(DataError), transaction.atomic():
            Organisation.objects.create(name="fake-org-lost")
            audit_record(action="test.refused")
    assert not Organisation.objects.filter(name="fake-org-lost").exists()
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["test.first"]
    with transaction.atomic():
        audit_record(action="test.after")
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == [1, 2]
    assert verify_chain().ok and _root_is_whole()


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_a_commit_asked_for_inside_an_atomic_block_commits_nothing():
    with pytest.raises(TransactionManagementError), transaction.atomic():
        Organisation.objects.create(name="fake-org-inside")
        audit_record(action="test.inside")
        transaction.commit()
    connection.close()  # a fresh connection sees only what was committed
    assert not Organisation.objects.filter(name="fake-org-inside").exists()
    assert not AuditEvent.objects.exists()


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_an_error_after_the_batchs_commit_leaves_django_in_step_with_the_server(monkeypatch):
    """Nothing can fail after the COMMIT in practice; if something did, the
    work is committed, so Django's commit completes (hooks run) and the error
    is reported rather than hidden."""
    hooks = []

    def broken(events, alias):
        raise RuntimeError("fake failure after the commit")

    with monkeypatch.context() as patch:
        patch.setattr("audit.services._mark_saved", broken)
        with pytest.raises(CommittedDespiteError), transaction.atomic():
            Organisation.objects.create(name="fake-org-kept")
            audit_record(action="test.kept")
            transaction.on_commit(lambda: hooks.append("ran"))
    assert hooks == ["ran"]
    assert connection.get_autocommit() and not connection.in_atomic_block
    with transaction.atomic():
        audit_record(action="test.after")
    connection.close()
    _kept_with_the_chain("fake-org-kept", ["test.kept", "test.after"])


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("::192.0.2.1", "::192.0.2.1"),
        ("::c000:201", "::192.0.2.1"),
        ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),
        ("::ffff:0:0", "::ffff:0.0.0.0"),
        ("::1", "::1"),
        ("::2", "::2"),
        ("fe80::1%eth0", "fe80::1"),
        ("", None),
        (None, None),
        ("not-an-address", None),
        ("192.0.2.7:8080", None),
    ],
)
def test_client_addresses_are_kept_as_the_database_gives_them_back(given, stored):
    assert _normalised_ip(given) == stored


@postgresql_only()
def test_the_address_form_is_postgresqls_for_every_kind_of_address(db):
    import ipaddress
    import random

    rng = random.Random(7)
    addresses = ["::192.0.2.1", "::ffff:192.0.2.1", "::1", "::", "1::", "::ffff:0:0", "64:ff9b::192.0.2.1"]
    for _ in range(2000):
        words = [rng.choice([0, 0, 0, 0xFFFF, rng.randrange(65536), rng.randrange(1, 256)]) for _ in range(8)]
        addresses.append(str(ipaddress.IPv6Address(b"".join(w.to_bytes(2, "big") for w in words))))
    with connection.cursor() as cursor:
        cursor.execute("SELECT a, host(a::inet) FROM unnest(%s::text[]) AS a", [addresses])
        rows = cursor.fetchall()
    assert len(rows) == len(addresses)
    assert [(a, _normalised_ip(a)) for a, _ in rows] == rows


@postgresql_only()
def test_the_function_and_the_client_side_path_take_the_same_lock(db):
    """The lock key is written into the function (no caller can pick another);
    the sealed-reason path takes the same one."""
    from audit.services import _CHAIN_LOCK_KEY

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_functiondef('vaf_audit_append(jsonb)'::regprocedure)")
        definition = cursor.fetchone()[0]
    assert f"pg_advisory_xact_lock({_CHAIN_LOCK_KEY})" in definition
    assert "SET search_path TO 'pg_catalog'" in definition and "'pg_temp'" in definition


def _setting(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s)", [name])
        return cursor.fetchone()[0]


def _wal_written_so_far() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
        return cursor.fetchone()[0]


def _on_disk_and_after(durable: str | None, written: str) -> bool:
    """The wait's own WAL record is flushed, and it comes after what the
    transaction wrote (so its commit record, written before the wait, is too)."""
    assert durable is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_current_wal_flush_lsn() >= %s::pg_lsn AND %s::pg_lsn > %s::pg_lsn", [durable, durable, written]
        )
        return cursor.fetchone()[0]


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_a_commits_append_returns_only_once_the_work_is_on_disk():
    """The commit that carries the append is relaxed (the chain lock goes
    before the flush); the statement after it waits until the WAL is flushed
    past it, so the service returns only once its change is durable."""
    connection.durable_lsn = None
    with transaction.atomic():
        Organisation.objects.create(name="fake-org-durable")
        audit_record(action="test.durable")
        written = _wal_written_so_far()
    assert _on_disk_and_after(connection.durable_lsn, written)
    assert AuditEvent.objects.get().action == "test.durable"


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_a_commit_that_released_its_lock_early_returns_only_once_it_is_on_disk():
    """The sealed-reason path (and anything else that calls
    `commit_before_flush`) commits relaxed and then waits, after Django's commit."""
    session_setting = _setting("synchronous_commit")
    connection.durable_lsn = None
    with transaction.atomic():
        Organisation.objects.create(name="fake-org-relaxed")
        connection.commit_before_flush()
        assert _setting("synchronous_commit") == "off"
        written = _wal_written_so_far()
    assert _on_disk_and_after(connection.durable_lsn, written)
    assert _setting("synchronous_commit") == session_setting


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_a_failure_after_the_batchs_commit_is_reported_as_committed(monkeypatch):
    """If the wait for the disk fails, the work is committed all the same:
    Django's commit completes (its hooks run), and the caller is told it is
    committed (not a database error, so no rollback is attempted)."""
    hooks = []
    monkeypatch.setattr("config.db.postgresql.base.WAIT_FOR_DISK", "SELECT 1 / 0")
    with pytest.raises(CommittedDespiteError) as raised, transaction.atomic():
        Organisation.objects.create(name="fake-org-committed")
        audit_record(action="test.committed")
        transaction.on_commit(lambda: hooks.append("ran"))
    assert "division by zero" in str(raised.value.__cause__)
    assert hooks == ["ran"]
    assert connection.get_autocommit() and not connection.in_atomic_block
    monkeypatch.undo()
    with transaction.atomic():
        audit_record(action="test.after")
    connection.close()
    _kept_with_the_chain("fake-org-committed", ["test.committed", "test.after"])


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_a_commit_that_fails_in_the_batch_is_reported_as_it_is(monkeypatch):
    """A COMMIT that fails (here a deferred foreign key checked at COMMIT,
    slipped in after the function) rolls everything back: the error is the
    database's, no hook runs, nothing is kept."""
    real_tail = connection.batch_commit_sql

    def tail_after_an_insert():
        sql, params = real_tail()
        return "; INSERT INTO fake_child VALUES (1)" + sql, params

    monkeypatch.setattr(connection, "batch_commit_sql", tail_after_an_insert)
    hooks = []
    with _a_deferred_key_that_fails_at_commit(), pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name="fake-org-rolled-back")
        audit_record(action="test.rolled_back")
        transaction.on_commit(lambda: hooks.append("ran"))
    monkeypatch.undo()
    assert hooks == []
    assert connection.get_autocommit() and not connection.in_atomic_block
    assert not Organisation.objects.filter(name="fake-org-rolled-back").exists()
    assert not AuditEvent.objects.exists()


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_a_commit_that_fails_after_an_early_release_is_reported_as_it_is():
    hooks = []
    with _a_deferred_key_that_fails_at_commit(), pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name="fake-org-early-rolled-back")
        connection.commit_before_flush()
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO fake_child VALUES (1)")  # checked at COMMIT
        transaction.on_commit(lambda: hooks.append("ran"))
    assert hooks == [] and not connection._wait_for_flush
    assert not Organisation.objects.filter(name="fake-org-early-rolled-back").exists()


@contextlib.contextmanager
def _a_deferred_key_that_fails_at_commit():
    """Session tables whose foreign key is checked at COMMIT (fake_child → fake_parent)."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE fake_parent (id integer PRIMARY KEY)")
        cursor.execute(
            "CREATE TEMPORARY TABLE fake_child (parent integer REFERENCES fake_parent DEFERRABLE INITIALLY DEFERRED)"
        )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS fake_child, fake_parent")


_LOSE_THE_CONNECTION = "SELECT pg_terminate_backend(pg_backend_pid())"


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_a_connection_lost_while_waiting_after_an_early_release_is_reported_as_committed(monkeypatch):
    """Django's commit had returned: the work is in. The dead connection is
    replaced, the commit's hooks run on the new one, and the caller is told."""
    hooks = []
    monkeypatch.setattr("config.db.postgresql.base.WAIT_FOR_DISK", _LOSE_THE_CONNECTION)
    with pytest.raises(CommittedDespiteError), transaction.atomic():
        Organisation.objects.create(name="fake-org-lost-line")
        connection.commit_before_flush()
        transaction.on_commit(lambda: hooks.append(Organisation.objects.filter(name="fake-org-lost-line").exists()))
    assert hooks == [True]
    assert connection.get_autocommit() and not connection.in_atomic_block
    monkeypatch.undo()
    with transaction.atomic():
        audit_record(action="test.after")
    assert AuditEvent.objects.get().action == "test.after"


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_a_connection_lost_after_the_batchs_commit_is_an_unknown_outcome(monkeypatch):
    """With the connection gone, the session's mark is gone too: nobody can
    tell from here whether the COMMIT went through, so the error is the
    database's (as for any commit whose answer was lost), no hook runs, and
    the next transaction gets a new connection. (Here it did commit.)"""
    hooks = []
    monkeypatch.setattr("config.db.postgresql.base.WAIT_FOR_DISK", _LOSE_THE_CONNECTION)
    with pytest.raises(OperationalError), transaction.atomic():
        Organisation.objects.create(name="fake-org-unknown")
        audit_record(action="test.unknown")
        transaction.on_commit(lambda: hooks.append("ran"))
    assert hooks == []
    monkeypatch.undo()
    with transaction.atomic():
        audit_record(action="test.after")
    _kept_with_the_chain("fake-org-unknown", ["test.unknown", "test.after"])


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_a_failed_wait_after_an_early_released_commit_is_reported_as_committed(monkeypatch):
    hooks = []
    monkeypatch.setattr("config.db.postgresql.base.WAIT_FOR_DISK", "SELECT 1 / 0")
    with pytest.raises(CommittedDespiteError), transaction.atomic():
        Organisation.objects.create(name="fake-org-early")
        connection.commit_before_flush()
        transaction.on_commit(lambda: hooks.append("ran"))
    assert hooks == ["ran"]
    connection.close()
    assert Organisation.objects.filter(name="fake-org-early").exists()


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_the_wait_for_the_disk_returns_once_its_record_is_flushed():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
        before = cursor.fetchone()[0]
    lsn = connection._run_alone(WAIT_FOR_DISK)[0]
    assert _on_disk_and_after(str(lsn), before)


def _kept_with_the_chain(organisation: str, actions: list[str]) -> None:
    """The change and its events are in the database, and the chain verifies."""
    assert Organisation.objects.filter(name=organisation).exists()
    assert list(AuditEvent.objects.values_list("action", flat=True)) == actions
    assert verify_chain().ok
