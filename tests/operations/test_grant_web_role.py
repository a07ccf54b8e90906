"""`manage.py grant_web_role`: the web role's rights on PostgreSQL (CI's
.ci/pg-roles proves the refusals with a real owner/web role pair)."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tests.conftest import postgresql_only


def test_roles_are_refused_outside_postgresql(db):
    if connection.vendor == "postgresql":
        pytest.skip("this test is about the other databases")
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("grant_web_role", "vaf_web")


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_the_web_role_reads_and_appends_but_cannot_rewrite_the_log():
    from audit.services import audit_record_now

    audit_record_now(action="audit.checkpoint", object_type="audit")
    role = f"vaf_web_test_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} LOGIN NOSUPERUSER")
    try:
        call_command("grant_web_role", role)
        settings = connection.settings_dict
        host, port = settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
        with psycopg.connect(host=host, port=port, dbname=settings["NAME"], user=role, autocommit=True) as web:
            assert web.execute("SELECT count(*) FROM audit_auditevent").fetchone()[0] >= 1
            for statement in (
                "UPDATE audit_auditevent SET reason = 'x'",
                "DELETE FROM audit_treenode",
                "TRUNCATE audit_auditevent",
                "ALTER TABLE audit_auditevent DISABLE TRIGGER USER",
                "DROP TRIGGER audit_auditevent_no_update_delete ON audit_auditevent",
                "SET session_replication_role = replica",
            ):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    web.execute(statement)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP OWNED BY {role}")
            cursor.execute(f"DROP ROLE {role}")


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_a_role_that_cannot_wait_for_the_disk_is_refused():
    """Commits that carry audit events wait for the disk with
    pg_logical_emit_message (config/db/postgresql); PostgreSQL grants it to
    every role, but a hardened server may not, and the web role must not find
    out at its first append."""
    function = "pg_catalog.pg_logical_emit_message(boolean, text, text)"
    role = f"vaf_web_test_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} LOGIN NOSUPERUSER")
        cursor.execute(f"REVOKE EXECUTE ON FUNCTION {function} FROM PUBLIC")
    try:
        with pytest.raises(CommandError, match="pg_logical_emit_message"):
            call_command("grant_web_role", role)
        with connection.cursor() as cursor:  # refused before anything was granted
            cursor.execute("SELECT has_table_privilege(%s, 'audit_auditevent', 'SELECT')", [role])
            assert cursor.fetchone()[0] is False
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"GRANT EXECUTE ON FUNCTION {function} TO PUBLIC")
            cursor.execute(f"DROP OWNED BY {role}")
            cursor.execute(f"DROP ROLE {role}")
