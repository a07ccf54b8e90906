"""The fund's API (DESIGN.md §8): disbursements, their transitions, the fund.

Thin: parse, call one selector or service, serialise. Domain errors become
`{"code", "detail"}` answers in config.api_errors.
"""

from __future__ import annotations

import uuid

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import Role, user_roles
from config.api_schema import PAGE_PARAMETER, error_responses, paginated
from config.errors import PermissionDenied
from fund import selectors, services
from fund.choices import DisbursementStatus
from fund.hooks import disbursement_evidence
from fund.permissions import FUND_READER_ROLES, TRANSITIONS
from fund.policy import current_policy
from fund.serializers import (
    DepositCreateSerializer,
    DepositSerializer,
    DisbursementCreateSerializer,
    DisbursementSerializer,
    DisbursementUpdateSerializer,
    FundSerializer,
    LedgerEntrySerializer,
    TransitionSerializer,
)
from fund.services.requests import PAYEE_FIELDS
from referrals.selectors import case_get_for_user
from referrals.services import case_pii_viewed_record

DISBURSEMENT_ID = OpenApiParameter("disbursement_id", OpenApiTypes.UUID, OpenApiParameter.PATH)


def _errors(*statuses: int) -> dict:
    return error_responses(*statuses)


def _fund_summary() -> dict:
    balances = services.fund_balances(services.fund_get_current())
    policy = current_policy()
    return {
        **balances.as_dict(),
        "dual_approval_threshold": str(policy.dual_approval_threshold),
        "case_limit": str(policy.case_limit),
    }


class DisbursementListView(APIView):
    @extend_schema(
        operation_id="disbursements_list",
        summary="Payment requests visible to the caller",
        parameters=[
            OpenApiParameter("status", str, enum=DisbursementStatus.values, required=False),
            OpenApiParameter("case", str, required=False, description="Case id."),
            PAGE_PARAMETER,
        ],
        responses={200: paginated(DisbursementSerializer, "DisbursementPage"), **_errors(401, 403, 404)},
    )
    def get(self, request):
        case_id = request.query_params.get("case") or None
        wanted = request.query_params.get("status") or None
        known_status = wanted is None or wanted in DisbursementStatus.values
        disbursements = selectors.disbursement_list_for_user(
            user=request.user,
            status=wanted if known_status else None,
            case_id=case_id if _is_uuid(case_id) else None,
        )
        # A malformed case id or an unknown status matches nothing, and never
        # reaches the database (PostgreSQL refuses text holding NUL bytes).
        if (case_id and not _is_uuid(case_id)) or not known_status:
            disbursements = disbursements.none()
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(disbursements, request, view=self)
        context = {"request": request, "evidence": disbursement_evidence(request.user, page)}
        rows = DisbursementSerializer(page, many=True, context=context).data
        _record_payees_shown(request, page, rows)
        return paginator.get_paginated_response(rows)

    @extend_schema(
        operation_id="disbursements_create",
        summary="Request a payment for an active case (created as draft)",
        request=DisbursementCreateSerializer,
        responses={201: DisbursementSerializer, **_errors(400, 401, 403, 404, 409)},
    )
    def post(self, request):
        if Role.CASEWORKER not in user_roles(request.user):
            raise PermissionDenied(_("Only caseworkers may request payments."))
        serializer = DisbursementCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        case = case_get_for_user(user=request.user, case_id=data.pop("case"))
        disbursement = services.disbursement_create(
            actor=request.user, case=case, request=services.DisbursementInput(**data)
        )
        return Response(_detail(request, disbursement.pk), status=status.HTTP_201_CREATED)


class DisbursementDetailView(APIView):
    @extend_schema(
        operation_id="disbursements_retrieve",
        parameters=[DISBURSEMENT_ID],
        summary="One payment request",
        responses={200: DisbursementSerializer, **_errors(401, 404)},
    )
    def get(self, request, disbursement_id):
        return Response(_detail(request, disbursement_id))

    @extend_schema(
        operation_id="disbursements_partial_update",
        parameters=[DISBURSEMENT_ID],
        summary="Change a draft payment request",
        request=DisbursementUpdateSerializer,
        responses={200: DisbursementSerializer, **_errors(400, 401, 403, 404, 409)},
    )
    def patch(self, request, disbursement_id):
        disbursement = selectors.disbursement_get_for_user(user=request.user, disbursement_id=disbursement_id)
        serializer = DisbursementUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.disbursement_update(disbursement=disbursement, actor=request.user, changes=serializer.validated_data)
        return Response(_detail(request, disbursement_id))


class DisbursementTransitionView(APIView):
    @extend_schema(
        operation_id="disbursements_transition",
        parameters=[DISBURSEMENT_ID, OpenApiParameter("name", str, OpenApiParameter.PATH, enum=TRANSITIONS)],
        summary="Apply a transition: " + ", ".join(TRANSITIONS),
        request=TransitionSerializer,
        responses={200: DisbursementSerializer, **_errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, disbursement_id, name):
        disbursement = selectors.disbursement_get_for_user(user=request.user, disbursement_id=disbursement_id)
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.disbursement_transition(
            disbursement=disbursement, actor=request.user, name=name, **serializer.validated_data
        )
        return Response(_detail(request, disbursement_id))


class FundView(APIView):
    @extend_schema(
        operation_id="fund_retrieve",
        summary="The fund's balances, from its ledger, and the approval policy",
        responses={200: FundSerializer, **_errors(401, 403)},
    )
    def get(self, request):
        selectors.fund_summary_for_user(user=request.user)
        return Response(FundSerializer(_fund_summary()).data)


class FundDepositView(APIView):
    @extend_schema(
        operation_id="fund_deposits_create",
        summary="Record money deposited into the fund",
        request=DepositCreateSerializer,
        responses={201: DepositSerializer, **_errors(400, 401, 403)},
    )
    def post(self, request):
        if Role.FINANCE not in user_roles(request.user):
            raise PermissionDenied(_("Only finance officers may record deposits."))
        serializer = DepositCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = services.fund_deposit(actor=request.user, **serializer.validated_data)
        entry.fund_summary = _fund_summary()
        return Response(DepositSerializer(entry).data, status=status.HTTP_201_CREATED)


class FundLedgerView(APIView):
    @extend_schema(
        operation_id="fund_ledger_list",
        summary="The fund's ledger entries, newest first",
        parameters=[PAGE_PARAMETER],
        responses={200: paginated(LedgerEntrySerializer, "LedgerEntryPage"), **_errors(401, 403, 404)},
    )
    def get(self, request):
        if not user_roles(request.user) & FUND_READER_ROLES:
            raise PermissionDenied(_("Your role may not see the fund's ledger."))
        entries = services.fund_get_current().ledger_entries.order_by("-created_at", "-pk")
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(entries, request, view=self)
        return paginator.get_paginated_response(LedgerEntrySerializer(page, many=True).data)


def _detail(request, disbursement_id) -> dict:
    disbursement = selectors.disbursement_get_for_user(user=request.user, disbursement_id=disbursement_id)
    data = DisbursementSerializer(disbursement, context={"request": request}).data
    _record_payees_shown(request, [disbursement], [data])
    return data


def _record_payees_shown(request, disbursements, rows) -> None:
    """The approver deciding a request sees its payee in full: one
    `case.pii_viewed` per case shown so (the approval records it again)."""
    shown = {d.case_id: d.case for d, row in zip(disbursements, rows, strict=True) if row.get("payee_shown_in_full")}
    for case in shown.values():
        case_pii_viewed_record(case=case, actor=request.user, via="api", fields=PAYEE_FIELDS)


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
