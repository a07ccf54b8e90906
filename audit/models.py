from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.append_only import AppendOnlyModel

GENESIS_HASH = "0" * 64


class AuditEvent(AppendOnlyModel):
    """One entry of the tamper-evident, hash-chained audit log (DESIGN.md §7)."""

    seq = models.PositiveBigIntegerField(primary_key=True)
    occurred_at = models.DateTimeField(db_index=True)
    actor_id = models.UUIDField(null=True, blank=True, db_index=True)
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    payload = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit event")
        indexes = [
            models.Index(fields=["object_type", "object_id", "seq"], name="audit_object_seq"),
            models.Index(fields=["action", "seq"], name="audit_action_seq"),
            models.Index(fields=["actor_id", "seq"], name="audit_actor_seq"),
            # The auditor's pages filter by the username snapshot (it outlives the user).
            models.Index(fields=["actor_username", "seq"], name="audit_actor_username_seq"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    @property
    def reason_text(self) -> str:
        """The reason as a reader sees it: sealed reasons decrypted while the
        case's data key exists, "[erased]" after (audit.sealed_reasons)."""
        from audit.sealed_reasons import reason_text

        return reason_text(self)


class AuditCheckpoint(AppendOnlyModel):
    """A signed statement of the chain head (sequence and hash) at a moment."""

    id = models.BigAutoField(primary_key=True)
    head_seq = models.PositiveBigIntegerField()
    head_hash = models.CharField(max_length=64)
    signed_at = models.DateTimeField()
    public_key = models.CharField(max_length=64, help_text=_("Base64 Ed25519 public key that signed it."))
    signature = models.CharField(max_length=128)

    class Meta:
        ordering = ["-head_seq", "-id"]
        verbose_name = _("audit checkpoint")

    def __str__(self) -> str:
        return f"checkpoint at #{self.head_seq}"
