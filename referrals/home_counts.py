"""The case work waiting for a person, counted on their home page
(registered with `accounts.home` in `ReferralsConfig.ready()`)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.home import WaitingWork
from accounts.roles import Role, user_roles
from referrals.choices import CaseStatus
from referrals.models import Case


def case_work_waiting(user) -> list[WaitingWork]:
    roles = user_roles(user)
    cases_url = reverse("referrals:case_list")
    work: list[WaitingWork] = []
    if Role.CASEWORKER in roles and user.organisation_id:
        own = Case.objects.filter(organisation_id=user.organisation_id)
        work.append(
            WaitingWork(
                Role.CASEWORKER,
                _("Referrals waiting to be picked up"),
                own.filter(status=CaseStatus.REFERRED).count(),
                f"{cases_url}?status={CaseStatus.REFERRED}",
            )
        )
        work.append(
            WaitingWork(
                Role.CASEWORKER,
                _("Your cases in assessment"),
                own.filter(status=CaseStatus.IN_ASSESSMENT, assigned_to=user).count(),
                f"{cases_url}?status={CaseStatus.IN_ASSESSMENT}",
            )
        )
    if Role.APPROVER in roles:
        waiting = Case.objects.filter(status=CaseStatus.PENDING_APPROVAL).exclude(assigned_to=user)
        work.append(
            WaitingWork(
                Role.APPROVER,
                _("Cases waiting for your decision"),
                waiting.count(),
                f"{cases_url}?status={CaseStatus.PENDING_APPROVAL}",
            )
        )
    return work
