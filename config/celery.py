"""The Celery application: background work and schedules (docs/operations.md).

Production sets `CELERY_BROKER_URL` (Redis) and runs a worker and one beat:

    celery -A config worker --loglevel INFO
    celery -A config beat --loglevel INFO

Without a broker (`make run`, the tests) tasks run in the calling process
(`CELERY_TASK_ALWAYS_EAGER`), so nothing else has to be started.
"""

from __future__ import annotations

import logging
import os

from celery import Celery
from celery.signals import task_failure

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("vaf")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_failure.connect
def _log_task_failure(sender=None, task_id=None, exception=None, **kwargs):
    """A task that fails is written to the log (its name, id and error type,
    never its arguments); jobs and e-mails also record it in their tables."""
    logging.getLogger("vaf.tasks").error(
        "task failed",
        extra={"task": getattr(sender, "name", ""), "task_id": task_id, "error": type(exception).__name__},
    )
