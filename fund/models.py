"""The fund, its append-only ledger, disbursements and their approvals.

Balances are never stored: they are sums over the ledger (fund.services.ledger).
Ledger entries and approvals are append-only, in the model and in the database
(triggers installed by the migration); corrections are new rows.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from audit.append_only import AppendOnlyModel
from fund.choices import DisbursementStatus, LedgerEntryKind, PayeeType
from referrals.choices import AssistanceCategory
from vault.fields import BlindIndexField, EncryptedField

MONEY = {"max_digits": 12, "decimal_places": 2}
S = DisbursementStatus


class Fund(models.Model):
    """The Victims Assistance Fund: one row per currency, locked while money moves."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=200)
    currency = models.CharField(_("currency"), max_length=3, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["currency"]
        verbose_name = _("fund")

    def __str__(self) -> str:
        return f"{self.name} ({self.currency})"


class Disbursement(ConcurrentTransitionMixin, models.Model):
    """One payment request for one case (DESIGN.md §4)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="disbursements")
    case = models.ForeignKey("referrals.Case", on_delete=models.PROTECT, related_name="disbursements")
    category = models.CharField(_("category"), max_length=32, choices=AssistanceCategory.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3)
    payee_type = models.CharField(_("payee type"), max_length=16, choices=PayeeType.choices)
    # The account holder's name and the account number, sealed under the case's data key.
    payee_name = EncryptedField()
    payee_account = EncryptedField()
    # Finds the same IBAN as payee on other cases without decrypting anything.
    payee_account_index = BlindIndexField(source=("payee_account",), normaliser="account")
    # Free text about the case may hold personal data: sealed like the payee.
    justification = EncryptedField()
    status = FSMField(default=S.DRAFT, choices=S.choices, protected=True, db_index=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="disbursements_requested"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # Fixed when submitted, from the policy in force then; returned requests start a new round.
    approvals_required_at_submission = models.PositiveSmallIntegerField(null=True, blank=True)
    approval_round = models.PositiveIntegerField(default=1)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True, db_index=True)
    statement_reference = models.CharField(_("bank statement reference"), max_length=100, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    reconciled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("disbursement")
        indexes = [
            models.Index(fields=["status", "-created_at"], name="disbursement_status_created"),
            models.Index(fields=["case", "status"], name="disbursement_case_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="disbursement_amount_positive"),
            models.CheckConstraint(
                condition=Q(approvals_required_at_submission__isnull=True)
                | Q(approvals_required_at_submission__in=[1, 2]),
                name="disbursement_approvals_required_1_or_2",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} for {self.case_id} ({self.status})"

    def vault_data_key(self):
        return self.case.data_key

    @property
    def approvals_required(self) -> int:
        """Fixed at submission; for a draft, what the policy in force would ask."""
        if self.approvals_required_at_submission:
            return self.approvals_required_at_submission
        from fund.policy import current_policy

        return current_policy().approvals_required(self.amount)

    # Transitions are pure: fund.services checks who may call them, saves,
    # writes the ledger and records the audit event.
    @transition(field=status, source=S.DRAFT, target=S.SUBMITTED)
    def submit(self) -> None:
        pass

    @transition(field=status, source=S.SUBMITTED, target=RETURN_VALUE(S.SUBMITTED, S.APPROVED))
    def approve(self, *, fully_approved: bool) -> str:
        return S.APPROVED if fully_approved else S.SUBMITTED

    @transition(field=status, source=S.SUBMITTED, target=S.REJECTED)
    def reject(self) -> None:
        pass

    @transition(field=status, source=S.SUBMITTED, target=S.DRAFT)
    def return_for_changes(self) -> None:
        pass

    @transition(field=status, source=[S.DRAFT, S.SUBMITTED, S.APPROVED, S.FAILED], target=S.CANCELLED)
    def cancel(self) -> None:
        pass

    @transition(field=status, source=[S.APPROVED, S.FAILED], target=S.PAID)
    def pay(self) -> None:
        pass

    @transition(field=status, source=S.APPROVED, target=S.FAILED)
    def mark_failed(self) -> None:
        pass

    @transition(field=status, source=S.PAID, target=S.RECONCILED)
    def reconcile(self) -> None:
        pass


class Approval(AppendOnlyModel):
    """One approver's sign-off of one disbursement, in one approval round."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    disbursement = models.ForeignKey(Disbursement, on_delete=models.PROTECT, related_name="approvals")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approver_username = models.CharField(max_length=150)
    round = models.PositiveIntegerField(default=1)
    comment = EncryptedField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("approval")
        constraints = [
            models.UniqueConstraint(
                fields=["disbursement", "approver", "round"], name="approval_once_per_approver_and_round"
            ),
        ]

    def __str__(self) -> str:
        return f"approval by {self.approver_username}"

    def vault_data_key(self):
        return self.disbursement.case.data_key


class MakerRole(models.TextChoices):
    CREATOR = "creator", _("Created it")
    EDITOR = "editor", _("Edited it")
    SUBMITTER = "submitter", _("Submitted it")


class DisbursementMaker(AppendOnlyModel):
    """Someone who shaped a payment request (DESIGN.md §4): its creator, each
    edit of the draft (with the names of the fields it changed) and each
    submission. Makers may not approve, reject, pay or reconcile it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    disbursement = models.ForeignKey(Disbursement, on_delete=models.PROTECT, related_name="makers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    username = models.CharField(max_length=150)
    role = models.CharField(_("role"), max_length=16, choices=MakerRole.choices)
    fields = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("payment request maker")
        indexes = [models.Index(fields=["disbursement", "user"], name="maker_disbursement_user")]

    def __str__(self) -> str:
        return f"{self.role} {self.username}"


class LedgerEntry(AppendOnlyModel):
    """A movement of money in the fund. Deposits add; commitments reserve;
    releases give a reservation back; payments spend a reservation."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="ledger_entries")
    kind = models.CharField(_("kind"), max_length=16, choices=LedgerEntryKind.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    disbursement = models.ForeignKey(
        Disbursement, on_delete=models.PROTECT, related_name="ledger_entries", null=True, blank=True
    )
    source = models.CharField(_("source"), max_length=200, blank=True, help_text=_("Where a deposit came from."))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    created_by_username = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        indexes = [models.Index(fields=["fund", "kind"], name="ledger_fund_kind")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_amount_positive"),
            models.CheckConstraint(
                condition=(Q(kind=LedgerEntryKind.DEPOSIT) & Q(disbursement__isnull=True))
                | (~Q(kind=LedgerEntryKind.DEPOSIT) & Q(disbursement__isnull=False)),
                name="ledger_deposit_without_disbursement",
            ),
            # Each disbursement is committed at most once, released at most
            # once and paid at most once.
            models.UniqueConstraint(
                fields=["disbursement", "kind"],
                condition=Q(disbursement__isnull=False),
                name="ledger_once_per_disbursement_and_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"
