from axes.handlers.proxy import AxesProxyHandler
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from accounts.models import ApiToken
from accounts.roles import Role, user_roles
from accounts.second_factor import second_factor_pending
from accounts.services import api_token_authenticate

# What an intake-scoped token may reach: submitting referrals and reading the
# status of its own referrals (the case selectors show an intake partner only
# its own).
INTAKE_URL_NAMES = frozenset({"api:referral_create", "api:case_list", "api:case_detail"})


class HashedTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <key>`; keys are stored only as SHA-256 digests.
    `request.auth` is the ApiToken."""

    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header: expected 'Token <key>'."))
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        token = api_token_authenticate(key=key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid, revoked or expired token."))
        user = token.user
        # Locked out at sign-in from this address: the token stops here too
        # (per username and address, so failures elsewhere lock nobody out).
        if AxesProxyHandler.is_locked(request._request, {"username": user.get_username()}):
            raise exceptions.AuthenticationFailed(_("This account is locked for a while; try again later."))
        if token.scope == ApiToken.Scope.INTAKE:
            _limit_to_intake(request, user)
        return (user, token)

    def authenticate_header(self, request):
        return self.keyword


def _limit_to_intake(request, user) -> None:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        raise exceptions.NotFound from None
    if match.view_name not in INTAKE_URL_NAMES:
        raise exceptions.PermissionDenied(_("This token may only submit referrals and read their status."))
    # Whatever roles the account gains later, this token acts as an intake partner only.
    user._vaf_roles = user_roles(user) & {Role.INTAKE_PARTNER}


class VerifiedSessionAuthentication(authentication.SessionAuthentication):
    """Session sign-in for the API, refused (401) until the session has passed
    the second factor its account needs."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        if second_factor_pending(request._request):
            raise exceptions.NotAuthenticated(_("Complete the second factor at sign-in first."))
        return result

    def authenticate_header(self, request):
        return "Token"
