"""The key ring, read from the environment (through settings) on first use.

`VAF_MASTER_KEYS`: comma-separated `key_id:base64(32 bytes)` entries. The
FIRST entry is the active key that wraps new data keys; the others are kept
only to unwrap data keys not yet rotated. `VAF_BLIND_INDEX_KEY`: base64 of 32
bytes; per-field keys are derived from it with HKDF.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

from vault.errors import VaultKeyError

KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


@dataclass(frozen=True)
class KeyRing:
    master_keys: dict[str, bytes]
    active_master_key_id: str
    blind_index_key: bytes

    def master_key(self, key_id: str) -> bytes:
        try:
            return self.master_keys[key_id]
        except KeyError:
            raise VaultKeyError(
                f"Master key '{key_id}' is not in VAF_MASTER_KEYS: it is needed to unwrap a data key."
            ) from None


def _decode_key(value: str, variable: str) -> bytes:
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise VaultKeyError(f"{variable} holds a key that is not valid base64.") from None
    if len(raw) != 32:
        raise VaultKeyError(f"{variable} holds a key of {len(raw)} bytes; 32 are required (AES-256).")
    return raw


@lru_cache(maxsize=4)
def parse_keyring(master_keys: str, blind_index_key: str) -> KeyRing:
    if not master_keys.strip():
        raise VaultKeyError(
            "VAF_MASTER_KEYS is not set. Generate keys with `python manage.py generate_keys` "
            "(`make run` writes development keys to var/dev.env)."
        )
    if not blind_index_key.strip():
        raise VaultKeyError("VAF_BLIND_INDEX_KEY is not set. Generate one with `python manage.py generate_keys`.")
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for entry in master_keys.split(","):
        if not entry.strip():
            continue
        key_id, sep, encoded = entry.strip().partition(":")
        if not sep or not KEY_ID.match(key_id):
            raise VaultKeyError(
                "VAF_MASTER_KEYS must be comma-separated 'key_id:base64key' entries "
                "(key ids: letters, digits, '.', '_', '-', at most 32)."
            )
        if key_id in keys:
            raise VaultKeyError(f"VAF_MASTER_KEYS lists the key id '{key_id}' twice.")
        keys[key_id] = _decode_key(encoded, "VAF_MASTER_KEYS")
        order.append(key_id)
    if not order:
        raise VaultKeyError("VAF_MASTER_KEYS lists no key.")
    return KeyRing(keys, order[0], _decode_key(blind_index_key, "VAF_BLIND_INDEX_KEY"))


def keyring() -> KeyRing:
    return parse_keyring(
        getattr(settings, "VAF_MASTER_KEYS", "") or "",
        getattr(settings, "VAF_BLIND_INDEX_KEY", "") or "",
    )
