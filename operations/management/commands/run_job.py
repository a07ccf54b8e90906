"""`manage.py run_job NAME`: run one scheduled job now, recorded like a
scheduled run (for operators who drive the schedule from cron)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from operations import jobs
from operations.models import RunOutcome
from operations.schedules import schedule_run

JOBS = {
    "audit_checkpoint": jobs.audit_checkpoint_job,
    "audit_verify": jobs.audit_verify_job,
    "reminders": jobs.reminders_job,
    "retention": jobs.retention_job,
}


class Command(BaseCommand):
    help = "Run one scheduled job now: " + ", ".join(JOBS) + "."

    def add_arguments(self, parser):
        parser.add_argument("job", choices=sorted(JOBS))

    def handle(self, *args, job: str, **options):
        run = schedule_run(job, JOBS[job])
        self.stdout.write(run.detail)
        if run.outcome != RunOutcome.OK:
            raise CommandError(f"{job} failed; see the schedules page.")
