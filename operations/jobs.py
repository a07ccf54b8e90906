"""The scheduled jobs (run by Celery beat through operations.tasks).

Each returns a short report or raises `JobFailed`; each is safe to run again.
"""

from __future__ import annotations

import datetime as dt
import io

from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.roles import Role
from audit.models import AuditCheckpoint, AuditEvent
from fund.choices import DisbursementStatus
from fund.models import Disbursement
from notifications.events import holders_of
from notifications.kinds import Kind
from notifications.models import Notification
from notifications.services import notify
from operations.schedules import JobFailed
from referrals.choices import CaseStatus
from referrals.models import Case


def _command(name: str) -> str:
    out = io.StringIO()
    call_command(name, stdout=out, stderr=out)
    return out.getvalue().strip()[-2000:]


def _alert_auditors(kind: str, outcome: str, within: dt.timedelta) -> int:
    """Tell every auditor, unless they were told the same within `within`."""
    since = timezone.now() - within
    told = set(Notification.objects.filter(kind=kind, created_at__gte=since).values_list("recipient_id", flat=True))
    recipients = [u for u in holders_of(Role.AUDITOR) if u.pk not in told]
    return len(notify(recipients=recipients, kind=kind, object_type="audit", outcome=outcome))


def audit_checkpoint_job() -> str:
    try:
        return _command("audit_checkpoint")
    except CommandError as exc:
        _alert_auditors(Kind.VERIFICATION_FAILED, str(exc)[:40], dt.timedelta(hours=1))
        raise JobFailed(str(exc)) from None


def newest_checkpoint_at():
    checkpoint = AuditCheckpoint.objects.order_by("-id").first()
    if checkpoint is None:
        return None
    return getattr(checkpoint, "signed_at", None) or getattr(checkpoint, "created_at", None)


def audit_verify_job() -> str:
    try:
        report = _command("verify_audit_log")
    except CommandError as exc:
        _alert_auditors(Kind.VERIFICATION_FAILED, str(exc)[:40], dt.timedelta(hours=1))
        raise JobFailed(str(exc)) from None
    max_age = dt.timedelta(minutes=settings.VAF_CHECKPOINT_MAX_AGE_MINUTES)
    newest = newest_checkpoint_at()
    if AuditEvent.objects.exists() and (newest is None or timezone.now() - newest > max_age):
        since = timezone.localtime(newest).strftime("%Y-%m-%d %H:%M") if newest else "-"
        _alert_auditors(Kind.CHECKPOINT_OVERDUE, since, max_age)
        raise JobFailed(f"{report}\nCheckpoint overdue: newest signed {since}.")
    return report


def _entered(case_ids, actions) -> dict:
    """When each case last entered its current state, from the audit log."""
    when = {}
    events = AuditEvent.objects.filter(object_type="case", object_id__in=[str(i) for i in case_ids], action__in=actions)
    for object_id, occurred_at in events.order_by("seq").values_list("object_id", "occurred_at"):
        when[object_id] = occurred_at
    return when


def _remind(recipients, kind, *, object_type, object_id, reference, since, case=None) -> int:
    recent = timezone.now() - dt.timedelta(days=1)
    told = set(
        Notification.objects.filter(kind=kind, object_id=str(object_id), created_at__gte=recent).values_list(
            "recipient_id", flat=True
        )
    )
    return len(
        notify(
            recipients=[u for u in recipients if u.pk not in told],
            kind=kind,
            case=case,
            object_type=object_type,
            object_id=str(object_id),
            reference=reference,
            outcome=timezone.localtime(since).strftime("%Y-%m-%d"),
        )
    )


def reminders_job() -> str:
    """Cases in assessment longer than N days (their caseworker); cases and
    payment requests waiting for a decision longer than N days (approvers).
    A person is reminded of one thing at most once a day."""
    now = timezone.now()
    sent = 0
    assessment_cutoff = now - dt.timedelta(days=settings.VAF_REMIND_ASSESSMENT_AFTER_DAYS)
    cases = list(Case.objects.filter(status=CaseStatus.IN_ASSESSMENT).select_related("assigned_to"))
    entered = _entered([c.pk for c in cases], ["case.start_assessment", "case.return_to_assessment", "case.reopen"])
    for case in cases:
        since = entered.get(str(case.pk), case.created_at)
        if since <= assessment_cutoff and case.assigned_to_id:
            sent += _remind(
                [case.assigned_to],
                Kind.ASSESSMENT_OVERDUE,
                object_type="case",
                object_id=case.pk,
                reference=case.reference,
                since=since,
                case=case,
            )
    approval_cutoff = now - dt.timedelta(days=settings.VAF_REMIND_APPROVAL_AFTER_DAYS)
    approvers = list(holders_of(Role.APPROVER))
    pending = list(Case.objects.filter(status=CaseStatus.PENDING_APPROVAL))
    submitted = _entered([c.pk for c in pending], ["case.submit_for_approval"])
    for case in pending:
        since = submitted.get(str(case.pk), case.submitted_at or case.created_at)
        if since <= approval_cutoff:
            sent += _remind(
                approvers,
                Kind.APPROVAL_OVERDUE,
                object_type="case",
                object_id=case.pk,
                reference=case.reference,
                since=since,
                case=case,
            )
    waiting = Disbursement.objects.filter(status=DisbursementStatus.SUBMITTED, submitted_at__lte=approval_cutoff)
    for disbursement in waiting.select_related("case"):
        sent += _remind(
            approvers,
            Kind.APPROVAL_OVERDUE,
            object_type="disbursement",
            object_id=disbursement.pk,
            reference=disbursement.case.reference,
            since=disbursement.submitted_at,
            case=disbursement.case,
        )
    return f"{sent} reminders sent."


def retention_job() -> str:
    from operations.retention import retention_apply

    erased = retention_apply()
    return f"{len(erased)} cases erased under the retention policy." if erased is not None else "Retention is off."
