"""Auditors' reads of the log are on the record too (DESIGN.md §7): each
page or API answer that shows the log records one `audit.read` event for the
request (not one per row shown), with the view and the filters used.
Exports record `audit.exported` instead; the chain's verification shows no
events and records nothing."""

from __future__ import annotations

from audit.services import audit_record_now

QUERY_VALUE_LIMIT = 100
# Pages that show no events (the chain's verification: counts and hashes).
NOT_READS = frozenset({"audit:verify"})


def audit_read_record(request, response) -> None:
    """Record that the signed-in auditor read the log, if the answer showed it."""
    if request.method != "GET" or not 200 <= response.status_code < 300:
        return
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name in NOT_READS:
        return
    query = {key: request.GET.get(key, "")[:QUERY_VALUE_LIMIT] for key in sorted(request.GET)[:20]}
    if match is not None:
        query.update({key: str(value)[:QUERY_VALUE_LIMIT] for key, value in match.kwargs.items()})
    audit_record_now(
        action="audit.read",
        actor=request.user,
        object_type="audit_log",
        payload={"view": match.view_name if match is not None else request.path[:100], "query": query},
    )


class RecordsAuditRead:
    """For API views of the log: one `audit.read` event per answer."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        audit_read_record(request, response)
        return response
