from __future__ import annotations

from django.conf import settings

from audit.context import client_ip


def request_client_ip(request) -> str | None:
    """The client's address. Behind `VAF_TRUSTED_PROXY_COUNT` proxies (load
    balancers) that each append to X-Forwarded-For, it is the entry that the
    outermost trusted proxy added; anything further left was sent by the client
    and cannot be trusted."""
    proxies = getattr(settings, "VAF_TRUSTED_PROXY_COUNT", 0)
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    """Makes the client address available to audit_record during a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = client_ip.set(request_client_ip(request))
        try:
            return self.get_response(request)
        finally:
            client_ip.reset(token)
