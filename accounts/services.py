"""Users, roles, API tokens and the audit of sign-ins."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiToken, Organisation
from accounts.roles import Role, ensure_role_groups
from audit.services import audit_record
from config.errors import NotFound, PermissionDenied, ValidationFailed


def organisation_get_or_create(*, name: str) -> Organisation:
    organisation, _ = Organisation.objects.get_or_create(name=name.strip())
    return organisation


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
):
    User = get_user_model()
    unknown = sorted(set(roles) - set(Role.values))
    if unknown:
        raise ValidationFailed(f"Unknown role(s): {', '.join(unknown)}. Roles: {', '.join(Role.values)}.")
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
    audit_record(
        action="user.created",
        actor=actor,
        object_type="user",
        object_id=str(user.pk),
        payload={"username": username, "roles": sorted(roles), "organisation": user.organisation.name},
    )
    return user


@transaction.atomic
def user_update(*, user, actor, roles: list[str], organisation_name: str, is_active: bool):
    """Change a user's roles, organisation or active flag. Administrators may
    not change their own account: every change of who may see what is made by
    one person about another, and recorded."""
    if user.pk == actor.pk:
        raise PermissionDenied(_("You cannot change your own roles or account; ask another administrator."))
    unknown = sorted(set(roles) - set(Role.values))
    if unknown:
        raise ValidationFailed(_("Unknown role."), errors={"roles": [_("Unknown role.")]})
    ensure_role_groups()
    before = sorted(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
    organisation = organisation_get_or_create(name=organisation_name)
    changes = {}
    if before != sorted(set(roles)):
        user.groups.set(Group.objects.filter(name__in=roles))
        changes["roles"] = {"from": before, "to": sorted(set(roles))}
    if user.organisation_id != organisation.pk:
        changes["organisation"] = {
            "from": user.organisation.name if user.organisation else None,
            "to": organisation.name,
        }
        user.organisation = organisation
    if user.is_active != is_active:
        changes["is_active"] = {"from": user.is_active, "to": is_active}
        user.is_active = is_active
    if not changes:
        return user
    user.save(update_fields=["organisation", "is_active"])
    user.__dict__.pop("_vaf_roles", None)
    audit_record(action="user.updated", actor=actor, object_type="user", object_id=str(user.pk), payload=changes)
    return user


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@transaction.atomic
def api_token_issue(*, username: str, actor=None) -> str:
    """Create a token and return its key: the only time the key exists in clear."""
    User = get_user_model()
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise NotFound(f"No active user named {username!r}.")
    key = secrets.token_urlsafe(32)
    while key.startswith("-"):  # a prefix like "-4oH…" would read as an option on command lines
        key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, prefix=key[:8], key_hash=_hash_key(key))
    audit_record(
        action="auth.api_token_issued",
        actor=actor,
        object_type="user",
        object_id=str(user.pk),
        payload={"token_id": str(token.pk), "prefix": token.prefix},
    )
    return key


def api_token_authenticate(*, key: str):
    """The token's active user, or None. Compares digests, never stored keys."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash_key(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


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
