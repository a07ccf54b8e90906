"""AES-256-GCM envelope encryption.

Written here rather than taken from an encrypted-field package: none binds
each ciphertext to its model, field and row with associated data, records a
key id with every ciphertext, and keeps per-case data keys that can be
rotated and destroyed. The primitives are `cryptography`'s; this module only
fixes the byte layouts:

ciphertext   = version(1) | data_key_id(16) | nonce(12) | AES-GCM(ct + tag)
wrapped key  = version(1) | nonce(12) | AES-GCM(key + tag), under a master key

The header (version and key id) is part of the associated data, so it cannot
be swapped either.
"""

from __future__ import annotations

import os
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from vault.errors import VaultIntegrityError

VERSION = 1
_HEADER = 1 + 16
_NONCE = 12


def encrypt(key: bytes | AESGCM, key_id: uuid.UUID, plaintext: bytes, context: bytes) -> bytes:
    """`key`: the data key, or an `AESGCM` already made from it (DataKey.cipher)."""
    header = bytes([VERSION]) + key_id.bytes
    nonce = os.urandom(_NONCE)
    return header + nonce + _cipher(key).encrypt(nonce, plaintext, header + context)


def ciphertext_key_id(ciphertext: bytes) -> uuid.UUID:
    return uuid.UUID(bytes=ciphertext_key_id_bytes(ciphertext))


def ciphertext_key_id_bytes(ciphertext: bytes) -> bytes:
    if len(ciphertext) < _HEADER + _NONCE + 16 or ciphertext[0] != VERSION:
        raise VaultIntegrityError("Stored value is not a vault ciphertext of a known version.")
    return bytes(ciphertext[1:_HEADER])


def decrypt(key: bytes | AESGCM, ciphertext: bytes, context: bytes) -> bytes:
    ciphertext_key_id_bytes(ciphertext)
    header = ciphertext[:_HEADER]
    nonce = ciphertext[_HEADER : _HEADER + _NONCE]
    try:
        return _cipher(key).decrypt(nonce, ciphertext[_HEADER + _NONCE :], header + context)
    except InvalidTag:
        raise VaultIntegrityError(
            "Ciphertext does not authenticate: tampered, encrypted under another key, "
            "or moved from another row or field."
        ) from None


def _cipher(key: bytes | AESGCM) -> AESGCM:
    return key if isinstance(key, AESGCM) else AESGCM(key)


def wrap(master_key: bytes, data_key: bytes, context: bytes) -> bytes:
    nonce = os.urandom(_NONCE)
    return bytes([VERSION]) + nonce + AESGCM(master_key).encrypt(nonce, data_key, context)


def unwrap(master_key: bytes, wrapped: bytes, context: bytes) -> bytes:
    if len(wrapped) != 1 + _NONCE + 32 + 16 or wrapped[0] != VERSION:
        raise VaultIntegrityError("Wrapped data key has an unknown format.")
    try:
        return AESGCM(master_key).decrypt(wrapped[1 : 1 + _NONCE], wrapped[1 + _NONCE :], context)
    except InvalidTag:
        raise VaultIntegrityError(
            "Data key cannot be unwrapped: wrong master key for its key id, or tampered."
        ) from None
