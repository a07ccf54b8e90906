"""The payment work waiting for a person, counted on their home page
(registered with `accounts.home` in `FundConfig.ready()`)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.home import WaitingWork
from accounts.roles import Role, user_roles
from fund.choices import DisbursementStatus as S
from fund.models import Approval, Disbursement


def payment_work_waiting(user) -> list[WaitingWork]:
    roles = user_roles(user)
    work: list[WaitingWork] = []
    if Role.APPROVER in roles:
        submitted = Disbursement.objects.filter(status=S.SUBMITTED)
        mine = Q(requested_by=user) | Q(submitted_by=user)
        already = Approval.objects.filter(disbursement=OuterRef("pk"), approver=user, round=OuterRef("approval_round"))
        count = submitted.exclude(mine).exclude(Exists(already)).count()
        label = _("Payment requests waiting for your approval")
        work.append(WaitingWork(Role.APPROVER, label, count, reverse("fund:approval_queue")))
    if Role.FINANCE in roles:
        queue = reverse("fund:payment_queue")
        to_pay = Disbursement.objects.filter(status__in=[S.APPROVED, S.FAILED]).count()
        to_reconcile = Disbursement.objects.filter(status=S.PAID).count()
        work.append(WaitingWork(Role.FINANCE, _("Approved payments to make"), to_pay, queue))
        work.append(WaitingWork(Role.FINANCE, _("Payments to reconcile"), to_reconcile, queue))
    if Role.CASEWORKER in roles and user.organisation_id:
        returned = Disbursement.objects.filter(
            status=S.DRAFT, approval_round__gt=1, case__organisation_id=user.organisation_id
        ).count()
        work.append(
            WaitingWork(
                Role.CASEWORKER,
                _("Payment requests returned for changes"),
                returned,
                reverse("referrals:case_list") + "?status=active",
            )
        )
    return work
