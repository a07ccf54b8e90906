"""Maps every API error to `{"code": ..., "detail": ...}` (DESIGN.md §8).

Unexpected exceptions answer 500 with an error reference that is written to
the server log with the traceback; the response carries no stack trace.
"""

from __future__ import annotations

import logging
import uuid

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions as drf
from rest_framework.response import Response

from config.db.before_commit import CommittedDespiteError
from config.errors import DomainError

logger = logging.getLogger("vaf.api")


def _flatten(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            if isinstance(value, dict):
                for sub, msgs in _flatten(value).items():
                    out[f"{key}.{sub}"] = msgs
            elif isinstance(value, list):
                msgs: list[str] = []
                for item in value:
                    if isinstance(item, dict):
                        for sub, submsgs in _flatten(item).items():
                            out[f"{key}.{sub}"] = submsgs
                    else:
                        msgs.append(str(item))
                if msgs:
                    out[key] = msgs
            else:
                out[key] = [str(value)]
        return out
    if isinstance(detail, list):
        return {"non_field_errors": [str(item) for item in detail]}
    return {"non_field_errors": [str(detail)]}


def error_response(code: str, detail: str, status: int, errors=None, headers=None) -> Response:
    body = {"code": code, "detail": detail}
    if errors:
        body["errors"] = errors
    return Response(body, status=status, headers=headers)


def api_exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return error_response(exc.code, exc.detail, exc.status, exc.errors)
    if isinstance(exc, drf.ValidationError):
        errors = _flatten(exc.detail)
        fields = ", ".join(sorted(errors))
        return error_response("validation_error", _("Invalid input: %(fields)s.") % {"fields": fields}, 400, errors)
    if isinstance(exc, RequestDataTooBig):
        return error_response("validation_error", _("The request body is larger than the 64 KiB allowed."), 400)
    if isinstance(exc, drf.ParseError):
        return error_response("validation_error", _("Malformed request body: not valid JSON."), 400)
    if isinstance(exc, drf.UnsupportedMediaType):
        return error_response("validation_error", _("Send the request body as application/json."), 400)
    if isinstance(exc, (drf.NotAuthenticated, drf.AuthenticationFailed)):
        return error_response("not_authenticated", str(exc.detail), 401, headers={"WWW-Authenticate": "Token"})
    if isinstance(exc, (drf.PermissionDenied, DjangoPermissionDenied)):
        return error_response("permission_denied", _("You do not have permission to do this."), 403)
    if isinstance(exc, (drf.NotFound, Http404)):
        return error_response("not_found", _("Not found."), 404)
    if isinstance(exc, drf.MethodNotAllowed):
        return error_response("method_not_allowed", str(exc.detail), 405)
    if isinstance(exc, drf.Throttled):
        headers = {"Retry-After": str(max(1, int(exc.wait or 1)))}
        return error_response("throttled", _("Too many requests; try again later."), 429, headers=headers)
    if isinstance(exc, drf.APIException):
        return error_response(getattr(exc, "default_code", "error"), str(exc.detail), exc.status_code)
    reference = uuid.uuid4().hex[:12]
    logger.error("Unhandled API error, reference %s", reference, exc_info=exc)
    if isinstance(exc, CommittedDespiteError):
        # The change is in the database: a blind retry would make it twice.
        message = _(
            "The change was saved, but confirming it failed (reference %(ref)s). "
            "Check before repeating it, or repeat it with the same Idempotency-Key."
        )
        return error_response("server_error", message % {"ref": reference}, 500)
    return error_response("server_error", _("Internal error, reference %(ref)s.") % {"ref": reference}, 500)
