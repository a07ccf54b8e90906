"""Demo documents: small, obviously fictitious PDFs attached to the demo's
payment requests (an invoice when a request is submitted, a receipt before a
payment is reconciled, which VAF_RECEIPT_REQUIRED_FOR_RECONCILE asks for)."""

from __future__ import annotations

from documents.choices import DocumentKind
from documents.sealing import seal_bytes
from documents.services import document_upload


def demo_pdf(title: str) -> bytes:
    text = f"BT /F1 14 Tf 20 100 Td ({title} - fictitious demo document) Tj ET".encode()
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 420 200] /Contents 4 0 R >> endobj\n"
        + b"4 0 obj << /Length %d >> stream\n" % len(text)
        + text
        + b"\nendstream endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )


def attach(*, disbursement, caseworker, kind: str) -> None:
    label = DocumentKind(kind).label
    name = f"demo-{kind}-{str(disbursement.pk)[:8]}.pdf"
    document_upload(
        actor=caseworker,
        case=disbursement.case,
        upload=seal_bytes(demo_pdf(f"Demo {label}"), name=name, content_type="application/pdf"),
        kind=kind,
        disbursement_id=disbursement.pk,
        filename=name,
    )
