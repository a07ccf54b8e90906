"""Running a scheduled job and recording how it ended (`ScheduleRun`).

A job is a function that returns a short report (counts, sequence numbers) or
raises. Either way the run is recorded, so a job that fails is never silently
dropped, and administrators see each job's last run on the schedules page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from operations.models import RunOutcome, ScheduleRun

log = logging.getLogger(__name__)

JOBS = {
    "audit_checkpoint": _("Sign an audit checkpoint"),
    "audit_verify": _("Verify the audit log; check the checkpoint's age"),
    "reminders": _("Remind about cases and decisions that wait too long"),
    "retention": _("Erase personal data the retention policy no longer allows"),
    "outbox": _("Send the e-mail outbox"),
}


class JobFailed(Exception):
    """The job ran and found a problem (e.g. the log does not verify): recorded
    as failed, not retried."""


def schedule_run(job: str, fn: Callable[[], str]) -> ScheduleRun:
    """Run `fn` and record the run. A JobFailed is recorded; any other error
    is recorded and raised again, so the task is retried."""
    run = ScheduleRun.objects.create(job=job, started_at=timezone.now())
    try:
        run.detail = fn() or ""
        run.outcome = RunOutcome.OK
    except JobFailed as exc:
        run.outcome = RunOutcome.FAILED
        run.detail = str(exc)[:2000]
        log.error("scheduled job found a problem", extra={"job": job})
    except Exception as exc:
        run.outcome = RunOutcome.FAILED
        run.detail = f"{type(exc).__name__}: {exc}"[:2000]
        log.error("scheduled job failed", extra={"job": job, "error": type(exc).__name__})
        raise
    finally:
        run.finished_at = timezone.now()
        run.save()
    log.info("scheduled job done", extra={"job": job, "outcome": run.outcome})
    return run


def last_runs() -> list[dict]:
    rows = []
    for job, label in JOBS.items():
        runs = ScheduleRun.objects.filter(job=job)
        rows.append(
            {
                "job": job,
                "label": label,
                "last": runs.first(),
                "last_ok": runs.filter(outcome=RunOutcome.OK).first(),
            }
        )
    return rows
