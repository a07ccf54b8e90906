"""API throttles (DESIGN §15): per token (or signed-in account) and per
client address; rates are read from settings at request time. Beyond them the
API answers 429 `throttled` with `Retry-After`."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from accounts.rate_limits import parse_rate
from audit.middleware import request_client_ip


class _SettingsRateThrottle(SimpleRateThrottle):
    setting = ""

    def get_rate(self):
        return getattr(settings, self.setting)

    def parse_rate(self, rate):
        if rate is None:
            return (None, None)
        return parse_rate(rate)


class TokenRateThrottle(_SettingsRateThrottle):
    scope = "token"
    setting = "VAF_API_RATE_PER_TOKEN"

    def get_cache_key(self, request, view):
        token = getattr(request, "auth", None)
        if token is not None and getattr(token, "pk", None):
            ident = f"token:{token.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AddressRateThrottle(_SettingsRateThrottle):
    scope = "address"
    setting = "VAF_API_RATE_PER_ADDRESS"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": request_client_ip(request) or "unknown"}
