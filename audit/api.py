"""Audit API: the events (cursor-paginated), the verification, and the
transparency log's verifier key, checkpoint and proofs."""

from __future__ import annotations

import base64
import json

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import BasePermission
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import Role, user_roles
from audit import tree
from audit.checkpoints import CheckpointKeyError, checkpoint_note, log_origin, public_key_text
from audit.log_verification import verify_log
from audit.selectors import checkpoint_latest_signed, event_filters_build, events_filtered
from audit.serializers import (
    AuditEventQuerySerializer,
    AuditEventSerializer,
    ConsistencyProofSerializer,
    InclusionProofSerializer,
    LogKeySerializer,
    VerificationSerializer,
)
from config.api_schema import ErrorSerializer
from config.errors import NotFound, ValidationFailed

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
class AuditEventListAPI(generics.ListAPIView):
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
        summary="Verify the audit log from the newest verified checkpoint (`?full=1` replays everything)",
        parameters=[OpenApiParameter("full", bool, required=False)],
        responses={200: VerificationSerializer, **ERRORS},
    )
    def get(self, request):
        full = request.query_params.get("full", "") in {"1", "true"}
        return Response(VerificationSerializer(verify_log(full=full).as_dict()).data)


# --- The transparency log: key, checkpoint and proofs (RFC 9162, C2SP) --------


class PlainTextRenderer(BaseRenderer):
    media_type = "text/plain"
    format = "txt"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, str):
            return data.encode(self.charset)
        return json.dumps(data).encode(self.charset)  # an error body


def _size_param(request, name: str) -> int:
    value = request.query_params.get(name, "")
    if not (value.isascii() and value.isdigit()) or int(value) < 1 or len(value) > 18:
        raise ValidationFailed(
            _("%(name)s must be a whole number from 1.") % {"name": name},
            errors={name: [_("A whole number from 1 is required.")]},
        )
    return int(value)


def _within_log(name: str, size: int) -> None:
    current = tree.tree_size()
    if size > current:
        raise ValidationFailed(
            _("%(name)s %(size)s is beyond the log, which holds %(current)s events.")
            % {"name": name, "size": size, "current": current},
            errors={name: [_("Beyond the size of the log.")]},
        )


def _b64(hashes: list[bytes]) -> list[str]:
    return [base64.b64encode(h).decode() for h in hashes]


@extend_schema(tags=["audit"])
class AuditLogKeyAPI(APIView):
    permission_classes = [IsAuditor]

    @extend_schema(summary="The checkpoint verifier key", responses={200: LogKeySerializer, **ERRORS})
    def get(self, request):
        try:
            vkey, origin = public_key_text(), log_origin()
        except CheckpointKeyError as exc:
            raise NotFound(str(exc)) from None
        return Response(LogKeySerializer({"origin": origin, "vkey": vkey}).data)


@extend_schema(tags=["audit"])
class AuditLogCheckpointAPI(APIView):
    permission_classes = [IsAuditor]
    renderer_classes = [PlainTextRenderer, JSONRenderer]

    @extend_schema(
        summary="The newest checkpoint, a C2SP signed note (text/plain), with any witnesses' cosignatures",
        responses={
            (200, "text/plain"): OpenApiTypes.STR,
            404: OpenApiResponse(ErrorSerializer, description="not_found: no checkpoint yet"),
            **ERRORS,
        },
    )
    def get(self, request):
        checkpoint = checkpoint_latest_signed()
        if checkpoint is None:
            raise NotFound(_("No checkpoint has been signed yet."))
        return Response(checkpoint_note(checkpoint), content_type="text/plain; charset=utf-8")


@extend_schema(tags=["audit"])
class AuditLogInclusionProofAPI(APIView):
    permission_classes = [IsAuditor]

    @extend_schema(
        summary="Inclusion proof of event `seq` in the tree of size `tree_size` (RFC 9162 §2.1.3)",
        parameters=[
            OpenApiParameter("seq", int, required=True),
            OpenApiParameter("tree_size", int, required=True),
        ],
        responses={
            200: InclusionProofSerializer,
            400: OpenApiResponse(
                ErrorSerializer, description="validation_error: not a number, zero, seq > tree_size, beyond the log"
            ),
            **ERRORS,
        },
    )
    def get(self, request):
        seq, size = _size_param(request, "seq"), _size_param(request, "tree_size")
        if seq > size:
            raise ValidationFailed(
                _("seq must not be greater than tree_size."), errors={"seq": [_("Greater than tree_size.")]}
            )
        _within_log("tree_size", size)
        hashes = tree.inclusion_proof(seq - 1, size)
        return Response({"leaf_index": seq - 1, "tree_size": size, "hashes": _b64(hashes)})


@extend_schema(tags=["audit"])
class AuditLogConsistencyProofAPI(APIView):
    permission_classes = [IsAuditor]

    @extend_schema(
        summary="Consistency proof from tree size `first` to `second` (RFC 9162 §2.1.4)",
        parameters=[
            OpenApiParameter("first", int, required=True),
            OpenApiParameter("second", int, required=True),
        ],
        responses={
            200: ConsistencyProofSerializer,
            400: OpenApiResponse(
                ErrorSerializer, description="validation_error: not a number, zero, first > second, beyond the log"
            ),
            **ERRORS,
        },
    )
    def get(self, request):
        first, second = _size_param(request, "first"), _size_param(request, "second")
        if first > second:
            raise ValidationFailed(
                _("first must not be greater than second."), errors={"first": [_("Greater than second.")]}
            )
        _within_log("second", second)
        hashes = tree.consistency_proof(first, second)
        return Response({"first": first, "second": second, "hashes": _b64(hashes)})
