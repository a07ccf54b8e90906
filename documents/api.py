"""API v1 for documents (DESIGN.md §8): upload and list a case's documents,
download one. Thin: the sealing upload handler reads the body, the services
and selectors decide."""

from __future__ import annotations

from uuid import UUID

from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api_schema import error_responses
from config.errors import ValidationFailed
from documents import selectors, services
from documents.content import EXTENSIONS as ACCEPTED_TYPES
from documents.download import attachment_response
from documents.sealing import FIELD, install_upload_handler
from documents.serializers import DocumentSerializer, DocumentUploadSerializer
from referrals.selectors import case_get_for_user

CASE_ID = OpenApiParameter("case_id", OpenApiTypes.UUID, OpenApiParameter.PATH)
DOCUMENT_ID = OpenApiParameter("document_id", OpenApiTypes.UUID, OpenApiParameter.PATH)


class CaseDocumentsAPI(APIView):
    parser_classes = [MultiPartParser]

    def initialize_request(self, request, *args, **kwargs):
        # Before anything reads the body (the CSRF check of session
        # authentication does): the file is sealed while it arrives.
        if request.method == "POST":
            self.sealing_handler = install_upload_handler(request)
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(
        operation_id="case_documents_list",
        summary=gettext_lazy("A case's documents (metadata only)"),
        parameters=[CASE_ID],
        responses={200: DocumentSerializer(many=True), **error_responses(401, 403, 404)},
        tags=["documents"],
    )
    def get(self, request, case_id):
        case = case_get_for_user(user=request.user, case_id=case_id)
        documents = selectors.case_documents_for_user(user=request.user, case=case)
        context = {"names_visible": selectors.names_visible(request.user, case)}
        return Response(DocumentSerializer(documents, many=True, context=context).data)

    @extend_schema(
        operation_id="case_documents_upload",
        summary=gettext_lazy("Add a document to a case (caseworker of the case)"),
        description=gettext_lazy(
            "multipart/form-data: file (PDF, PNG or JPEG, judged by content; at most VAF_DOCUMENT_MAX_BYTES), "
            "kind, optional disbursement. Images are re-encoded without metadata. Recorded as document.uploaded."
        ),
        parameters=[CASE_ID],
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: DocumentSerializer, **error_responses(400, 401, 403, 404, 409)},
        tags=["documents"],
    )
    def post(self, request, case_id):
        data, files = request.data, request.FILES
        case = case_get_for_user(user=request.user, case_id=case_id)
        if self.sealing_handler.refusal == "too_large":
            raise services.upload_refused_as_too_large()
        document = services.document_upload(
            actor=request.user,
            case=case,
            upload=files.get(FIELD),
            kind=data.get("kind", ""),
            disbursement_id=parse_disbursement(data.get("disbursement")),
        )
        context = {"names_visible": True}
        return Response(DocumentSerializer(document, context=context).data, status=201)


def parse_disbursement(value):
    if not value:
        return None
    try:
        return UUID(str(value))
    except ValueError:
        raise ValidationFailed(
            _("Invalid input: disbursement."), errors={"disbursement": [_("Must be a valid UUID.")]}
        ) from None


class DocumentDownloadAPI(APIView):
    http_method_names = ["get", "options"]  # a HEAD would be recorded as a download without one

    def perform_content_negotiation(self, request, force=False):
        # The file is not rendered by DRF; errors stay JSON whatever Accept says.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="document_download",
        summary=gettext_lazy("Download a document"),
        description=gettext_lazy(
            "The file as an attachment, after every chunk authenticated; recorded as document.downloaded. "
            "410 once erased with the case; 409 integrity_error if the stored file was altered."
        ),
        parameters=[DOCUMENT_ID],
        responses={
            **{(200, media): OpenApiResponse(OpenApiTypes.BINARY) for media in ACCEPTED_TYPES},
            **error_responses(401, 404, 409, 410),
        },
        tags=["documents"],
    )
    def get(self, request, document_id) -> StreamingHttpResponse:
        document = selectors.document_get_for_user(user=request.user, document_id=document_id)
        download = services.document_download(actor=request.user, document=document)
        return attachment_response(request.user, download)
