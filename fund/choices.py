from django.db import models
from django.utils.translation import gettext_lazy as _


class DisbursementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    RECONCILED = "reconciled", _("Reconciled")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")
    FAILED = "failed", _("Payment failed")


# A case cannot be closed while one of its disbursements is in these states.
OPEN_STATES = (
    DisbursementStatus.DRAFT,
    DisbursementStatus.SUBMITTED,
    DisbursementStatus.APPROVED,
    DisbursementStatus.FAILED,
)
# States in which the amount is committed (reserved) in the fund.
COMMITTED_STATES = (DisbursementStatus.APPROVED, DisbursementStatus.FAILED)
# States that count towards the per-case total (approved or paid).
COUNTED_STATES = (
    DisbursementStatus.APPROVED,
    DisbursementStatus.FAILED,
    DisbursementStatus.PAID,
    DisbursementStatus.RECONCILED,
)


class PayeeType(models.TextChoices):
    VICTIM = "victim", _("Victim")
    VENDOR = "vendor", _("Vendor")


class LedgerEntryKind(models.TextChoices):
    DEPOSIT = "deposit", _("Deposit")
    COMMIT = "commit", _("Commitment")
    RELEASE = "release", _("Release")
    PAYMENT = "payment", _("Payment")
