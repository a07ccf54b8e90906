"""Session rules of DESIGN §15: the second factor gate, idle timeout and the
absolute lifetime of a signed-in session."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from accounts.second_factor import has_confirmed_device, second_factor_pending

SESSION_STARTED = "vaf_started_at"
SESSION_SEEN = "vaf_seen_at"
# Write the last-activity time at most this often (seconds): fewer session writes.
_SEEN_RESOLUTION = 30
_ALWAYS_OPEN = ("/static/", "/i18n/")


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def _sign_in_again(request, *, reason: str):
    if _is_api(request):
        body = {"code": "not_authenticated", "detail": _("Your session has ended; sign in again.")}
        return JsonResponse(body, status=401, headers={"WWW-Authenticate": "Token"})
    # Only the path comes back: never a query string (it could carry search terms).
    query = urlencode({"next": request.path_info, "expired": reason})
    return redirect(f"{reverse('accounts:login')}?{query}")


class SessionLimitsMiddleware:
    """Ends a signed-in session after `VAF_SESSION_IDLE_MINUTES` without a
    request, and after `SESSION_COOKIE_AGE` since sign-in whatever the activity
    (the cookie age alone would be renewed by every session write)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path_info.startswith(_ALWAYS_OPEN):
            now = int(time.time())
            session = request.session
            started = session.get(SESSION_STARTED)
            seen = session.get(SESSION_SEEN)
            if started is None:
                session[SESSION_STARTED] = started = now
            idle_limit = settings.VAF_SESSION_IDLE_MINUTES * 60
            if seen is not None and now - seen > idle_limit:
                logout(request)
                return _sign_in_again(request, reason="idle")
            if now - started > settings.SESSION_COOKIE_AGE:
                logout(request)
                return _sign_in_again(request, reason="lifetime")
            if seen is None or now - seen >= _SEEN_RESOLUTION:
                session[SESSION_SEEN] = now
        return self.get_response(request)


class SecondFactorMiddleware:
    """Until a session has passed the second factor its account needs, it
    reaches only enrolment, verification and sign-out. The session-
    authenticated API answers 401 (see VerifiedSessionAuthentication); token
    requests are not sessions and pass through."""

    open_url_names = frozenset(
        {"accounts:mfa_verify", "accounts:mfa_setup", "accounts:logout", "accounts:login", "set_language"}
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(_ALWAYS_OPEN) or _is_api(request):
            return self.get_response(request)
        if not second_factor_pending(request):
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None
        if match is not None and match.view_name in self.open_url_names:
            return self.get_response(request)
        target = "accounts:mfa_verify" if has_confirmed_device(request.user) else "accounts:mfa_setup"
        next_path = request.path_info if request.method == "GET" else reverse("home")
        return redirect(f"{reverse(target)}?{urlencode({'next': next_path})}")
