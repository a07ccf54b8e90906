from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from accounts.services import api_token_authenticate


class HashedTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <key>`; keys are stored only as SHA-256 digests."""

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
        user = api_token_authenticate(key=key)
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid, revoked or expired token."))
        return (user, None)

    def authenticate_header(self, request):
        return self.keyword
