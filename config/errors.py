"""Domain exceptions shared by the apps' services.

Services raise these; the API layer (config.api_errors) and the pages map them
to the error codes of DESIGN.md §8. Messages never contain personal data.
"""

from __future__ import annotations


class DomainError(Exception):
    code = "error"
    status = 400

    def __init__(self, detail: str = "", *, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(detail or self.default_detail())
        self.detail = detail or self.default_detail()
        self.errors = errors

    def default_detail(self) -> str:
        return self.code.replace("_", " ").capitalize() + "."


class ValidationFailed(DomainError):
    code = "validation_error"
    status = 400


class PermissionDenied(DomainError):
    code = "permission_denied"
    status = 403


class SegregationOfDutiesViolation(PermissionDenied):
    code = "segregation_of_duties"


class NotFound(DomainError):
    code = "not_found"
    status = 404


class TransitionNotAllowed(DomainError):
    code = "transition_not_allowed"
    status = 409


class InsufficientFunds(DomainError):
    code = "insufficient_funds"
    status = 409


class CaseLimitExceeded(DomainError):
    code = "case_limit_exceeded"
    status = 409


class ConcurrentUpdate(DomainError):
    code = "concurrent_update"
    status = 409


class IdempotencyConflict(DomainError):
    code = "idempotency_conflict"
    status = 422


class Gone(DomainError):
    """The object existed but its content was destroyed for good (an erased
    case's documents)."""

    code = "gone"
    status = 410


class IntegrityFailure(DomainError):
    """Stored bytes failed their integrity check: nothing of them is served."""

    code = "integrity_error"
    status = 409
