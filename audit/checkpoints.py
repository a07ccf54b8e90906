"""Signed checkpoints of the audit chain head (Ed25519).

The private key comes from the environment (`VAF_AUDIT_SIGNING_KEY`, base64 of
the 32-byte raw key) and never enters the database; the signature covers
`vaf-audit-checkpoint|<seq>|<hash>|<signed_at>`. Verification trusts only the
public key derived from the configured key plus any listed in
`VAF_AUDIT_TRUSTED_PUBLIC_KEYS`, never the key stored beside a checkpoint.
"""

from __future__ import annotations

import base64
import binascii
import contextlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.chain import format_time
from audit.models import GENESIS_HASH, AuditCheckpoint
from audit.services import audit_flush, audit_record
from audit.verification import verify_chain


class CheckpointKeyError(Exception):
    pass


def _raw_public(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def signing_key() -> Ed25519PrivateKey:
    value = getattr(settings, "VAF_AUDIT_SIGNING_KEY", "") or ""
    if not value:
        raise CheckpointKeyError(_("VAF_AUDIT_SIGNING_KEY is not set: cannot sign audit checkpoints."))
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise CheckpointKeyError(_("VAF_AUDIT_SIGNING_KEY is not valid base64.")) from None
    if len(raw) != 32:
        raise CheckpointKeyError(_("VAF_AUDIT_SIGNING_KEY must be 32 bytes (an Ed25519 private key)."))
    return Ed25519PrivateKey.from_private_bytes(raw)


def public_key_text() -> str:
    return _raw_public(signing_key().public_key())


def trusted_public_keys() -> set[str]:
    keys = {k.strip() for k in (getattr(settings, "VAF_AUDIT_TRUSTED_PUBLIC_KEYS", "") or "").split(",") if k.strip()}
    with contextlib.suppress(CheckpointKeyError):
        keys.add(public_key_text())
    return keys


def _message(head_seq: int, head_hash: str, signed_at) -> bytes:
    return f"vaf-audit-checkpoint|{head_seq}|{head_hash}|{format_time(signed_at)}".encode()


def checkpoint_signature_valid(checkpoint: AuditCheckpoint) -> bool:
    if checkpoint.public_key not in trusted_public_keys():
        return False
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(checkpoint.public_key))
        key.verify(
            base64.b64decode(checkpoint.signature),
            _message(checkpoint.head_seq, checkpoint.head_hash, checkpoint.signed_at),
        )
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True


class ChainNotIntact(Exception):
    """The chain does not verify: a checkpoint would vouch for a tampered log."""


def audit_checkpoint_create(*, actor=None, verification=None) -> AuditCheckpoint:
    """Sign the current head, only if the chain verifies.

    The whole chain is verified first without holding the append lock (it can
    take seconds at a million events); then, under the lock, the events
    appended meanwhile are verified from that head, the checkpoint's own event
    is appended, and the new head is signed.
    """
    key = signing_key()
    result = verification or verify_chain()
    if not result.ok:
        raise ChainNotIntact(
            _("The audit chain does not verify (%(problem)s at event %(seq)s): no checkpoint was signed.")
            % {"problem": result.problem, "seq": result.first_bad_seq}
        )
    with transaction.atomic():
        audit_record(action="audit.checkpoint", actor=actor, object_type="audit")
        audit_flush()  # sequence it now: the head signed below must include it
        tail = verify_chain(after=(result.head_seq or 0, result.head_hash or GENESIS_HASH))
        if not tail.ok:
            raise ChainNotIntact(
                _("Events appended since verification do not verify (%(problem)s at event %(seq)s).")
                % {"problem": tail.problem, "seq": tail.first_bad_seq}
            )
        signed_at = timezone.now()
        signature = key.sign(_message(tail.head_seq, tail.head_hash, signed_at))
        checkpoint = AuditCheckpoint(
            head_seq=tail.head_seq,
            head_hash=tail.head_hash,
            signed_at=signed_at,
            public_key=_raw_public(key.public_key()),
            signature=base64.b64encode(signature).decode(),
        )
        checkpoint.save()
    return checkpoint
