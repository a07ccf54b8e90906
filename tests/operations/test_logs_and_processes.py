"""Structured logs, the Celery configuration of each mode, and the process
files an operator runs."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

from config.logs import JsonFormatter
from tests.test_settings import production_env

ROOT = Path(__file__).resolve().parent.parent.parent


def test_a_log_line_is_one_json_object_with_the_extra_ids():
    record = logging.LogRecord("vaf.test", logging.WARNING, __file__, 1, "email failed, will retry", None, None)
    record.delivery = "1234"
    record.request = object()  # Django attaches the request: never written
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "WARNING"
    assert line["logger"] == "vaf.test"
    assert line["message"] == "email failed, will retry"
    assert line["delivery"] == "1234"
    assert "request" not in line


def _settings_in(env, expression: str) -> str:
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_logs_json_and_uses_the_broker_it_is_given():
    env = production_env(CELERY_BROKER_URL="redis://redis.internal:6379/0")
    shown = _settings_in(
        env,
        "settings.LOGGING['handlers']['console']['formatter'], settings.CELERY_TASK_ALWAYS_EAGER, "
        "settings.CELERY_BROKER_URL, settings.EMAIL_BACKEND",
    )
    assert shown == "json False redis://redis.internal:6379/0 django.core.mail.backends.smtp.EmailBackend"


def test_without_a_broker_tasks_run_in_the_process_as_under_make_run():
    env = production_env(DJANGO_ENV="development", CELERY_BROKER_URL=None)
    assert _settings_in(env, "settings.CELERY_TASK_ALWAYS_EAGER, settings.EMAIL_BACKEND") == (
        "True django.core.mail.backends.console.EmailBackend"
    )


def test_the_checkpoint_job_goes_to_the_signer_queue_only():
    from django.conf import settings

    assert settings.CELERY_TASK_ROUTES["operations.tasks.audit_checkpoint_job"] == {"queue": "signer"}
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    from config.celery import app

    app.loader.import_default_modules()
    assert tasks <= set(app.tasks)


def test_the_process_files_name_every_process():
    procfile = (ROOT / "Procfile").read_text()
    for process in ("web:", "worker:", "signer:", "beat:"):
        assert process in procfile
    units = {p.name for p in (ROOT / "deploy" / "systemd").glob("*.service")}
    assert units == {"vaf-web.service", "vaf-worker.service", "vaf-signer.service", "vaf-beat.service"}
    compose = (ROOT / "compose.yaml").read_text()
    for service in ("postgres:", "redis:", "worker:", "beat:", "signer:"):
        assert service in compose


def test_a_failed_task_is_logged_with_its_name_and_error_type_only(caplog, people, monkeypatch):
    from operations import jobs, tasks

    def broken():
        raise RuntimeError("Test Person")  # would-be personal text in an error message

    monkeypatch.setattr(jobs, "reminders_job", broken)
    with caplog.at_level(logging.ERROR, logger="vaf.tasks"):
        assert tasks.reminders_job.apply().failed()
    [record] = [r for r in caplog.records if r.name == "vaf.tasks"]
    assert record.task == "operations.tasks.reminders_job"
    assert record.error == "RuntimeError"
    assert "Test Person" not in JsonFormatter().format(record)
