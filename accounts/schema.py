"""Describes the `Authorization: Token <key>` scheme in the OpenAPI schema."""

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class HashedTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.HashedTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "API key issued by `manage.py create_api_token`, sent as `Token <key>`.",
        }


class VerifiedSessionScheme(SessionScheme):
    """The session cookie, accepted once the second factor has passed."""

    target_class = "accounts.authentication.VerifiedSessionAuthentication"
    priority = 0


def token_limit_responses(result, generator, request, public):
    """Postprocessing hook: every authenticated operation may also answer 403
    (a token outside its scope, e.g. an intake token on the fund API) and 429
    (rate limit, with `Retry-After`)."""
    error = {"$ref": "#/components/schemas/Error"} if "Error" in result.get("components", {}).get("schemas", {}) else {}
    added = {
        "403": "permission_denied: the token's scope or the caller's role does not allow this",
        "429": "throttled: too many requests; see the Retry-After header",
    }
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.get("responses") if isinstance(operation, dict) else None
            if not responses or "401" not in responses:
                continue
            for status, description in added.items():
                if status not in responses:
                    body = {"description": description}
                    if error:
                        body["content"] = {"application/json": {"schema": error}}
                    responses[status] = body
    return result
