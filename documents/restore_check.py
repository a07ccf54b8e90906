"""What the restore drill (operations.restore) asks of the documents: that a
stored document still opens with the restored database, media and keys."""

from __future__ import annotations

from config.errors import DomainError
from documents.models import Document
from documents.services import document_verify


def open_one_document() -> tuple[bool, str]:
    """Authenticate the newest stored document end to end. The message names
    the document by id, never by file name."""
    document = (
        Document.objects.filter(erased_at__isnull=True)
        .select_related("case__data_key")
        .order_by("-uploaded_at")
        .first()
    )
    if document is None:
        return True, "documents: none stored"
    try:
        problem = document_verify(document=document)
    except DomainError as exc:  # its key is gone
        problem = exc.code
    if problem is not None:
        return False, f"documents: document {document.pk} does not open ({problem})"
    return True, f"documents: document {document.pk} opens ({document.size} bytes authenticated)"
