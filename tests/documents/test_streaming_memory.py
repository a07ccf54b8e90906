"""Uploads are sealed and downloads opened chunk by chunk: memory stays
bounded by a few chunks whatever the file's size (measured with tracemalloc,
not with a clock)."""

from __future__ import annotations

import tracemalloc

from documents.sealing import SealingUploadHandler
from tests.documents.conftest import pdf_bytes

MIB = 1024 * 1024


def peak_while(fn) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_receiving_a_large_file_keeps_only_a_few_chunks_in_memory(settings):
    settings.VAF_DOCUMENT_MAX_BYTES = 20 * MIB
    piece = b"%PDF-1.4\n" + b"x" * (64 * 1024 - 9)
    handler = SealingUploadHandler()

    def receive():
        handler.new_file("file", "big.pdf", "application/pdf", None)
        for n in range(128):  # 8 MiB in 64 KiB pieces, as Django hands them over
            handler.receive_data_chunk(piece, n * len(piece))
        handler.file_complete(128 * len(piece)).close()

    assert peak_while(receive) < 2 * MIB  # the spool holds 1 MiB of ciphertext, then spills to a temp file


def test_downloading_a_large_file_keeps_only_a_few_chunks_in_memory(api, people, case, settings):
    settings.VAF_DOCUMENT_MAX_BYTES = 20 * MIB
    data = pdf_bytes(padding=6 * MIB)
    document_id = api.upload(people.caseworker, case, data).json()["id"]
    del data
    response = api.download(people.caseworker, document_id)
    received = []

    def stream():
        for chunk in response.streaming_content:
            received.append(len(chunk))  # consume without keeping the bytes

    assert peak_while(stream) < 2 * MIB
    assert sum(received) > 6 * MIB
