"""In-app notifications and the e-mail outbox.

A notification is written in the same transaction as the change it reports;
so is its e-mail (an `EmailDelivery` row, the outbox). A worker sends the
outbox later, so a broker or mail server that is down loses nothing.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from notifications.kinds import Kind
from vault.fields import EncryptedField


class Notification(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    object_type = models.CharField(max_length=32, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    reference = models.CharField(max_length=40, blank=True, help_text=_("A case reference; never a name."))
    outcome = models.CharField(max_length=40, blank=True, help_text=_("A coded outcome or a date."))
    # No database constraint: inserting a row under a foreign key locks the
    # referenced case (KEY SHARE), and a payment approval that notifies finance
    # while holding the fund lock would then deadlock with a case withdrawal
    # (case lock, then fund lock). Cases are never deleted, so nothing dangles.
    case = models.ForeignKey(
        "referrals.Case", on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True, related_name="+"
    )
    # The approver's reason, shown in the app only: sealed under the case's key.
    note = EncryptedField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference} -> {self.recipient_id}"

    def vault_data_key(self):
        return self.case.data_key


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed for good")


class EmailDelivery(models.Model):
    """One e-mail of the outbox. Subject and body were rendered when it was
    written, in the recipient's language, and carry no personal data.

    Most e-mails repeat an in-app notification. A set-password link has none
    (the person cannot sign in yet) and its body holds a secret: `secret_until`
    is then set, and the body is overwritten as soon as the e-mail is sent,
    fails for good, or that time (the link's expiry) passes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    notification = models.OneToOneField(
        Notification, on_delete=models.CASCADE, related_name="email", null=True, blank=True
    )
    to = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True, help_text=_("The error's type, never its text."))
    # The account a set-password link is for (a newer link replaces its e-mail).
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    secret_until = models.DateTimeField(
        null=True, blank=True, help_text=_("The body holds a one-time link until it is sent or this time passes.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="email_outbox_due")]

    def __str__(self) -> str:
        return f"{self.subject} ({self.status})"


class NotificationPreference(models.Model):
    """A person's choices: the language of their e-mails and the kinds they
    do not want by e-mail (they still see them in the app)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="notification_preference"
    )
    language = models.CharField(_("language of e-mails"), max_length=8, choices=settings.LANGUAGES, default="en")
    email_off = models.JSONField(_("kinds not sent by e-mail"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification preference")

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"
