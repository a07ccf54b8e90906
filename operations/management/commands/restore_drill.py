"""`manage.py restore_drill`: prove that the configured database, restored
from a backup, is usable: every migration applied, the audit log verifies
(chain, checkpoints), a sample case's encrypted fields and a document open.
Exit 0 when every check passes. `.ci/restore-drill` runs it on PostgreSQL
after a real pg_dump / pg_restore."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from operations.restore import restore_checks


class Command(BaseCommand):
    help = "Check a restored database: migrations, audit log, a case's encrypted fields, a document."

    def add_arguments(self, parser):
        parser.add_argument(
            "--expect-head-seq",
            type=int,
            default=None,
            help="The audit log's head when the backup was taken: fewer events means the restore lost some.",
        )

    def handle(self, *args, expect_head_seq=None, **options):
        results = restore_checks(expect_head_seq=expect_head_seq)
        for ok, line in results:
            self.stdout.write(("OK    " if ok else "FAIL  ") + line)
        failed = [line for ok, line in results if not ok]
        if failed:
            raise CommandError(f"Restore drill FAILED: {len(failed)} of {len(results)} checks.")
        self.stdout.write(f"Restore drill passed: {len(results)} checks.")
