"""Writes and audited reads of documents: upload, download, erase, verify.

Uploads arrive already sealed (documents.sealing); this module checks who
may upload what, judges the content by its bytes (documents.content),
re-encodes images, stores the ciphertext through Django's storage API and
records `document.uploaded`. Downloads authenticate every chunk before the
first byte is sent, then stream; each one is recorded as
`document.downloaded`. Audit payloads carry ids, kinds, sizes and types,
never the file's name.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from config.db.before_commit import CommittedDespiteError
from config.errors import DomainError, Gone, IntegrityFailure, PermissionDenied, TransitionNotAllowed, ValidationFailed
from documents.choices import DocumentKind
from documents.content import JPEG, PNG, clean_image, sniff
from documents.models import Document
from documents.sealing import SealedUpload, max_document_bytes, seal_bytes
from fund.models import Disbursement
from referrals.models import Case
from referrals.permissions import is_case_caseworker
from referrals.services import lock_case
from vault.errors import DataKeyDestroyed, VaultError
from vault.streaming import open_stream, verify_stream

NAME_LIMIT = 255


def _blob_name(document_id) -> str:
    return f"documents/{document_id.hex}.sealed"


def _check_upload(*, actor, case: Case, kind: str, disbursement_id) -> Disbursement | None:
    if not is_case_caseworker(actor, case):
        raise PermissionDenied(_("Only caseworkers of the case's organisation may add documents to it."))
    if case.data_key.destroyed_at is not None:
        raise TransitionNotAllowed(_("This case's personal data is erased: no document can be added."))
    if kind not in DocumentKind.values:
        raise ValidationFailed(
            _("Unknown document kind."),
            errors={"kind": [_("Choose one of: %(k)s.") % {"k": ", ".join(DocumentKind.values)}]},
        )
    if not disbursement_id:
        return None
    disbursement = Disbursement.objects.filter(pk=disbursement_id, case=case).first()
    if disbursement is None:
        raise ValidationFailed(
            _("The payment request is not one of this case's."),
            errors={"disbursement": [_("Choose a payment request of this case.")]},
        )
    return disbursement


def _reencoded(upload: SealedUpload, content_type: str) -> SealedUpload:
    """Images: decoded and encoded again without metadata, then sealed anew
    (images are at most VAF_DOCUMENT_MAX_BYTES, held in memory only)."""
    data = b"".join(upload.plaintext_chunks())
    upload.close()
    return seal_bytes(clean_image(data, content_type), name=upload.name, content_type=content_type)


def _too_large() -> ValidationFailed:
    limit = max_document_bytes()
    message = _("The file is larger than the %(mib).1f MiB allowed.") % {"mib": limit / (1024 * 1024)}
    return ValidationFailed(message, errors={"file": [message]})


def upload_refused_as_too_large() -> ValidationFailed:
    return _too_large()


def _sealed_and_stored(upload: SealedUpload, name: str) -> tuple[SealedUpload, str, str]:
    """Judge the content, re-encode images, store the ciphertext: the upload
    as stored, its content type and its storage name."""
    try:
        if upload.size > max_document_bytes():
            raise _too_large()
        content_type = sniff(head=upload.head, tail=upload.tail, size=upload.size, name=name)
        if content_type in (PNG, JPEG):
            upload = _reencoded(upload, content_type)
        stored = default_storage.save(_blob_name(upload.document_id), File(upload.ciphertext()))
    finally:
        upload.close()
    return upload, content_type, stored


def document_upload(
    *, actor, case: Case, upload: SealedUpload | None, kind: str, disbursement_id=None, filename: str = ""
) -> Document:
    """Add a document to `case` (and to one of its payment requests)."""
    try:
        disbursement = _check_upload(actor=actor, case=case, kind=kind, disbursement_id=disbursement_id)
    except DomainError:
        if upload is not None:
            upload.close()
        raise
    if upload is None:
        raise ValidationFailed(_("Attach a file."), errors={"file": [_("This field is required.")]})
    name = (filename or upload.name or "").strip()[:NAME_LIMIT] or "document"
    upload, content_type, stored = _sealed_and_stored(upload, name)
    try:
        with transaction.atomic():
            if lock_case(case.pk).data_key.destroyed_at is not None:  # erased meanwhile
                raise TransitionNotAllowed(_("This case's personal data is erased: no document can be added."))
            document = Document(
                id=upload.document_id,
                case=case,
                disbursement=disbursement,
                kind=kind,
                content_type=content_type,
                size=upload.size,
                sha256=upload.sha256,
                blob_name=stored,
                uploaded_by=actor,
                uploaded_by_username=actor.get_username(),
            )
            document.filename = name
            document.content_key = base64.b64encode(upload.content_key).decode()
            document.save(force_insert=True)
            audit_record(
                action="document.uploaded",
                actor=actor,
                object_type="document",
                object_id=document.pk,
                payload={
                    "case": str(case.pk),
                    "case_reference": case.reference,
                    "disbursement": str(disbursement.pk) if disbursement else None,
                    "kind": kind,
                    "content_type": content_type,
                    "size": upload.size,
                    "sha256": upload.sha256,
                },
            )
    except CommittedDespiteError:
        raise  # the document and its event are committed: its file stays
    except BaseException:
        if not _document_kept(upload.document_id):
            default_storage.delete(stored)
        raise
    return document


def _document_kept(document_id) -> bool:
    """After a failed upload: is its row in the database after all (a commit
    whose answer was lost)? When that cannot be told, the file stays: a file
    without a row is cheaper than a row without its file."""
    try:
        return Document.objects.filter(pk=document_id).exists()
    except DatabaseError:
        return True


@dataclass
class Download:
    document: Document
    chunks: Iterator[bytes]


def _content_key(document: Document) -> bytes:
    if document.is_erased or not document.blob_name:
        raise Gone(_("This document was erased with the case's personal data."))
    try:
        encoded = document.content_key
    except DataKeyDestroyed:
        raise Gone(_("This document was erased with the case's personal data.")) from None
    if not encoded:
        raise Gone(_("This document was erased with the case's personal data."))
    return base64.b64decode(encoded)


def _integrity_failure(*, actor, document: Document, problem: str) -> IntegrityFailure:
    with transaction.atomic():
        audit_record(
            action="document.integrity_failed",
            actor=actor,
            object_type="document",
            object_id=document.pk,
            payload={"case": str(document.case_id), "problem": problem},
        )
    return IntegrityFailure(
        _(
            "Document %(id)s failed its integrity check: its stored content is damaged or was altered. "
            "Nothing of it is served."
        )
        % {"id": document.pk}
    )


def document_verify(*, document: Document) -> str | None:
    """Why the stored document does not authenticate, or None if it does."""
    key = _content_key(document)
    try:
        with default_storage.open(document.blob_name, "rb") as source:
            size = verify_stream(key, document.id, source)
    except FileNotFoundError:
        return "missing"
    except (VaultError, ValueError) as exc:
        return str(exc)
    if size != document.size:
        return "size differs from the recorded size"
    return None


def document_download(*, actor, document: Document) -> Download:
    """Check the whole stored file, record the download, then stream it.

    The caller checked that `actor` may see the document's case. Nothing is
    sent unless every chunk authenticated first; the stream authenticates
    each chunk again as it sends it.
    """
    key = _content_key(document)
    problem = document_verify(document=document)
    if problem is not None:
        raise _integrity_failure(actor=actor, document=document, problem=problem)
    with transaction.atomic():
        audit_record(
            action="document.downloaded",
            actor=actor,
            object_type="document",
            object_id=document.pk,
            payload={"case": str(document.case_id), "case_reference": document.case.reference, "kind": document.kind},
        )

    def chunks() -> Iterator[bytes]:
        with default_storage.open(document.blob_name, "rb") as source:
            yield from open_stream(key, document.id, source)

    return Download(document=document, chunks=chunks())


def case_documents_erase(*, case: Case) -> int:
    """Erase hook: forget the documents' keys and names and delete their
    stored ciphertext. Runs under the case lock, before the case's data key
    is destroyed. The files are deleted at once, not after the commit: the
    person asked for them to be destroyed, and should the erasure fail after
    this point, running it again finishes the work (the files are unreadable
    without the data key in any case)."""
    documents = list(Document.objects.filter(case=case, erased_at__isnull=True).values_list("id", "blob_name"))
    Document.objects.filter(case=case, erased_at__isnull=True).update(
        erased_at=timezone.now(), content_key=None, filename=None, blob_name=""
    )
    for _id, name in documents:
        if name:
            default_storage.delete(name)
    return len(documents)
