"""The restore drill's checks, run against a database restored from a backup
(with the same keys and checkpoint files as production).

Each check returns (ok, line of report). Reports name counts, references and
sequence numbers, never a personal value.
"""

from __future__ import annotations

import io

from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from audit.models import AuditEvent
from referrals.models import PERSONAL_FIELDS, Case
from vault.errors import VaultError


def check_migrations() -> tuple[bool, str]:
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in pending[:5])
        return False, f"migrations: {len(pending)} not applied ({names})"
    return True, "migrations: every migration is applied"


def check_audit_log(expect_head_seq: int | None = None) -> tuple[bool, str]:
    out = io.StringIO()
    try:
        call_command("verify_audit_log", "--full", stdout=out, stderr=out)
    except CommandError as exc:
        return False, f"audit log: {exc}"
    head = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    if expect_head_seq is not None and head < expect_head_seq:
        return False, f"audit log: head #{head}, but the backup was taken at #{expect_head_seq} (events lost)"
    return True, f"audit log: {out.getvalue().strip()}"


def check_case_fields() -> tuple[bool, str]:
    """Open every personal field of a sample case that was not erased."""
    case = (
        Case.objects.filter(data_key__destroyed_at__isnull=True, victim__isnull=False)
        .select_related("victim", "data_key")
        .order_by("created_at")
        .first()
    )
    if case is None:
        return False, "encrypted fields: no case with personal data to open"
    try:
        opened = [name for name in PERSONAL_FIELDS if getattr(case.victim, name) is not None]
    except VaultError as exc:
        return False, f"encrypted fields: case {case.reference} does not open ({type(exc).__name__})"
    return True, f"encrypted fields: case {case.reference} opens ({len(opened)} personal fields decrypted)"


def check_document() -> tuple[bool, str]:
    """Open a stored document, when this build stores documents."""
    if not apps.is_installed("documents"):
        return True, "documents: this build stores none"
    try:
        from documents import restore_check  # the documents app says how to open one
    except ImportError:
        return True, "documents: NOT CHECKED (the documents app has no restore_check.open_one_document yet)"
    return restore_check.open_one_document()


def restore_checks(*, expect_head_seq: int | None = None) -> list[tuple[bool, str]]:
    return [check_migrations(), check_audit_log(expect_head_seq), check_case_fields(), check_document()]
