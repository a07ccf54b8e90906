"""The documents' part in the work of the apps below, registered in
`DocumentsConfig.ready()`: erasing a case, the case page, reconciling a
payment, the fund's pages and the audit history of a case."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from documents.choices import DocumentKind
from documents.forms import DocumentUploadForm
from documents.models import Document
from documents.selectors import can_see_documents, case_documents_for_user, display_name, names_visible
from documents.services import case_documents_erase
from referrals.permissions import is_case_caseworker


def erase_case_documents(*, case, actor) -> dict:
    return {"documents_erased": case_documents_erase(case=case)}


def documents_section(request, case) -> dict | None:
    user = request.user
    if not can_see_documents(user, case):
        return None
    visible = names_visible(user, case)
    documents = case_documents_for_user(user=user, case=case)
    can_upload = is_case_caseworker(user, case) and case.data_key.destroyed_at is None
    return {
        "template": "documents/case_documents.html",
        "documents_case": case,
        "documents_rows": [{"document": d, "name": display_name(d, visible=visible)} for d in documents],
        "documents_form": DocumentUploadForm(case=case) if can_upload else None,
        "documents_max_mib": settings.VAF_DOCUMENT_MAX_BYTES / (1024 * 1024),
    }


RECEIPT_FLAG = "_documents_receipt_attached"


def receipt_required_for_reconcile(disbursement) -> str | None:
    if not settings.VAF_RECEIPT_REQUIRED_FOR_RECONCILE:
        return None
    # A page reads every row's documents once (disbursement_documents) and
    # leaves the answer on the instance; the transition itself reads afresh.
    has_receipt = disbursement.__dict__.get(RECEIPT_FLAG)
    if has_receipt is None:
        has_receipt = Document.objects.filter(
            disbursement=disbursement, kind=DocumentKind.RECEIPT, erased_at__isnull=True
        ).exists()
    if has_receipt:
        return None
    return _("Attach the payment's receipt before reconciling it.")


def disbursement_documents(user, disbursements) -> dict:
    """Each payment request's documents (names only for those who work the
    case), and whether an invoice and a receipt are attached: one query."""
    evidence = {d.pk: {"documents": [], "invoice_attached": False, "receipt_attached": False} for d in disbursements}
    cases = {d.pk: d.case for d in disbursements}
    rows = Document.objects.filter(disbursement__in=list(evidence), erased_at__isnull=True).order_by("uploaded_at")
    receipts = set()
    for document in rows.select_related("case__data_key"):
        if document.kind == DocumentKind.RECEIPT:
            receipts.add(document.disbursement_id)
        case = cases[document.disbursement_id]
        if not can_see_documents(user, case):
            continue
        entry = evidence[document.disbursement_id]
        name = display_name(document, visible=names_visible(user, case))
        entry["documents"].append(
            {
                "id": document.pk,
                "kind_label": document.get_kind_display(),
                "name": name,
                "url": reverse("documents:download", args=[document.pk]),
                "api_url": reverse("api:document_download", args=[document.pk]),
                "kind": document.kind,
            }
        )
        entry["invoice_attached"] |= document.kind == DocumentKind.INVOICE
        entry["receipt_attached"] |= document.kind == DocumentKind.RECEIPT
    for disbursement in disbursements:
        disbursement.__dict__[RECEIPT_FLAG] = disbursement.pk in receipts
    return evidence


def document_ids_for_case(case_id: str) -> list[str]:
    return [str(pk) for pk in Document.objects.filter(case_id=case_id).values_list("id", flat=True)]
