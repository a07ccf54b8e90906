"""Reads of documents with access checks.

Whoever may see a case's details may list and download its documents:
caseworkers of its organisation, and approvers, finance officers and
auditors once it was submitted. Only those who work the case see the file
names; the others see that a document exists, its kind, type and size.
Intake partners, who see a referral's status only, see no document. A
document of a case the caller may not see is reported like a missing one.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _

from config.errors import NotFound, PermissionDenied
from documents.content import DOWNLOAD_EXTENSION
from documents.models import Document
from referrals.models import Case
from referrals.selectors import case_get_for_user, is_summary_only, works_the_case
from vault.errors import DataKeyDestroyed
from vault.masking import MASK


def can_see_documents(user, case: Case) -> bool:
    return not is_summary_only(user, case)


def names_visible(user, case: Case) -> bool:
    return works_the_case(user, case)


def case_documents_for_user(*, user, case: Case) -> list[Document]:
    """The case's documents, newest first; `case` was read with
    referrals.selectors.case_get_for_user."""
    if not can_see_documents(user, case):
        raise PermissionDenied(_("Your role may not see this case's documents."))
    return list(
        Document.objects.filter(case=case)
        .select_related("case", "case__data_key", "disbursement")
        .order_by("-uploaded_at", "id")
    )


def document_get_for_user(*, user, document_id) -> Document:
    try:
        document = Document.objects.select_related("case", "case__data_key").get(pk=document_id)
    except (Document.DoesNotExist, ValueError, TypeError, DjangoValidationError):
        raise NotFound(_("Not found.")) from None
    case = case_get_for_user(user=user, case_id=document.case_id)  # NotFound when not visible
    if not can_see_documents(user, case):
        raise NotFound(_("Not found."))
    document.case = case
    return document


def display_name(document: Document, *, visible: bool) -> str | None:
    """The file name for those who work the case; a mask for the others;
    None once erased."""
    if document.is_erased:
        return None
    if not visible:
        return MASK
    try:
        return document.filename
    except DataKeyDestroyed:
        return None


def download_name(document: Document, *, visible: bool) -> str:
    """The name offered to save the file as: the real one, or a neutral one."""
    name = display_name(document, visible=visible) if visible else None
    if name:
        return name
    return f"document-{str(document.pk)[:8]}.{DOWNLOAD_EXTENSION.get(document.content_type, 'bin')}"
