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


class AuditCheckpoint(AppendOnlyModel):
    """A signed statement of the log at a moment: the chain head (sequence and
    hash) and the Merkle tree of that size, kept as a C2SP signed note."""

    id = models.BigAutoField(primary_key=True)
    head_seq = models.PositiveBigIntegerField()
    head_hash = models.CharField(max_length=64)
    signed_at = models.DateTimeField()
    public_key = models.CharField(max_length=64, help_text=_("Base64 Ed25519 public key that signed it."))
    signature = models.CharField(max_length=128)
    # Null on rows signed before the log became a Merkle tree, and nullable so
    # SQLite adds the columns in place (rebuilding the table drops its triggers).
    root_hash = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    note = models.TextField(null=True, blank=True)  # noqa: DJ001

    class Meta:
        ordering = ["-head_seq", "-id"]
        verbose_name = _("audit checkpoint")

    def __str__(self) -> str:
        return f"checkpoint at #{self.head_seq}"


class TreeNode(AppendOnlyModel):
    """A complete subtree of the Merkle tree over the events: level 0 holds
    the leaf hashes, node (level, index) covers leaves index*2**level up to
    (index+1)*2**level. Filled as events are appended; proofs read O(log n)."""

    id = models.BigAutoField(primary_key=True)
    level = models.PositiveSmallIntegerField()
    index = models.PositiveBigIntegerField()
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["level", "index"]
        verbose_name = _("audit tree node")
        constraints = [models.UniqueConstraint(fields=["level", "index"], name="audit_tree_node_unique")]

    def __str__(self) -> str:
        return f"node {self.level}/{self.index}"


class AuditCosignature(AppendOnlyModel):
    """A witness's signature line added to a checkpoint (an auditor's own key)."""

    id = models.BigAutoField(primary_key=True)
    checkpoint = models.ForeignKey(AuditCheckpoint, on_delete=models.PROTECT, related_name="cosignatures")
    key_name = models.CharField(max_length=200)
    key_id = models.CharField(max_length=8)
    signature_line = models.TextField()
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["checkpoint", "id"]
        verbose_name = _("audit checkpoint cosignature")
        constraints = [models.UniqueConstraint(fields=["checkpoint", "key_id"], name="audit_cosignature_once")]

    def __str__(self) -> str:
        return f"{self.key_name} on checkpoint {self.checkpoint_id}"


class AuditVerification(AppendOnlyModel):
    """A checkpoint up to which the log was verified, so the next verification
    starts there: its root is re-checked against the signed checkpoint file
    and the stored tree, then only the newer events are replayed."""

    id = models.BigAutoField(primary_key=True)
    tree_size = models.PositiveBigIntegerField()
    root_hash = models.CharField(max_length=64)
    verified_at = models.DateTimeField()
    full = models.BooleanField(default=False)

    class Meta:
        ordering = ["-tree_size", "-id"]
        verbose_name = _("audit log verification")

    def __str__(self) -> str:
        return f"verified to {self.tree_size}"
