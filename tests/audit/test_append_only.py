"""Append-only: the database and the ORM both refuse changes to audit rows."""

import pytest
from django.db import DatabaseError, connection, transaction

from audit.append_only import AppendOnlyError
from audit.models import AuditEvent
from audit.services import audit_record
from tests.conftest import postgresql_only


@pytest.fixture
def event(db):
    with transaction.atomic():
        return audit_record(action="test.protected", payload={"n": 1})


@pytest.mark.parametrize(
    "sql",
    ["UPDATE audit_auditevent SET reason = 'x' WHERE seq = %s", "DELETE FROM audit_auditevent WHERE seq = %s"],
)
def test_raw_sql_update_and_delete_are_refused(event, sql):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [event.seq])
    assert AuditEvent.objects.get(seq=event.seq).hash == event.hash


@postgresql_only()
def test_truncate_is_refused_on_postgresql(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.filter(seq=event.seq).exists()


def test_model_and_queryset_refuse_changes(event):
    event.reason = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(seq=event.seq).update(reason="changed")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(seq=event.seq).reason == ""


@pytest.mark.django_db(transaction=True)
def test_transactional_tests_can_still_reset_the_table():
    with transaction.atomic():
        audit_record(action="test.flushed")
    assert AuditEvent.objects.count() == 1  # the harness flushes it after this test


@pytest.mark.django_db(transaction=True)
def test_triggers_are_back_after_a_flush():
    with transaction.atomic():
        event = audit_record(action="test.after_flush")
    assert event.seq == 1  # the previous transactional test's rows were flushed
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
