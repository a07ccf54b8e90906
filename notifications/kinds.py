"""The kinds of notification, what each says and where it leads.

Messages name a reference and what waits, never a person or free text, so
they are safe in an e-mail. They are written here once, translated when shown
(in the reader's language on a page, in the recipient's in an e-mail).
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    CASE_SUBMITTED = "case_submitted", _("A case waits for a decision")
    CASE_DECIDED = "case_decided", _("Your case was decided")
    PAYMENT_SUBMITTED = "payment_submitted", _("A payment request waits for approval")
    PAYMENT_APPROVED = "payment_approved", _("An approved payment waits to be paid")
    PAYMENT_FAILED = "payment_failed", _("A payment failed")
    PAYMENT_RETURNED = "payment_returned", _("Your payment request was returned")
    PAYMENT_REJECTED = "payment_rejected", _("Your payment request was rejected")
    PAYMENT_PAID = "payment_paid", _("Your payment request was paid")
    VERIFICATION_FAILED = "verification_failed", _("The audit log failed verification")
    CHECKPOINT_OVERDUE = "checkpoint_overdue", _("An audit checkpoint is overdue")
    ASSESSMENT_OVERDUE = "assessment_overdue", _("A case has been in assessment for long")
    APPROVAL_OVERDUE = "approval_overdue", _("A decision has been waiting for long")


MESSAGES = {
    Kind.CASE_SUBMITTED: _("Case %(reference)s was submitted for a decision."),
    Kind.CASE_DECIDED: _("Case %(reference)s was decided: %(outcome)s."),
    Kind.PAYMENT_SUBMITTED: _("A payment request for case %(reference)s waits for approval."),
    Kind.PAYMENT_APPROVED: _("A payment for case %(reference)s is approved and waits to be paid."),
    Kind.PAYMENT_FAILED: _("A payment for case %(reference)s failed."),
    Kind.PAYMENT_RETURNED: _("Your payment request for case %(reference)s was returned for changes."),
    Kind.PAYMENT_REJECTED: _("Your payment request for case %(reference)s was rejected."),
    Kind.PAYMENT_PAID: _("Your payment request for case %(reference)s was paid."),
    Kind.VERIFICATION_FAILED: _("The audit log failed verification: %(outcome)s."),
    Kind.CHECKPOINT_OVERDUE: _("No audit checkpoint has been signed since %(outcome)s."),
    Kind.ASSESSMENT_OVERDUE: _("Case %(reference)s has been in assessment since %(outcome)s."),
    Kind.APPROVAL_OVERDUE: _("%(reference)s has been waiting for a decision since %(outcome)s."),
}

OUTCOMES = {
    "approve": _("accepted"),
    "reject": _("rejected"),
    "return_to_assessment": _("returned to assessment"),
}


def message(kind: str, reference: str, outcome: str = "") -> str:
    template = MESSAGES.get(kind)
    if template is None:
        return reference
    return str(template) % {"reference": reference, "outcome": OUTCOMES.get(outcome, outcome)}


def link(kind: str, object_type: str, object_id: str, case_id: str) -> str:
    """Where the recipient acts on it (a path; e-mails prefix the site's address)."""
    if kind in (Kind.VERIFICATION_FAILED, Kind.CHECKPOINT_OVERDUE):
        return reverse("audit:verify")
    if kind == Kind.PAYMENT_SUBMITTED or (kind == Kind.APPROVAL_OVERDUE and object_type == "disbursement"):
        return reverse("fund:approval_queue")
    if kind in (Kind.PAYMENT_APPROVED,):
        return reverse("fund:payment_queue")
    if object_type == "disbursement" and case_id:
        return reverse("fund:case_disbursements", kwargs={"case_id": case_id})
    if case_id:
        return reverse("referrals:case_detail", kwargs={"case_id": case_id})
    return reverse("notifications:list")
