"""What the standard exports read: cases registered in a date range, with
their plain victim attributes and the categories of assistance paid.

Nothing here decrypts: the exports carry coded values only, so they work the
same for cases whose personal data was erased.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import QuerySet

from fund.choices import DisbursementStatus
from fund.models import Disbursement
from referrals.models import PERSONAL_FIELDS, Case, VictimProfile

# Sealed columns are never read by an export: not even loaded.
SEALED = tuple(PERSONAL_FIELDS)
GIVEN_STATES = (DisbursementStatus.APPROVED, DisbursementStatus.PAID, DisbursementStatus.RECONCILED)


def cases_registered(*, since: dt.date | None = None, until: dt.date | None = None) -> QuerySet[Case]:
    """Cases referred between `since` and `until` (local dates, both included)."""
    cases = Case.objects.defer("summary", "assessment_notes")
    if since is not None:
        cases = cases.filter(created_at__date__gte=since)
    if until is not None:
        cases = cases.filter(created_at__date__lte=until)
    return cases.order_by("created_at", "reference")


def victim_profiles(cases: QuerySet[Case]) -> dict:
    """case id -> its victim profile, in one query."""
    return {p.case_id: p for p in VictimProfile.objects.filter(case__in=cases.values("pk")).defer(*SEALED)}


def assistance_given(cases: QuerySet[Case]) -> dict:
    """case id -> categories of the assistance approved or paid for it."""
    given: dict = defaultdict(set)
    rows = Disbursement.objects.filter(case__in=cases.values("pk"), status__in=GIVEN_STATES)
    for case_id, category in rows.values_list("case_id", "category").distinct():
        given[case_id].add(category)
    return given
