"""The restore drill's checks, on the test database (the PostgreSQL run of
.ci/restore-drill does the same after a real pg_dump / pg_restore)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from operations import tasks
from referrals.services import case_erase, case_transition
from tests.audit.test_tamper import run_sql
from tests.notifications.test_who_is_told import VICTIM_NAME, assessed_case


def drill(*args) -> str:
    out = io.StringIO()
    call_command("restore_drill", *args, stdout=out)
    return out.getvalue()


def test_the_drill_passes_on_an_intact_database_and_prints_no_personal_data(people):
    assessed_case(people)
    tasks.audit_checkpoint_job.delay()
    report = drill()
    assert "Restore drill passed" in report
    assert "personal fields decrypted" in report
    assert VICTIM_NAME not in report


def test_the_drill_opens_a_case_that_was_not_erased(people):
    erased = case_transition(case=assessed_case(people), actor=people.caseworker, name="withdraw", reason="Consent.")
    case_erase(case=erased, actor=people.caseworker, reason="Asked.")
    kept = assessed_case(people)
    assert kept.reference in drill()


def test_the_drill_fails_when_events_were_lost(people):
    assessed_case(people)
    with pytest.raises(CommandError):
        drill("--expect-head-seq", "100000")


def test_the_drill_fails_on_a_tampered_log(people):
    assessed_case(people)
    run_sql(("UPDATE audit_auditevent SET action = %s WHERE seq = %s", ["forged.action", 2]))
    with pytest.raises(CommandError):
        drill()


def test_the_drill_fails_with_nothing_to_open(db):
    with pytest.raises(CommandError):
        drill()
