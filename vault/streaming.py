"""Chunked AES-256-GCM for files too large to seal in one piece.

A file is cut into chunks of `CHUNK_SIZE` bytes, each sealed on its own, so
uploads and downloads stream through constant memory. The layout:

    header  = b"VAFS" | version(1) | chunk size(4, big-endian)
    chunk_i = nonce(12, random) | AES-GCM(plaintext_i) + tag(16)

Every chunk's associated data is `header | blob id(16) | i(8) | final(1)`:
a chunk moved to another position or another file does not authenticate,
and because only the last chunk carries final = 1, a file cut short after any
chunk (or with its last chunk dropped) is detected too. Every chunk but the
last is exactly full, so chunk boundaries need no length fields. An empty
plaintext is one empty final chunk.
"""

from __future__ import annotations

import os
import struct
import uuid
from collections.abc import Iterator
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from vault.errors import VaultIntegrityError

MAGIC = b"VAFS"
VERSION = 1
CHUNK_SIZE = 64 * 1024
_NONCE = 12
_TAG = 16
HEADER_SIZE = len(MAGIC) + 1 + 4


def _header(chunk_size: int) -> bytes:
    return MAGIC + bytes([VERSION]) + struct.pack(">I", chunk_size)


def _associated_data(header: bytes, blob_id: uuid.UUID, index: int, final: bool) -> bytes:
    return header + blob_id.bytes + struct.pack(">Q", index) + (b"\x01" if final else b"\x00")


def sealed_size(plaintext_size: int, chunk_size: int = CHUNK_SIZE) -> int:
    chunks = max(1, -(-plaintext_size // chunk_size))
    return HEADER_SIZE + plaintext_size + chunks * (_NONCE + _TAG)


class StreamSealer:
    """Feed plaintext with `update()`, finish with `finalize()`; both return
    the ciphertext bytes ready to be written, in order."""

    def __init__(self, key: bytes, blob_id: uuid.UUID, chunk_size: int = CHUNK_SIZE) -> None:
        self._aead = AESGCM(key)
        self._blob_id = blob_id
        self._chunk_size = chunk_size
        self._header = _header(chunk_size)
        self._pending = bytearray()
        self._index = 0
        self._started = False
        self._finished = False

    def _seal(self, plaintext: bytes, final: bool) -> bytes:
        nonce = os.urandom(_NONCE)
        sealed = self._aead.encrypt(nonce, plaintext, _associated_data(self._header, self._blob_id, self._index, final))
        self._index += 1
        return nonce + sealed

    def _prefix(self) -> bytes:
        if self._started:
            return b""
        self._started = True
        return self._header

    def update(self, data: bytes) -> bytes:
        if self._finished:
            raise ValueError("The stream is already finalised.")
        self._pending += data
        out = bytearray(self._prefix())
        # Keep at least one byte back: the last chunk must be sealed as final.
        while len(self._pending) > self._chunk_size:
            out += self._seal(bytes(self._pending[: self._chunk_size]), final=False)
            del self._pending[: self._chunk_size]
        return bytes(out)

    def finalize(self) -> bytes:
        if self._finished:
            raise ValueError("The stream is already finalised.")
        self._finished = True
        out = self._prefix() + self._seal(bytes(self._pending), final=True)
        self._pending.clear()
        return out


def _read_exactly(source: BinaryIO, size: int) -> bytes:
    parts = []
    remaining = size
    while remaining:
        part = source.read(remaining)
        if not part:
            break
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


def open_stream(key: bytes, blob_id: uuid.UUID, source: BinaryIO) -> Iterator[bytes]:
    """The plaintext chunks of a sealed stream, in order, each one yielded
    only after it authenticated. Raises VaultIntegrityError on any tampering
    (a changed byte, a chunk swapped, dropped or added, a truncated file)."""
    header = _read_exactly(source, HEADER_SIZE)
    if len(header) != HEADER_SIZE or header[:4] != MAGIC or header[4] != VERSION:
        raise VaultIntegrityError("Stored file is not a sealed stream of a known version.")
    chunk_size = struct.unpack(">I", header[5:])[0]
    if not 0 < chunk_size <= 16 * 1024 * 1024:
        raise VaultIntegrityError("Stored file has an invalid chunk size.")
    aead = AESGCM(key)
    record = _NONCE + chunk_size + _TAG
    current = _read_exactly(source, record)
    index = 0
    while True:
        following = _read_exactly(source, record) if len(current) == record else b""
        final = not following
        if len(current) < _NONCE + _TAG or (not final and len(current) != record):
            raise VaultIntegrityError(f"Stored file is truncated at chunk {index}.")
        try:
            plaintext = aead.decrypt(
                current[:_NONCE], current[_NONCE:], _associated_data(header, blob_id, index, final)
            )
        except InvalidTag:
            raise VaultIntegrityError(
                f"Chunk {index} of the stored file does not authenticate: tampered, reordered, "
                "truncated, or sealed under another key or for another file."
            ) from None
        yield plaintext
        if final:
            return
        current = following
        index += 1


def verify_stream(key: bytes, blob_id: uuid.UUID, source: BinaryIO) -> int:
    """Authenticate every chunk without keeping any; the plaintext size."""
    return sum(len(chunk) for chunk in open_stream(key, blob_id, source))
