"""Audit API: the events (cursor-paginated) and the chain verification."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import Role, user_roles
from audit.reads import RecordsAuditRead
from audit.selectors import event_filters_build, events_filtered
from audit.serializers import (
    AuditEventQuerySerializer,
    AuditEventSerializer,
    VerificationSerializer,
)
from audit.verification import verify_chain
from config.api_schema import ErrorSerializer

ERRORS = {
    401: OpenApiResponse(ErrorSerializer, description="not_authenticated"),
    403: OpenApiResponse(ErrorSerializer, description="permission_denied: auditors only"),
}


class IsAuditor(BasePermission):
    def has_permission(self, request, view) -> bool:
        return Role.AUDITOR in user_roles(request.user)


class AuditEventCursorPagination(CursorPagination):
    """Keyset pages on seq, newest first: no OFFSET, no COUNT over the table."""

    ordering = "-seq"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


@extend_schema(tags=["audit"])
class AuditEventListAPI(RecordsAuditRead, generics.ListAPIView):
    permission_classes = [IsAuditor]
    serializer_class = AuditEventSerializer
    pagination_class = AuditEventCursorPagination

    @extend_schema(
        summary="Audit events, newest first",
        parameters=[AuditEventQuerySerializer],
        description="Cursor-paginated (follow `next` / `previous`). Auditors only.",
        responses={
            200: AuditEventSerializer(many=True),
            400: OpenApiResponse(
                ErrorSerializer, description="validation_error: unknown action, bad date, until before since"
            ),
            **ERRORS,
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = AuditEventQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        filters = event_filters_build(**query.validated_data)
        return events_filtered(filters)


@extend_schema(tags=["audit"])
class AuditVerifyAPI(APIView):
    permission_classes = [IsAuditor]

    @extend_schema(
        summary="Verify the audit chain and its signed checkpoints",
        responses={200: VerificationSerializer, **ERRORS},
    )
    def get(self, request):
        return Response(VerificationSerializer(verify_chain().as_dict()).data)
