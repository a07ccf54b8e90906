"""Reasons about a case, sealed under the case's data key (DESIGN.md §6, §7).

People type personal data into reasons ("moved back home with her brother",
a document number). `audit_record(..., reason_key=case.data_key)` stores the
reason as `sealed:v1:<base64 ciphertext>` (sealed when the event is numbered); the event's hash covers that
stored text, so destroying the case's data key (erasure) makes the reason
unreadable while the chain still verifies. Readers go through `reason_text`,
which gives the plaintext while the key exists and "[erased]" afterwards.
"""

from __future__ import annotations

import base64
import binascii

from vault import aead
from vault.errors import VaultError

PREFIX = "sealed:v1:"
ERASED = "[erased]"


def _context(seq: int) -> bytes:
    return f"vaf|audit.auditevent|reason|{seq}".encode()


def reason_sealer(reason: str, *, data_key):
    """A function of the event's `seq` giving the stored form of `reason`.
    The data key is unwrapped now, so an erased case's key raises
    vault.errors.DataKeyDestroyed here; the text is encrypted once the event
    is numbered (the sequence number is part of the associated data)."""
    key, key_id = data_key.plaintext_key(), data_key.id
    plaintext = reason.encode("utf-8")

    def seal(seq: int) -> str:
        ciphertext = aead.encrypt(key, key_id, plaintext, _context(seq))
        return PREFIX + base64.b64encode(ciphertext).decode("ascii")

    return seal


def is_sealed(stored: str) -> bool:
    return bool(stored) and stored.startswith(PREFIX)


def reason_text(event, *, keys: dict | None = None) -> str:
    """What a reader sees of `event.reason`. `keys` caches data keys by id
    across the events of one page."""
    stored = event.reason or ""
    if not is_sealed(stored):
        return stored
    from vault.models import DataKey

    try:
        ciphertext = base64.b64decode(stored[len(PREFIX) :], validate=True)
        key_id = aead.ciphertext_key_id(ciphertext)
    except (binascii.Error, ValueError, VaultError):
        return ERASED
    cache = keys if keys is not None else {}
    if key_id not in cache:
        cache[key_id] = DataKey.objects.filter(pk=key_id).first()
    data_key = cache[key_id]
    if data_key is None:
        return ERASED
    try:
        return aead.decrypt(data_key.plaintext_key(), ciphertext, _context(event.seq)).decode("utf-8")
    except VaultError:
        return ERASED
