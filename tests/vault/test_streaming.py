"""Chunked AES-256-GCM (vault.streaming): what goes in comes out, and any
change to the sealed bytes is detected before its chunk is released."""

from __future__ import annotations

import io
import os
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vault.errors import VaultIntegrityError
from vault.streaming import HEADER_SIZE, StreamSealer, open_stream, sealed_size, verify_stream

KEY = os.urandom(32)
BLOB = uuid.uuid4()
SMALL = 16  # small chunks make every boundary case cheap to reach


def seal(data: bytes, *, parts: int = 1, chunk_size: int = SMALL, key: bytes = KEY, blob=BLOB) -> bytes:
    sealer = StreamSealer(key, blob, chunk_size=chunk_size)
    out = bytearray()
    step = max(1, len(data) // parts)
    for start in range(0, len(data), step):
        out += sealer.update(data[start : start + step])
    return bytes(out + sealer.finalize())


def unseal(sealed: bytes, *, key: bytes = KEY, blob=BLOB) -> bytes:
    return b"".join(open_stream(key, blob, io.BytesIO(sealed)))


@given(data=st.binary(max_size=200), parts=st.integers(min_value=1, max_value=7))
@settings(max_examples=200, deadline=None)
def test_what_is_sealed_opens_whatever_the_pieces_fed(data, parts):
    sealed = seal(data, parts=parts)
    assert unseal(sealed) == data
    assert len(sealed) == sealed_size(len(data), SMALL)


@pytest.mark.parametrize("size", [0, 1, SMALL - 1, SMALL, SMALL + 1, 3 * SMALL])
def test_boundary_sizes(size):
    data = os.urandom(size)
    assert verify_stream(KEY, BLOB, io.BytesIO(seal(data))) == size


def test_every_single_flipped_byte_is_detected():
    sealed = seal(os.urandom(3 * SMALL + 5))
    for at in range(len(sealed)):
        tampered = sealed[:at] + bytes([sealed[at] ^ 0x80]) + sealed[at + 1 :]
        with pytest.raises(VaultIntegrityError):
            unseal(tampered)


RECORD = 12 + SMALL + 16


@pytest.mark.parametrize(
    "change",
    [
        lambda b: (
            b[:HEADER_SIZE]
            + b[HEADER_SIZE + RECORD : HEADER_SIZE + 2 * RECORD]
            + b[HEADER_SIZE : HEADER_SIZE + RECORD]
            + b[HEADER_SIZE + 2 * RECORD :]
        ),
        lambda b: b[: HEADER_SIZE + 2 * RECORD],  # final chunk dropped: cut at a boundary
        lambda b: b[: HEADER_SIZE + RECORD] + b[HEADER_SIZE + 2 * RECORD :],  # a middle chunk dropped
        lambda b: b + b[HEADER_SIZE : HEADER_SIZE + RECORD],  # a chunk appended
        lambda b: b[:-1],
        lambda b: b[:HEADER_SIZE],
        lambda b: b"",
    ],
    ids=["swapped", "final dropped", "middle dropped", "appended", "one byte short", "header only", "empty"],
)
def test_reordered_dropped_or_truncated_chunks_are_detected(change):
    sealed = seal(os.urandom(3 * SMALL + 5))
    with pytest.raises(VaultIntegrityError):
        unseal(change(sealed))


def test_a_stream_opens_only_with_its_key_and_for_its_blob():
    sealed = seal(b"fake content")
    with pytest.raises(VaultIntegrityError):
        unseal(sealed, key=os.urandom(32))
    with pytest.raises(VaultIntegrityError):
        unseal(sealed, blob=uuid.uuid4())


def test_no_chunk_is_released_before_it_authenticates():
    sealed = bytearray(seal(b"A" * (3 * SMALL)))
    sealed[-1] ^= 1  # the last chunk is damaged
    chunks = open_stream(KEY, BLOB, io.BytesIO(bytes(sealed)))
    released = [next(chunks), next(chunks)]  # earlier chunks are intact and authenticated
    assert released == [b"A" * SMALL] * 2
    with pytest.raises(VaultIntegrityError):
        next(chunks)
