"""The Celery application: background work and schedules (docs/operations.md).

Production sets `CELERY_BROKER_URL` (Redis) and runs a worker and one beat:

    celery -A config worker --loglevel INFO
    celery -A config beat --loglevel INFO

Without a broker (`make run`, the tests) tasks run in the calling process
(`CELERY_TASK_ALWAYS_EAGER`), so nothing else has to be started.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("vaf")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
