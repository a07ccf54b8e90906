"""Users, roles, API tokens and the audit of sign-ins."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiToken, Organisation
from accounts.roles import Role, ensure_role_groups, forbidden_role_combination
from audit.services import audit_record
from config.errors import NotFound, ValidationFailed


def organisation_get_or_create(*, name: str) -> Organisation:
    organisation, _ = Organisation.objects.get_or_create(name=name.strip())
    return organisation


def validate_roles(roles) -> None:
    """Unknown roles and forbidden combinations (DESIGN §1) are refused wherever
    roles are granted: command, pages and services."""
    unknown = sorted(set(roles) - set(Role.values))
    if unknown:
        message = _("Unknown role(s): %(roles)s.") % {"roles": ", ".join(unknown)}
        raise ValidationFailed(message, errors={"roles": [message]})
    problem = forbidden_role_combination(roles)
    if problem:
        raise ValidationFailed(problem, errors={"roles": [problem]})


@transaction.atomic
def user_create(
    *,
    username: str,
    roles: list[str],
    organisation_name: str,
    password: str | None,
    email: str = "",
    actor=None,
    validate: bool = True,
    via: str = "",
):
    """Create an account at once. Called by the approval of an access change,
    by the operator's `create_user` command (shell access on the server) and by
    demo and test data; administrators' pages go through access changes."""
    User = get_user_model()
    validate_roles(roles)
    if not username.strip():
        raise ValidationFailed("A username is required.")
    if User.objects.filter(username=username).exists():
        raise ValidationFailed(f"The username {username!r} is taken.")
    user = User(username=username, email=email, organisation=organisation_get_or_create(name=organisation_name))
    if password:
        if validate:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise ValidationFailed(" ".join(exc.messages)) from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    ensure_role_groups()
    user.groups.set(Group.objects.filter(name__in=roles))
    payload = {"username": username, "roles": sorted(roles), "organisation": user.organisation.name}
    if via:
        payload["via"] = via
    audit_record(action="user.created", actor=actor, object_type="user", object_id=str(user.pk), payload=payload)
    return user


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@transaction.atomic
def api_token_issue(*, username: str, actor=None, expires_in_days: int | None = None, scope: str | None = None) -> str:
    """Create a token and return its key: the only time the key exists in clear.

    Tokens expire (default `VAF_API_TOKEN_DAYS`, 90). An intake partner's token
    is scoped to the intake endpoints unless a scope is given explicitly."""
    User = get_user_model()
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise NotFound(f"No active user named {username!r}.")
    days = settings.VAF_API_TOKEN_DAYS if expires_in_days is None else expires_in_days
    if days < 1 or days > 3650:
        raise ValidationFailed(_("A token lives between 1 and 3650 days."))
    if scope is None:
        roles = set(user.groups.values_list("name", flat=True))
        scope = ApiToken.Scope.INTAKE if Role.INTAKE_PARTNER in roles else ApiToken.Scope.FULL
    if scope not in ApiToken.Scope.values:
        raise ValidationFailed(_("Unknown token scope."))
    key = secrets.token_urlsafe(32)
    while key.startswith("-"):  # a prefix like "-4oH…" would read as an option on command lines
        key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        prefix=key[:8],
        key_hash=_hash_key(key),
        expires_at=timezone.now() + timedelta(days=days),
        scope=scope,
    )
    audit_record(
        action="auth.api_token_issued",
        actor=actor,
        object_type="user",
        object_id=str(user.pk),
        payload={"token_id": str(token.pk), "prefix": token.prefix, "scope": scope, "expires_in_days": days},
    )
    return key


def api_token_authenticate(*, key: str) -> ApiToken | None:
    """The token (with its active user) if it may be used now, or None.
    Compares digests, never stored keys. An expired token is refused and the
    refusal recorded (without the key)."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash_key(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.expires_at is None or token.expires_at <= now:
        api_token_expired_record(token=token)
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


@transaction.atomic
def api_token_expired_record(*, token: ApiToken) -> None:
    audit_record(
        action="auth.api_token_expired",
        actor=token.user,
        object_type="user",
        object_id=str(token.user_id),
        payload={"token_id": str(token.pk), "prefix": token.prefix},
    )


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at", "updated_at"])
    audit_record(
        action="auth.api_token_revoked",
        actor=actor,
        object_type="user",
        object_id=str(token.user_id),
        payload={"token_id": str(token.pk), "prefix": token.prefix},
    )


@transaction.atomic
def login_record(*, user) -> None:
    audit_record(action="auth.login", actor=user, object_type="user", object_id=str(user.pk))


@transaction.atomic
def logout_record(*, user) -> None:
    audit_record(action="auth.logout", actor=user, object_type="user", object_id=str(user.pk))


def _typed_username_digest(username: str) -> str:
    key = hashlib.sha256(b"vaf-failed-login|" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, username.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


@transaction.atomic
def login_failed_record(*, username: str, locked_out: bool = False) -> None:
    """A failed sign-in. The typed username is kept only when it names an
    account: people sometimes type their password into that box, and the log
    is permanent. Otherwise a keyed digest lets repeats be correlated."""
    user = get_user_model().objects.filter(username=username).only("pk").first()
    if user is not None:
        payload = {"username": username, "locked_out": locked_out}
    else:
        payload = {"unknown_username_digest": _typed_username_digest(username), "locked_out": locked_out}
    audit_record(
        action="auth.login_failed",
        object_type="user",
        object_id=str(user.pk) if user else "",
        payload=payload,
    )
