"""Refused actions are on the record (DESIGN.md §7): every 403 answer, on a
page or the API, becomes one `access.denied` event naming the actor, what
was tried, the object and the refusal code.

`AccessDeniedMiddleware` sees every 403 response. The API's error body
carries the code (`permission_denied`, `segregation_of_duties`); a page that
shows a refusal without answering 403 (a message after a redirect) records
it itself with `refusal_record`. Either way one request records at most one
event. The event is written in a transaction of its own: the refused work
was rolled back, its refusal must not be.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError

from audit.services import audit_record_now
from config.db.before_commit import CommittedDespiteError

logger = logging.getLogger("vaf.audit")
_RECORDED = "_vaf_access_denied_recorded"
# URL keyword -> the object type it names.
_OBJECT_KWARGS = (
    ("disbursement_id", "disbursement"),
    ("case_id", "case"),
    ("pk", None),
    ("seq", "audit_event"),
    ("reference", "case"),
)
# A bare `pk` names the app's own object.
_PK_OBJECT = {"fund": "disbursement", "accounts": "user", "referrals": "case"}


def _object(request) -> tuple[str, str]:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "", ""
    for name, object_type in _OBJECT_KWARGS:
        value = match.kwargs.get(name)
        if value:
            namespace = match.namespaces[-1] if match.namespaces else ""
            return object_type or _PK_OBJECT.get(namespace, namespace), str(value)[:64]
    return "", ""


def _tried(request) -> str:
    match = getattr(request, "resolver_match", None)
    name = match.view_name if match is not None else "unknown"
    transition = match.kwargs.get("name") if match is not None else None
    return f"{request.method} {name}" + (f" {transition}" if transition else "")


def refusal_record(request, *, code: str = "permission_denied") -> None:
    """Record the refusal of this request, once."""
    if getattr(request, _RECORDED, False):
        return
    setattr(request, _RECORDED, True)
    user = getattr(request, "user", None)
    object_type, object_id = _object(request)
    try:
        audit_record_now(
            action="access.denied",
            actor=user if user is not None and user.is_authenticated else None,
            object_type=object_type,
            object_id=object_id,
            payload={"tried": _tried(request)[:200], "code": code, "api": request.path.startswith("/api/")},
        )
    except CommittedDespiteError:
        # Recorded; only the wait for the disk failed. The refusal still goes out.
        logger.warning("access.denied recorded, its wait for the disk failed", exc_info=True)
    except DatabaseError:
        # A refusal inside a broken transaction cannot be written; the answer
        # still goes out, and the operators see why in the server log.
        logger.exception("access.denied could not be recorded")


def _token_rejected_record(request) -> None:
    """A bad, revoked or expired API token: what was tried, never the token."""
    try:
        audit_record_now(
            action="auth.token_rejected",
            payload={"tried": _tried(request)[:200], "api": True},
        )
    except CommittedDespiteError:
        logger.warning("auth.token_rejected recorded, its wait for the disk failed", exc_info=True)
    except DatabaseError:
        logger.exception("auth.token_rejected could not be recorded")


def _code(response) -> str:
    data = getattr(response, "data", None)
    if isinstance(data, dict) and isinstance(data.get("code"), str):
        return data["code"][:64]
    return getattr(response, "vaf_refusal_code", None) or "permission_denied"


class AccessDeniedMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            refusal_record(request, code=_code(response))
        elif response.status_code == 401 and request.META.get("HTTP_AUTHORIZATION"):
            _token_rejected_record(request)
        return response
