"""The scheduled jobs: each run recorded with its outcome, auditors alerted
when the log fails verification or a checkpoint is overdue, reminders for
work that waits too long, and the administrators' schedules page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from audit.models import AuditCheckpoint, AuditEvent
from fund import services
from notifications.models import Notification
from operations import tasks
from operations.models import RunOutcome, ScheduleRun
from referrals.services import case_transition
from tests.audit.test_tamper import run_sql
from tests.fund.conftest import request_payment
from tests.notifications.test_who_is_told import assessed_case


def last_run(job: str) -> ScheduleRun:
    return ScheduleRun.objects.filter(job=job).first()


def test_the_checkpoint_job_signs_and_records_its_run(people):
    before = AuditCheckpoint.objects.count()
    assert tasks.audit_checkpoint_job.delay().get() == RunOutcome.OK
    assert AuditCheckpoint.objects.count() == before + 1
    run = last_run("audit_checkpoint")
    assert run.outcome == RunOutcome.OK
    assert run.finished_at is not None


def test_the_checkpoint_job_without_a_key_fails_visibly_and_tells_auditors(people, settings):
    settings.VAF_AUDIT_SIGNING_KEY = ""
    assert tasks.audit_checkpoint_job.delay().get() == RunOutcome.FAILED
    assert "VAF_AUDIT_SIGNING_KEY" in last_run("audit_checkpoint").detail
    assert Notification.objects.filter(recipient=people.auditor, kind="verification_failed").exists()


def test_verification_passes_on_an_intact_log_with_a_fresh_checkpoint(people):
    tasks.audit_checkpoint_job.delay()
    assert tasks.audit_verify_job.delay().get() == RunOutcome.OK
    assert not Notification.objects.filter(recipient=people.auditor).exists()


def test_a_tampered_log_fails_verification_and_auditors_are_told_once(people):
    tasks.audit_checkpoint_job.delay()
    seq = AuditEvent.objects.order_by("seq").values_list("seq", flat=True)[2]
    run_sql(("UPDATE audit_auditevent SET action = %s WHERE seq = %s", ["forged.action", seq]))
    assert tasks.audit_verify_job.delay().get() == RunOutcome.FAILED
    assert str(seq) in last_run("audit_verify").detail
    assert Notification.objects.filter(recipient=people.auditor, kind="verification_failed").count() == 1
    tasks.audit_verify_job.delay()  # an hour's worth of runs tells them once
    assert Notification.objects.filter(recipient=people.auditor, kind="verification_failed").count() == 1
    assert ScheduleRun.objects.filter(job="audit_verify", outcome=RunOutcome.FAILED).count() == 2


def test_an_overdue_checkpoint_is_reported_to_auditors(people, settings):
    settings.VAF_CHECKPOINT_MAX_AGE_MINUTES = 0
    tasks.audit_checkpoint_job.delay()
    assert tasks.audit_verify_job.delay().get() == RunOutcome.FAILED
    assert "overdue" in last_run("audit_verify").detail
    assert Notification.objects.filter(recipient=people.auditor, kind="checkpoint_overdue").count() == 1


def test_run_job_command_records_the_run_and_exits_non_zero_on_failure(people, settings):
    call_command("run_job", "audit_checkpoint")
    assert last_run("audit_checkpoint").outcome == RunOutcome.OK
    settings.VAF_AUDIT_SIGNING_KEY = ""
    with pytest.raises(CommandError):
        call_command("run_job", "audit_checkpoint")


def test_an_unexpected_error_is_recorded_then_raised_for_a_retry(people, monkeypatch):
    from operations import jobs

    def broken():
        raise RuntimeError("disk full")

    monkeypatch.setattr(jobs, "reminders_job", broken)
    with pytest.raises(RuntimeError):
        tasks.reminders_job.apply(throw=True)
    assert last_run("reminders").outcome == RunOutcome.FAILED


def _age(days: int):
    return timezone.now() - dt.timedelta(days=days)


def test_reminders_for_cases_in_assessment_and_decisions_waiting_too_long(people, case, funded, settings):
    settings.VAF_REMIND_ASSESSMENT_AFTER_DAYS = 0
    settings.VAF_REMIND_APPROVAL_AFTER_DAYS = 0
    in_assessment = assessed_case(people)
    pending = case_transition(case=assessed_case(people), actor=people.caseworker, name="submit_for_approval")
    disbursement = request_payment(case, people.caseworker)
    services.disbursement_transition(disbursement=disbursement, actor=people.caseworker, name="submit")
    Notification.objects.all().delete()

    assert tasks.reminders_job.delay().get() == RunOutcome.OK
    caseworker_kinds = Notification.objects.filter(recipient=people.caseworker).values_list("kind", "reference")
    assert ("assessment_overdue", in_assessment.reference) in set(caseworker_kinds)
    approver_refs = set(
        Notification.objects.filter(recipient=people.approver, kind="approval_overdue").values_list(
            "object_type", "reference"
        )
    )
    assert approver_refs == {("case", pending.reference), ("disbursement", case.reference)}
    # Run again the same day: nobody is reminded twice.
    count = Notification.objects.count()
    tasks.reminders_job.delay()
    assert Notification.objects.count() == count


def test_no_reminder_before_the_limit(people, settings):
    settings.VAF_REMIND_ASSESSMENT_AFTER_DAYS = 14
    assessed_case(people)
    tasks.reminders_job.delay()
    assert not Notification.objects.filter(kind="assessment_overdue").exists()


def test_the_schedules_page_shows_each_jobs_last_run_to_administrators_only(client, people):
    tasks.audit_checkpoint_job.delay()
    client.force_login(people.admin)
    page = client.get("/operations/schedules/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "audit_checkpoint" in html and 'data-outcome="ok"' in html
    for other in (people.auditor, people.caseworker, people.approver):
        client.force_login(other)
        assert client.get("/operations/schedules/").status_code == 403
