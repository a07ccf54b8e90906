"""Stable pseudonyms for de-identified exports.

HMAC-SHA256 of an identifier under a key derived (HKDF) from the deployment's
blind-index key for one purpose, so the same case gets the same pseudonym in
every export of this deployment, and nobody without the key can link a
pseudonym back to the case or compute it from the case id.
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from vault.keyring import keyring


def pseudonym(purpose: str, identifier: str) -> str:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"vaf-pseudonym|{purpose}".encode()).derive(
        keyring().blind_index_key
    )
    return hmac.new(key, identifier.encode("utf-8"), hashlib.sha256).hexdigest()
