"""The retention policy: erase a case's personal data N years after it was
settled (closed, withdrawn or rejected), through `case_erase`, audited.

`VAF_RETENTION_YEARS` = 0 (the default) turns it off. A case with a payment
request still open (draft, submitted, approved or failed) is never erased.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from audit.models import AuditEvent
from fund.choices import OPEN_STATES
from fund.models import Disbursement
from referrals.models import Case
from referrals.services import ERASABLE_STATES, case_erase

SETTLING_ACTIONS = ("case.close", "case.withdraw", "case.reject")


@dataclass(frozen=True)
class DueCase:
    case: Case
    settled_at: dt.datetime


def _now() -> dt.datetime:
    return timezone.now()


def retention_cutoff(now: dt.datetime | None = None) -> dt.datetime | None:
    years = settings.VAF_RETENTION_YEARS
    if years <= 0:
        return None
    now = now or _now()
    return now - dt.timedelta(days=round(365.25 * years))


def cases_due_for_erasure(now: dt.datetime | None = None) -> list[DueCase] | None:
    """The settled cases the policy says to erase now; None when retention is off."""
    cutoff = retention_cutoff(now)
    if cutoff is None:
        return None
    candidates = {
        str(case.pk): case
        for case in Case.objects.filter(status__in=ERASABLE_STATES, data_key__destroyed_at__isnull=True)
        .exclude(disbursements__status__in=OPEN_STATES)
        .select_related("data_key")
    }
    settled: dict[str, dt.datetime] = {}
    events = AuditEvent.objects.filter(object_type="case", object_id__in=list(candidates), action__in=SETTLING_ACTIONS)
    for object_id, occurred_at in events.order_by("seq").values_list("object_id", "occurred_at"):
        settled[object_id] = occurred_at
    due = []
    for pk, case in candidates.items():
        settled_at = settled.get(pk, case.updated_at)
        if settled_at <= cutoff:
            due.append(DueCase(case=case, settled_at=settled_at))
    return sorted(due, key=lambda d: d.settled_at)


def retention_apply(now: dt.datetime | None = None) -> list[str] | None:
    """Erase every due case; returns their references (None when off)."""
    due = cases_due_for_erasure(now)
    if due is None:
        return None
    erased = []
    for item in due:
        # Checked again: a payment request may have been opened since the list was made.
        if Disbursement.objects.filter(case=item.case, status__in=OPEN_STATES).exists():
            continue
        case_erase(
            case=item.case,
            actor=None,
            reason=f"Retention policy: settled more than {settings.VAF_RETENTION_YEARS} years ago.",
        )
        erased.append(item.case.reference)
    return erased
