"""Appends on PostgreSQL run in one database function (audit/migrations/0004):
the document the database hashes must be the canonical one, byte for byte;
events with sealed reasons take the client-side path and chain on with the
others; a commit's append carries the COMMIT in the same round trip, and a
failure there loses the whole transaction, never half of it."""

import datetime as dt
import hashlib

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.utils import DataError
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.models import Organisation
from audit import merkle
from audit.chain import event_hash, hash_pieces
from audit.context import client_ip
from audit.models import AuditEvent
from audit.services import audit_record
from audit.tree import root_at
from audit.verification import verify_chain
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
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        Organisation.objects.create(name="fake-org-commit")
        event = audit_record(action="test.committed")
        transaction.on_commit(lambda: committed.append(event.seq))
    appends = [q["sql"] for q in queries.captured_queries if "vaf_audit_append" in q["sql"]]
    assert len(appends) == 1 and appends[0].endswith("; COMMIT")
    assert committed == [1] and event.seq == 1
    assert connection.get_autocommit() and not connection.in_atomic_block
    # The work is committed: a new connection sees the change and the event.
    connection.close()
    assert Organisation.objects.filter(name="fake-org-commit").exists()
    assert AuditEvent.objects.get(seq=1).hash == event.hash
    # And the next transaction on the connection is an ordinary one.
    with transaction.atomic():
        audit_record(action="test.next")
    assert verify_chain().ok and _root_is_whole()


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_a_failure_in_the_commits_append_loses_the_whole_transaction():
    with transaction.atomic():
        audit_record(action="test.first")
    token = client_ip.set("not-an-address")  # refused by the database's inet type
    try:
        with pytest.raises((DataError, IntegrityError)), transaction.atomic():
            Organisation.objects.create(name="fake-org-lost")
            audit_record(action="test.refused")
    finally:
        client_ip.reset(token)
    assert not Organisation.objects.filter(name="fake-org-lost").exists()
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["test.first"]
    with transaction.atomic():
        audit_record(action="test.after")
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == [1, 2]
    assert verify_chain().ok and _root_is_whole()
