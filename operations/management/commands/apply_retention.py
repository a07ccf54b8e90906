"""`manage.py apply_retention [--dry-run]`: erase the personal data of the
cases the retention policy (VAF_RETENTION_YEARS) no longer allows to keep.

--dry-run lists them (reference, state, when settled) and erases nothing.
The scheduled `retention` job does the same as a run without --dry-run."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from operations import jobs
from operations.retention import cases_due_for_erasure
from operations.schedules import schedule_run


class Command(BaseCommand):
    help = "Apply the retention policy (erase settled cases' personal data); --dry-run lists what it would erase."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List the cases; erase nothing.")

    def handle(self, *args, dry_run: bool = False, **options):
        if dry_run:
            due = cases_due_for_erasure()
            if due is None:
                self.stdout.write("Retention is off (VAF_RETENTION_YEARS is 0): nothing would be erased.")
                return
            for item in due:
                settled = timezone.localtime(item.settled_at).date().isoformat()
                self.stdout.write(f"{item.case.reference}\t{item.case.status}\tsettled {settled}")
            self.stdout.write(
                f"{len(due)} cases would be erased (settled more than {settings.VAF_RETENTION_YEARS} years ago)."
            )
            return
        run = schedule_run("retention", jobs.retention_job)
        self.stdout.write(run.detail)
