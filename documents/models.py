"""Supporting documents of a case or of one of its payment requests.

The file itself is never in the database: it is sealed in chunks
(vault.streaming) under a key of its own, stored through Django's storage
API under a name that says nothing (`documents/<id>.sealed`). That key and
the file name are EncryptedFields sealed under the case's data key, so
destroying the case's data key makes the document unreadable everywhere,
backups included.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from documents.choices import DocumentKind
from vault.fields import EncryptedField


class Document(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("referrals.Case", on_delete=models.PROTECT, related_name="documents")
    disbursement = models.ForeignKey(
        "fund.Disbursement", on_delete=models.PROTECT, related_name="documents", null=True, blank=True
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    # Sealed under the case's data key: the name people gave the file, and the
    # base64 key its content is sealed under.
    filename = EncryptedField()
    content_key = EncryptedField()
    content_type = models.CharField(max_length=50)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    blob_name = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_by_username = models.CharField(max_length=150)
    uploaded_at = models.DateTimeField(auto_now_add=True, db_index=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "id"]
        verbose_name = _("document")
        indexes = [
            models.Index(fields=["case", "-uploaded_at"], name="document_case_uploaded"),
            models.Index(fields=["disbursement", "kind"], name="document_disbursement_kind"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(size__gt=0), name="document_size_positive"),
        ]

    def __str__(self) -> str:
        return f"document {self.id} ({self.kind})"

    def vault_data_key(self):
        return self.case.data_key

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None
