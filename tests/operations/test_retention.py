"""The retention policy: off by default, a dry run that lists, erasure
through case_erase (audited), never a case with an open payment request."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.models import AuditEvent
from fund.models import Disbursement
from operations import retention, tasks
from operations.models import RunOutcome, ScheduleRun
from referrals.models import Case
from referrals.services import case_transition
from tests.fund.conftest import request_payment
from tests.notifications.test_who_is_told import assessed_case


@pytest.fixture
def later(monkeypatch):
    """Move the policy's clock three years on."""
    monkeypatch.setattr(retention, "_now", lambda: timezone.now() + dt.timedelta(days=3 * 366))


def rejected_case(people):
    case = case_transition(case=assessed_case(people), actor=people.caseworker, name="submit_for_approval")
    return case_transition(case=case, actor=people.approver, name="reject", reason="Not eligible.")


def erased(case) -> bool:
    return Case.objects.select_related("data_key").get(pk=case.pk).data_key.destroyed_at is not None


def dry_run() -> str:
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    return out.getvalue()


def test_retention_is_off_until_configured(people, later):
    case = rejected_case(people)
    assert "Retention is off" in dry_run()
    assert tasks.retention_job.delay().get() == RunOutcome.OK
    assert ScheduleRun.objects.get(job="retention").detail == "Retention is off."
    assert not erased(case)


def test_nothing_is_due_before_the_retention_period_ends(people, settings):
    settings.VAF_RETENTION_YEARS = 2
    case = rejected_case(people)
    assert case.reference not in dry_run()
    tasks.retention_job.delay()
    assert not erased(case)


def test_the_dry_run_lists_and_erases_nothing_then_the_job_erases_with_an_audit_event(people, settings, later):
    settings.VAF_RETENTION_YEARS = 2
    case = rejected_case(people)
    still_open = assessed_case(people)
    listing = dry_run()
    assert case.reference in listing and "1 cases would be erased" in listing
    assert still_open.reference not in listing
    assert not erased(case)

    assert tasks.retention_job.delay().get() == RunOutcome.OK
    assert erased(case)
    assert not erased(still_open)
    event = AuditEvent.objects.filter(action="case.erased", object_id=str(case.pk)).get()
    assert event.actor_id is None
    assert "Retention policy" in event.reason
    assert ScheduleRun.objects.filter(job="retention").first().detail == "1 cases erased under the retention policy."
    # Run again: the erased case is not erased twice.
    tasks.retention_job.delay()
    assert AuditEvent.objects.filter(action="case.erased", object_id=str(case.pk)).count() == 1


def test_a_case_with_an_open_payment_request_is_never_erased(people, case, funded, settings, later):
    settings.VAF_RETENTION_YEARS = 1
    disbursement = request_payment(case, people.caseworker)
    case = case_transition(case=case, actor=people.caseworker, name="withdraw", reason="Consent withdrawn.")
    disbursement.refresh_from_db()
    assert disbursement.status == "cancelled"
    # Force an inconsistent open request on the settled case: retention must leave it.
    Disbursement.objects.filter(pk=disbursement.pk).update(status="failed")
    assert case.reference not in dry_run()
    tasks.retention_job.delay()
    assert not erased(case)
