"""The error body of DESIGN.md §8 as it appears in the OpenAPI schema, shared
by every app's API views."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Machine-readable error code, e.g. validation_error."))
    detail = serializers.CharField(help_text=_("Human-readable message; never contains personal data."))
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text=_("Validation messages by field, e.g. victim.date_of_birth."),
    )


DEFAULT_DESCRIPTIONS = {
    400: _("validation_error: the body is malformed, larger than 64 KiB, or a field is invalid (see errors)."),
    401: _("not_authenticated"),
    403: _("permission_denied or segregation_of_duties"),
    404: _("not_found: no such object, or not visible to the caller"),
    409: _("transition_not_allowed, insufficient_funds, case_limit_exceeded, concurrent_update or integrity_error"),
    410: _("gone: the content was erased for good"),
    422: _("idempotency_conflict: the key was used with a different body"),
}


def error_responses(*statuses: int, **descriptions: str) -> dict:
    """`responses=` entries for the error statuses an operation answers;
    `descriptions` override the defaults by status, e.g. `s404="..."`."""
    return {
        status: OpenApiResponse(
            ErrorSerializer, description=descriptions.get(f"s{status}", DEFAULT_DESCRIPTIONS[status])
        )
        for status in statuses
    }


PAGE_PARAMETER = OpenApiParameter("page", int, required=False, description=_("Page number, from 1."))


def paginated(serializer_class, component_name: str):
    """The `{count, next, previous, results}` envelope of a page-numbered list."""
    return inline_serializer(
        component_name,
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )


def one_of_as_any_of(result, generator, request, public):
    """Postprocessing hook: describe alternatives with `anyOf`.

    A case's full detail also carries every field of the summary an intake
    partner gets, so `oneOf` (exactly one must match) would reject every
    valid full answer.
    """

    def walk(node):
        if isinstance(node, dict):
            if "oneOf" in node:
                node["anyOf"] = node.pop("oneOf")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result
