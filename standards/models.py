from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class ImportedRow(models.Model):
    """A spreadsheet row already imported as a case, so uploading the same
    file again creates nothing new. The file is named by its SHA-256 only."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    file_sha256 = models.CharField(max_length=64)
    row_number = models.PositiveIntegerField()
    case = models.OneToOneField("referrals.Case", on_delete=models.PROTECT, related_name="+")
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["file_sha256", "row_number"]
        constraints = [models.UniqueConstraint(fields=["file_sha256", "row_number"], name="imported_row_once")]

    def __str__(self) -> str:
        return f"{self.file_sha256[:12]}… row {self.row_number}"
