"""`manage.py verify_documents`: authenticate every stored document, chunk by
chunk, without writing any plaintext anywhere. Exit 0 when every document
is intact, 1 otherwise; each failure is named by document id (never by file
name) and recorded as `document.integrity_failed`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from audit.services import audit_record
from documents.models import Document
from documents.services import document_verify


class Command(BaseCommand):
    help = "Check that every stored document decrypts and authenticates (exit 1 if any does not)."

    def handle(self, *args, **options):
        checked, bad = 0, []
        documents = Document.objects.filter(erased_at__isnull=True).select_related("case__data_key").order_by("id")
        for document in documents.iterator(chunk_size=200):
            checked += 1
            problem = document_verify(document=document)
            if problem is not None:
                bad.append(document.pk)
                self.stderr.write(f"document {document.pk}: {problem}")
                with transaction.atomic():
                    audit_record(
                        action="document.integrity_failed",
                        object_type="document",
                        object_id=document.pk,
                        payload={"case": str(document.case_id), "problem": problem, "via": "verify_documents"},
                    )
        if bad:
            raise CommandError(f"{len(bad)} of {checked} documents failed their integrity check.", returncode=1)
        self.stdout.write(f"OK: {checked} documents intact.")
