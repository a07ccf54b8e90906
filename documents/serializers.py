from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from documents.choices import DocumentKind
from documents.selectors import display_name


class DocumentUploadSerializer(serializers.Serializer):
    """The multipart form of an upload (the file is read by the sealing handler)."""

    file = serializers.FileField(help_text=_("A PDF, PNG or JPEG file, judged by its content."))
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    disbursement = serializers.UUIDField(
        required=False, allow_null=True, help_text=_("One of the case's payment requests.")
    )


class DocumentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    case = serializers.UUIDField(source="case_id")
    disbursement = serializers.UUIDField(source="disbursement_id", allow_null=True)
    kind = serializers.CharField()
    filename = serializers.SerializerMethodField(
        help_text=_("Only for those who work the case; '***' for others; null once erased.")
    )
    size = serializers.IntegerField()
    content_type = serializers.CharField()
    sha256 = serializers.CharField(help_text=_("SHA-256 of the content as stored (images after re-encoding)."))
    uploaded_at = serializers.DateTimeField()
    uploaded_by = serializers.CharField(source="uploaded_by_username")
    erased = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_filename(self, document):
        return display_name(document, visible=self.context["names_visible"])

    def get_erased(self, document) -> bool:
        return document.is_erased

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_download_url(self, document):
        if document.is_erased:
            return None
        return reverse("api:document_download", args=[document.pk])
