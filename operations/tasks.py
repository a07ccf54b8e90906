"""Celery tasks for the schedules in settings.CELERY_BEAT_SCHEDULE.

Each run is recorded (operations.schedules); unexpected errors are retried
with backoff, and a run that still fails stays recorded as failed.
"""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError

from operations import jobs
from operations.schedules import schedule_run

RETRY = {"autoretry_for": (DatabaseError,), "retry_backoff": 30, "retry_backoff_max": 900, "max_retries": 4}


@shared_task(acks_late=True, **RETRY)
def audit_checkpoint_job() -> str:
    return schedule_run("audit_checkpoint", jobs.audit_checkpoint_job).outcome


@shared_task(acks_late=True, **RETRY)
def audit_verify_job() -> str:
    return schedule_run("audit_verify", jobs.audit_verify_job).outcome


@shared_task(acks_late=True, **RETRY)
def reminders_job() -> str:
    return schedule_run("reminders", jobs.reminders_job).outcome


@shared_task(acks_late=True, **RETRY)
def retention_job() -> str:
    return schedule_run("retention", jobs.retention_job).outcome


@shared_task
def ping() -> str:
    """Proves a round trip through the broker (tests, operators)."""
    return "pong"


@shared_task(acks_late=True, **RETRY)
def outbox_job() -> str:
    from notifications.tasks import outbox_flush

    return schedule_run("outbox", lambda: f"{outbox_flush()} e-mails sent.").outcome
