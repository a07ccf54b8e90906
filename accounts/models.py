from __future__ import annotations

import hashlib
import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device


class Organisation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
        verbose_name=_("organisation"),
    )

    class Meta(AbstractUser.Meta):
        ordering = ["username"]
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.username


class ApiToken(models.Model):
    """An API key, stored only as its SHA-256 digest (the key itself is shown once).

    An `intake` token reaches only the intake endpoints and acts only as an
    intake partner, whatever roles its account gains later."""

    class Scope(models.TextChoices):
        FULL = "full", _("The account's roles")
        INTAKE = "intake", _("Intake only")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    prefix = models.CharField(max_length=8, help_text=_("First characters of the key, to tell keys apart."))
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, help_text=_("After this time the token no longer works."))
    scope = models.CharField(max_length=16, choices=Scope.choices, default=Scope.FULL)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class IdempotencyRecord(models.Model):
    """The first answer to a request sent with an `Idempotency-Key` (DESIGN.md §8).

    Keyed by (user, scope, key): a repeat with the same body gets the stored
    answer back; a different body under the same key is a conflict. Stored
    bodies must carry no personal data (they are not encrypted).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=64, help_text=_("The operation the key belongs to, e.g. referrals.create."))
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64, help_text=_("SHA-256 of the canonical request body."))
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    # The object the answer is about (a case), so erasing it purges the answer.
    subject_id = models.UUIDField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "scope", "key"], name="idempotency_user_scope_key"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key[:16]} ({self.user_id})"


class AccessChange(models.Model):
    """A change of who may do what, waiting for a second administrator (four eyes).

    Creating an account, changing its roles or organisation, reactivating it,
    and resetting its password or second factor take effect only when an
    administrator other than the requester, and other than its subject,
    approves. The payload holds usernames, role names and an organisation
    name, never a password or a code.
    """

    class Kind(models.TextChoices):
        CREATE_USER = "create_user", _("Create an account")
        CHANGE_ACCESS = "change_access", _("Change roles, organisation or reactivate")
        RESET_PASSWORD = "reset_password", _("Set-password link")
        RESET_SECOND_FACTOR = "reset_second_factor", _("Reset the second factor")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    subject = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="access_changes", null=True, blank=True, verbose_name=_("account")
    )
    subject_username = models.CharField(_("username"), max_length=150)
    payload = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="access_changes_requested", null=True, blank=True
    )
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="access_changes_decided", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "-created_at"], name="access_change_status")]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject_username} ({self.status})"

    @property
    def role_names(self) -> dict:
        """The payload's role codes as role names, for the pages: `to` (and
        `from` for a change), each a comma-separated list or empty."""
        from accounts.roles import Role

        def names(codes) -> str:
            return ", ".join(str(Role(c).label) if c in Role.values else str(c) for c in codes or [])

        roles = self.payload.get("roles")
        if isinstance(roles, dict):
            return {"from": names(roles.get("from")), "to": names(roles.get("to"))}
        return {"from": "", "to": names(roles)}


class SetPasswordLink(models.Model):
    """A one-time, expiring link with which a person chooses their own password.

    Only the SHA-256 digest of the link's secret is stored; the secret is shown
    once, to the administrator who approved the change that issued it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="set_password_links")
    access_change = models.ForeignKey(AccessChange, on_delete=models.PROTECT, related_name="+", null=True)
    secret_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"set-password link for {self.user_id}"


class RecoveryCodeDevice(Device):
    """One-time recovery codes as a django-otp device, so using one passes the
    second factor like a TOTP code does. Codes are stored only hashed."""

    class Meta(Device.Meta):
        verbose_name = _("recovery codes")

    def verify_token(self, token) -> bool:
        digest = recovery_code_digest(str(token))
        code = self.codes.filter(code_hash=digest, used_at__isnull=True).first()
        if code is None:
            return False
        from django.utils import timezone

        used = RecoveryCode.objects.filter(pk=code.pk, used_at__isnull=True).update(used_at=timezone.now())
        return used == 1


class RecoveryCode(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"recovery code of {self.device_id}"


def recovery_code_digest(code: str) -> str:
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(normalised.encode("ascii", "ignore")).hexdigest()
