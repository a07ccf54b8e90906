"""Data keys: create, unwrap, rotate under the newest master key, destroy."""

from __future__ import annotations

import os

from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from vault import aead
from vault.errors import DataKeyDestroyed
from vault.keyring import keyring
from vault.models import DataKey


def _wrap_context(data_key: DataKey, master_key_id: str) -> bytes:
    return b"vaf-data-key|" + data_key.id.bytes + b"|" + master_key_id.encode()


def data_key_create() -> DataKey:
    """A fresh data key, wrapped by the active master key (caller saves it in
    its own transaction, before the rows encrypted under it)."""
    ring = keyring()
    data_key = DataKey(master_key_id=ring.active_master_key_id)
    plaintext = os.urandom(32)
    data_key.wrapped_key = aead.wrap(
        ring.master_key(ring.active_master_key_id), plaintext, _wrap_context(data_key, ring.active_master_key_id)
    )
    data_key.save()
    data_key.__dict__["_plaintext_key"] = plaintext
    return data_key


def data_key_unwrap(data_key: DataKey) -> bytes:
    if data_key.destroyed_at is not None or not data_key.wrapped_key:
        raise DataKeyDestroyed("This record's data key was destroyed: its personal data is erased.")
    ring = keyring()
    return aead.unwrap(
        ring.master_key(data_key.master_key_id),
        bytes(data_key.wrapped_key),
        _wrap_context(data_key, data_key.master_key_id),
    )


def data_key_destroy(*, data_key: DataKey) -> None:
    """Crypto-shred: the caller records why, in the same transaction."""
    data_key.wrapped_key = None
    data_key.destroyed_at = timezone.now()
    data_key.__dict__.pop("_plaintext_key", None)
    data_key.__dict__.pop("_cipher", None)
    data_key.save(update_fields=["wrapped_key", "destroyed_at", "updated_at"])


def data_keys_rotate(*, actor=None, batch_size: int = 500) -> int:
    """Rewrap every data key not yet under the active master key, one batch
    per transaction (each audited); safe to interrupt and run again."""
    ring = keyring()
    total = 0
    while True:
        with transaction.atomic():
            batch = list(
                DataKey.objects.select_for_update()
                .exclude(master_key_id=ring.active_master_key_id)
                .filter(destroyed_at__isnull=True)
                .order_by("id")[:batch_size]
            )
            if not batch:
                return total
            from_ids: set[str] = set()
            for data_key in batch:
                plaintext = data_key_unwrap(data_key)
                from_ids.add(data_key.master_key_id)
                data_key.master_key_id = ring.active_master_key_id
                data_key.wrapped_key = aead.wrap(
                    ring.master_key(ring.active_master_key_id),
                    plaintext,
                    _wrap_context(data_key, ring.active_master_key_id),
                )
                data_key.updated_at = timezone.now()
            DataKey.objects.bulk_update(batch, ["master_key_id", "wrapped_key", "updated_at"])
            audit_record(
                action="vault.keys_rotated",
                actor=actor,
                object_type="vault",
                payload={
                    "rewrapped": len(batch),
                    "from_master_keys": sorted(from_ids),
                    "to_master_key": ring.active_master_key_id,
                },
            )
            total += len(batch)
