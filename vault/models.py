from __future__ import annotations

import uuid

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import models
from django.utils.translation import gettext_lazy as _


class DataKey(models.Model):
    """A per-case AES-256 data key, stored only wrapped by a master key.

    Destroying it (crypto-shredding) clears the wrapped key: everything
    encrypted under it becomes unreadable, in the database and in backups.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    master_key_id = models.CharField(max_length=32, db_index=True)
    wrapped_key = models.BinaryField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("data key")

    def __str__(self) -> str:
        return f"data key {self.id} ({self.master_key_id})"

    def plaintext_key(self) -> bytes:
        """The unwrapped key, cached on this instance only (never persisted)."""
        cached = self.__dict__.get("_plaintext_key")
        if cached is None:
            from vault.services import data_key_unwrap

            cached = data_key_unwrap(self)
            self.__dict__["_plaintext_key"] = cached
        return cached

    def cipher(self) -> AESGCM:
        """AES-GCM under the unwrapped key, made once and cached beside the key
        on this instance (rebuilt if the key changes; gone when it is dropped)."""
        key = self.plaintext_key()
        cached = self.__dict__.get("_cipher")
        if cached is None or cached[0] is not key:
            cached = self.__dict__["_cipher"] = (key, AESGCM(key))
        return cached[1]
