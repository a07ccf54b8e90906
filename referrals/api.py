"""API v1 for referrals and cases (DESIGN.md §8).

Thin views: parse with a serializer, call one service or selector, render.
Domain errors are raised and mapped by config.api_errors.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.idempotency import HEADER as IDEMPOTENCY_HEADER
from accounts.idempotency import idempotent_call
from accounts.roles import Role, user_roles
from config.api_schema import error_responses
from config.errors import PermissionDenied, ValidationFailed
from referrals import selectors, services
from referrals.choices import CaseStatus, IntakeChannel
from referrals.permissions import TRANSITIONS
from referrals.serializers import (
    CaseDetailSerializer,
    CaseRowSerializer,
    CaseSummarySerializer,
    CaseUpdateSerializer,
    ReasonSerializer,
    ReferralCreatedSerializer,
    ReferralInputSerializer,
)


def _errors(*statuses: int) -> dict:
    return error_responses(*statuses, s404=gettext_lazy("not_found: no such case, or not visible to the caller"))


CASE_ID = OpenApiParameter(
    "case_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description=gettext_lazy("The case's id.")
)
CASE_OR_SUMMARY = PolymorphicProxySerializer(
    component_name="CaseDetailOrSummary",
    serializers=[CaseDetailSerializer, CaseSummarySerializer],
    resource_type_field_name=None,
)
REFERRAL_EXAMPLE = OpenApiExample(
    "Referral",
    request_only=True,
    value={
        "referring_agency": "Jeddah Labour Office",
        "exploitation_types": ["forced_labour"],
        "summary": "free text (encrypted)",
        "consent": {"given": True, "date": "2026-11-02"},
        "victim": {
            "full_name": "Demo Person",
            "date_of_birth": "1994-03-05",
            "sex": "female",
            "nationality": "PH",
            "document_type": "passport",
            "document_number": "X0000001",
            "phone": "+966500000000",
            "address": "Demo address",
        },
    },
)


class CaseAPIView(APIView):
    """Common ground of the case endpoints. (Oversized bodies and caching are
    handled project-wide: config.api_errors and config.middleware.)"""

    def case_detail(self, case, *, pii_visible: bool | None = None) -> dict:
        user = self.request.user
        visible = selectors.works_the_case(user, case) if pii_visible is None else pii_visible
        data = CaseDetailSerializer(case, context={"user": user, "pii_visible": visible}).data
        if pii_visible is None and data.get("pii_visible"):
            # Shown in full without a reveal (the caseworkers of the case): on the record too.
            services.case_pii_viewed_record(case=case, actor=user, via="api")
        return data


class ReferralCreateAPI(CaseAPIView):
    @extend_schema(
        operation_id="referral_create",
        summary=gettext_lazy("Submit a referral"),
        description=gettext_lazy(
            "Caseworkers and intake partners. Send an Idempotency-Key header to make retries safe: the same key "
            "and body answer the first response and create nothing new. Intake partners get only id, reference, "
            "status and created_at back."
        ),
        parameters=[OpenApiParameter(IDEMPOTENCY_HEADER, str, OpenApiParameter.HEADER, required=False)],
        request=ReferralInputSerializer,
        examples=[REFERRAL_EXAMPLE],
        responses={
            201: PolymorphicProxySerializer(
                component_name="ReferralCreatedOrSummary",
                serializers=[ReferralCreatedSerializer, CaseSummarySerializer],
                resource_type_field_name=None,
            ),
            **_errors(400, 401, 403, 422),
        },
        tags=["referrals"],
    )
    def post(self, request):
        if not user_roles(request.user) & {Role.CASEWORKER, Role.INTAKE_PARTNER}:
            raise PermissionDenied(_("Only caseworkers and intake partners may submit referrals."))
        serializer = ReferralInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        def create():
            case = services.referral_create(
                actor=request.user, referral=serializer.referral_input(), channel=IntakeChannel.API
            )
            case = selectors.case_get_for_user(user=request.user, case_id=case.pk)
            return 201, ReferralCreatedSerializer(case, context={"user": request.user}).data

        status, body, replayed = idempotent_call(
            user=request.user,
            key=request.headers.get(IDEMPOTENCY_HEADER),
            scope="referrals.create",
            request_body=request.data,
            produce=create,
        )
        response = Response(body, status=status)
        if replayed:
            response["Idempotent-Replayed"] = "true"
        return response


class CaseListAPI(CaseAPIView, GenericAPIView):
    serializer_class = CaseRowSerializer

    @extend_schema(
        operation_id="case_list",
        summary=gettext_lazy("List the cases visible to you"),
        description=gettext_lazy("Newest first, 25 a page, personal fields masked. Not for admins."),
        parameters=[
            OpenApiParameter("status", str, enum=CaseStatus.values, description=gettext_lazy("Only this state."))
        ],
        responses={200: CaseRowSerializer(many=True), **_errors(400, 401, 403)},
        tags=["cases"],
    )
    def get(self, request):
        if not selectors.can_list_cases(request.user):
            raise PermissionDenied(_("Your role has no access to cases."))
        status = request.query_params.get("status") or None
        if status is not None and status not in CaseStatus.values:
            raise ValidationFailed(
                _("Unknown case status."),
                errors={"status": [_("Choose one of: %(c)s.") % {"c": ", ".join(CaseStatus.values)}]},
            )
        page = self.paginate_queryset(selectors.case_list_for_user(user=request.user, status=status))
        rows = CaseRowSerializer(page, many=True, context={"user": request.user}).data
        return self.get_paginated_response(rows)


class CaseDetailAPI(CaseAPIView):
    @extend_schema(
        operation_id="case_retrieve",
        summary=gettext_lazy("A case"),
        description=gettext_lazy(
            "Personal fields are in full for caseworkers of the owning organisation, masked for others "
            "(see pii_visible; use reveal). Intake partners get only id, reference, status and created_at."
        ),
        parameters=[CASE_ID],
        responses={200: CASE_OR_SUMMARY, **_errors(401, 404)},
        tags=["cases"],
    )
    def get(self, request, case_id):
        case = selectors.case_get_for_user(user=request.user, case_id=case_id)
        return Response(self.case_detail(case))

    @extend_schema(
        operation_id="case_update",
        summary=gettext_lazy("Edit a case (assigned caseworker)"),
        description=gettext_lazy(
            "Exploitation types, consent, assessment and victim fields; only the keys sent change."
        ),
        parameters=[CASE_ID],
        request=CaseUpdateSerializer,
        responses={200: CaseDetailSerializer, **_errors(400, 401, 403, 404, 409)},
        tags=["cases"],
    )
    def patch(self, request, case_id):
        case = selectors.case_get_for_user(user=request.user, case_id=case_id)
        serializer = CaseUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.case_update(case=case, actor=request.user, changes=serializer.changes())
        return Response(self.case_detail(selectors.case_get_for_user(user=request.user, case_id=case.pk)))


class CaseRevealAPI(CaseAPIView):
    @extend_schema(
        operation_id="case_reveal",
        summary=gettext_lazy("See a case's personal data in full"),
        description=gettext_lazy("Records a case.pii_revealed audit event with the reason."),
        parameters=[CASE_ID],
        request=ReasonSerializer,
        responses={200: CaseDetailSerializer, **_errors(400, 401, 403, 404)},
        tags=["cases"],
    )
    def post(self, request, case_id):
        case = selectors.case_get_for_user(user=request.user, case_id=case_id)
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.case_reveal_pii(case=case, actor=request.user, reason=serializer.validated_data.get("reason"))
        return Response(self.case_detail(case, pii_visible=True))


class CaseTransitionAPI(CaseAPIView):
    @extend_schema(
        operation_id="case_transition",
        summary=gettext_lazy("Move a case through its workflow"),
        description=gettext_lazy(
            "Transitions: start_assessment, submit_for_approval, approve, reject, return_to_assessment, close, "
            "withdraw, reopen. A reason is required for reject, return_to_assessment, close, withdraw and reopen."
        ),
        parameters=[CASE_ID, OpenApiParameter("name", str, OpenApiParameter.PATH, enum=TRANSITIONS)],
        request=ReasonSerializer,
        responses={200: CaseDetailSerializer, **_errors(400, 401, 403, 404, 409)},
        tags=["cases"],
    )
    def post(self, request, case_id, name):
        case = selectors.case_get_for_user(user=request.user, case_id=case_id)
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.case_transition(
            case=case, actor=request.user, name=name, reason=serializer.validated_data.get("reason")
        )
        return Response(self.case_detail(selectors.case_get_for_user(user=request.user, case_id=case.pk)))
