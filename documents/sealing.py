"""Sealing a document while it arrives, so its plaintext never touches disk.

`SealingUploadHandler` replaces Django's upload handlers for the upload
endpoints: each chunk of the `file` field is sealed (vault.streaming) under a
fresh per-document content key as it is received, and only ciphertext is
spooled (in memory, then a temporary file). It keeps just what the checks
need: the first and last bytes, the size and the SHA-256. The size limit is
counted while receiving: the upload stops at the first byte over it.

The content key is later sealed under the case's data key (Document.content_key),
once the service has checked who uploads to which case.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import uuid
from typing import BinaryIO

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopUpload
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

from documents.content import HEAD_BYTES, TAIL_BYTES
from vault.streaming import StreamSealer, open_stream

SPOOL_IN_MEMORY = 1024 * 1024
FIELD = "file"
# Multipart framing and the small form fields around the file.
BODY_OVERHEAD = 64 * 1024


def max_document_bytes() -> int:
    return int(settings.VAF_DOCUMENT_MAX_BYTES)


class SealedUpload(UploadedFile):
    """A received file: ciphertext only, plus what the content checks need."""

    def __init__(self, *, document_id, content_key, spool, name, content_type, size, sha256, head, tail):
        super().__init__(file=spool, name=name, content_type=content_type, size=size)
        self.document_id: uuid.UUID = document_id
        self.content_key: bytes = content_key
        self.sha256: str = sha256
        self.head: bytes = head
        self.tail: bytes = tail

    def ciphertext(self) -> BinaryIO:
        self.file.seek(0)
        return self.file

    def plaintext_chunks(self):
        return open_stream(self.content_key, self.document_id, self.ciphertext())


class _Sealing:
    """One file being sealed."""

    def __init__(self, name: str = "", content_type: str = "") -> None:
        self.document_id = uuid.uuid4()
        self.content_key = os.urandom(32)
        self.sealer = StreamSealer(self.content_key, self.document_id)
        self.spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 (owned by SealedUpload)
        self.hash = hashlib.sha256()
        self.head = bytearray()
        self.tail = b""
        self.size = 0
        self.name = name
        self.content_type = content_type

    def add(self, data: bytes) -> None:
        self.size += len(data)
        self.hash.update(data)
        if len(self.head) < HEAD_BYTES:
            self.head += data[: HEAD_BYTES - len(self.head)]
        self.tail = (self.tail + data)[-TAIL_BYTES:]
        self.spool.write(self.sealer.update(data))

    def finish(self) -> SealedUpload:
        self.spool.write(self.sealer.finalize())
        self.spool.seek(0)
        return SealedUpload(
            document_id=self.document_id,
            content_key=self.content_key,
            spool=self.spool,
            name=self.name,
            content_type=self.content_type,
            size=self.size,
            sha256=self.hash.hexdigest(),
            head=bytes(self.head),
            tail=self.tail,
        )


def seal_bytes(data: bytes, *, name: str = "", content_type: str = "") -> SealedUpload:
    """Seal content already in memory (demo data, a re-encoded image)."""
    sealing = _Sealing(name, content_type)
    for start in range(0, len(data), 64 * 1024):
        sealing.add(data[start : start + 64 * 1024])
    return sealing.finish()


class SealingUploadHandler(FileUploadHandler):
    """The only upload handler of the document upload endpoints."""

    def __init__(self, request=None) -> None:
        super().__init__(request)
        self.refusal: str | None = None  # "too_large" once the limit was passed
        self._sealing: _Sealing | None = None

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > max_document_bytes() + BODY_OVERHEAD:
            self.refusal = "too_large"
            return QueryDict(encoding=encoding), MultiValueDict()  # the body is not read at all
        return None

    def new_file(self, field_name, file_name, content_type, content_length, charset=None, content_type_extra=None):
        super().new_file(field_name, file_name, content_type, content_length, charset, content_type_extra)
        if field_name != FIELD or self._sealing is not None:
            raise SkipFile  # one document per request, in the `file` field
        self._sealing = _Sealing(file_name or "", content_type or "")

    def receive_data_chunk(self, raw_data, start):
        sealing = self._sealing
        if sealing is None:
            return None
        if sealing.size + len(raw_data) > max_document_bytes():
            self.refusal = "too_large"
            self._discard()
            raise StopUpload(connection_reset=True)
        sealing.add(raw_data)
        return None

    def file_complete(self, file_size):
        if self._sealing is None:
            return None
        return self._sealing.finish()

    def upload_interrupted(self):
        self._discard()

    def _discard(self) -> None:
        if self._sealing is not None:
            self._sealing.spool.close()
            self._sealing = None


def install_upload_handler(request) -> SealingUploadHandler:
    """Make `request` (a Django HttpRequest whose body is not read yet) seal
    its file as it arrives. Returns the handler, to ask it for `refusal`."""
    handler = SealingUploadHandler(request)
    request.upload_handlers = [handler]
    return handler
