"""How the audit log names cases: registered with `audit.subjects` in
`ReferralsConfig.ready()` (the log never imports referrals)."""

from __future__ import annotations

import re

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from audit.subjects import Subject
from referrals.models import Case

CASE_REFERENCE = re.compile(r"^VAF-\d{4}-\d{6}$", re.ASCII)


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d H:i") if moment else ""


def case_subject(reference: str) -> Subject | None:
    """The case a reference names, with the facts atop its history (auditors see
    every case's history: the log and these facts hold no personal data)."""
    if not CASE_REFERENCE.match(reference):
        return None
    case = Case.objects.filter(reference=reference).first()
    if case is None:
        return None
    return Subject(
        object_id=str(case.pk),
        reference=case.reference,
        facts=[
            (_("Status"), case.get_status_display()),
            (_("Referred"), _when(case.created_at)),
            (_("Approved"), _when(case.approved_at)),
        ],
    )
