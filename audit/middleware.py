from __future__ import annotations

from audit.context import client_ip


class AuditContextMiddleware:
    """Makes the client address available to audit_record during a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = client_ip.set(request.META.get("REMOTE_ADDR") or None)
        try:
            return self.get_response(request)
        finally:
            client_ip.reset(token)
