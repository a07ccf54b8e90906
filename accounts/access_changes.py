"""Four eyes on access (DESIGN §1): changes of who may do what are requests
that a second administrator approves.

An administrator requests; another administrator, who is neither the
requester nor the account concerned, approves or rejects. Only the approval
changes anything. A new account or a password reset yields a one-time,
expiring set-password link, e-mailed to the account's own address when it has
one (through the sender notifications registers in accounts.hooks), else shown
once to the approving administrator to hand over: no administrator ever
chooses another person's password.
Deactivating an account is the one change that takes effect at once, since
cutting access must never wait.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.hooks import set_password_link_send
from accounts.models import AccessChange, SetPasswordLink
from accounts.roles import Role, ensure_role_groups, forbidden_role_combination, user_roles
from accounts.second_factor import second_factor_reset
from accounts.services import organisation_get_or_create, user_create, validate_roles
from audit.services import audit_record
from config.errors import PermissionDenied, SegregationOfDutiesViolation, TransitionNotAllowed, ValidationFailed

Kind = AccessChange.Kind
Status = AccessChange.Status


@dataclass(frozen=True)
class ApprovalOutcome:
    change: AccessChange
    user: object
    set_password_secret: str | None = None  # shown once, never stored in clear
    emailed: bool = False  # the link went to the account's own address


def _audit(change: AccessChange, action: str, actor, **extra) -> None:
    details = {key: value for key, value in change.payload.items() if key != "email"}
    payload = {"kind": change.kind, "username": change.subject_username, **details, **extra}
    audit_record(
        action=action,
        actor=actor,
        object_type="access_change",
        object_id=str(change.pk),
        payload=payload,
    )


def _require_admin(actor) -> None:
    if Role.ADMIN not in user_roles(actor):
        raise PermissionDenied(_("Only administrators manage access."))


def _not_about_self(actor, subject) -> None:
    if subject is not None and subject.pk == actor.pk:
        raise PermissionDenied(_("Nobody changes access to their own account; ask another administrator."))


def _create(*, kind: str, actor, subject, username: str, payload: dict) -> AccessChange:
    change = AccessChange.objects.create(
        kind=kind, subject=subject, subject_username=username, payload=payload, requested_by=actor
    )
    _audit(change, "access_change.requested", actor)
    return change


@transaction.atomic
def access_change_request_user(*, actor, username: str, email: str, organisation_name: str, roles: list[str]):
    _require_admin(actor)
    username = username.strip()
    validate_roles(roles)
    if not username:
        raise ValidationFailed(_("A username is required."), errors={"username": [_("A username is required.")]})
    if (
        get_user_model().objects.filter(username=username).exists()
        or AccessChange.objects.filter(kind=Kind.CREATE_USER, status=Status.PENDING, subject_username=username).exists()
    ):
        message = _("This username is taken or already requested.")
        raise ValidationFailed(message, errors={"username": [message]})
    payload = {"roles": sorted(set(roles)), "organisation": organisation_name.strip(), "email": email}
    return _create(kind=Kind.CREATE_USER, actor=actor, subject=None, username=username, payload=payload)


@transaction.atomic
def access_change_request_access(*, actor, user, roles: list[str], organisation_name: str, is_active: bool):
    """Ask for a change of roles, organisation or reactivation. Deactivation is
    applied at once (and audited); the rest waits for a second administrator.
    Returns the pending change, or None when nothing is left to approve."""
    _require_admin(actor)
    _not_about_self(actor, user)
    validate_roles(roles)
    current_roles = sorted(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
    current_org = user.organisation.name if user.organisation else ""
    wanted = {"roles": sorted(set(roles)), "organisation": organisation_name.strip()}
    if user.is_active and not is_active:
        user_deactivate(user=user, actor=actor)
    payload = {}
    if wanted["roles"] != current_roles:
        payload["roles"] = {"from": current_roles, "to": wanted["roles"]}
    if wanted["organisation"] != current_org:
        payload["organisation"] = {"from": current_org, "to": wanted["organisation"]}
    if is_active and not user.is_active:
        payload["is_active"] = {"from": False, "to": True}
    if not payload:
        return None
    return _create(kind=Kind.CHANGE_ACCESS, actor=actor, subject=user, username=user.username, payload=payload)


@transaction.atomic
def access_change_request_reset(*, actor, user, kind: str) -> AccessChange:
    """A set-password link or a second-factor reset for `user`, by an
    administrator (actor) or by the person themself (actor None, from the
    sign-in page's "forgotten password")."""
    if kind not in (Kind.RESET_PASSWORD, Kind.RESET_SECOND_FACTOR):
        raise ValidationFailed(_("Unknown kind of reset."))
    if actor is not None:
        _require_admin(actor)
        _not_about_self(actor, user)
    return _create(kind=kind, actor=actor, subject=user, username=user.username, payload={})


@transaction.atomic
def user_deactivate(*, user, actor) -> None:
    _require_admin(actor)
    _not_about_self(actor, user)
    if not user.is_active:
        return
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit_record(
        action="user.updated",
        actor=actor,
        object_type="user",
        object_id=str(user.pk),
        payload={"is_active": {"from": True, "to": False}},
    )


def _lock_pending(change: AccessChange) -> AccessChange:
    locked = AccessChange.objects.select_for_update(of=("self",)).select_related("subject").get(pk=change.pk)
    if locked.status != Status.PENDING:
        raise TransitionNotAllowed(_("This access change was already decided."))
    return locked


@transaction.atomic
def access_change_approve(*, change: AccessChange, actor) -> ApprovalOutcome:
    _require_admin(actor)
    change = _lock_pending(change)
    if change.requested_by_id == actor.pk:
        raise SegregationOfDutiesViolation(_("A second administrator must approve your request."))
    _not_about_self(actor, change.subject)
    user, secret, emailed = _apply(change, actor)
    change.status = Status.APPROVED
    change.decided_by = actor
    change.decided_at = timezone.now()
    change.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    _audit(change, "access_change.approved", actor, **({"link_emailed": emailed} if secret else {}))
    return ApprovalOutcome(change=change, user=user, set_password_secret=secret, emailed=emailed)


@transaction.atomic
def access_change_reject(*, change: AccessChange, actor) -> AccessChange:
    """Reject (or, for its requester, withdraw) a pending change."""
    _require_admin(actor)
    change = _lock_pending(change)
    change.status = Status.REJECTED
    change.decided_by = actor
    change.decided_at = timezone.now()
    change.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    _audit(change, "access_change.rejected", actor)
    return change


def _apply(change: AccessChange, actor):
    if change.kind == Kind.CREATE_USER:
        user = user_create(
            username=change.subject_username,
            roles=change.payload["roles"],
            organisation_name=change.payload["organisation"],
            email=change.payload.get("email", ""),
            password=None,
            actor=actor,
            via="access_change",
        )
        return user, *_issue_and_send(user=user, change=change)
    user = change.subject
    if change.kind == Kind.RESET_PASSWORD:
        return user, *_issue_and_send(user=user, change=change)
    if change.kind == Kind.RESET_SECOND_FACTOR:
        second_factor_reset(user=user, actor=actor)
        return user, None, False
    _apply_access(user=user, payload=change.payload, actor=actor)
    return user, None, False


def _issue_and_send(*, user, change: AccessChange) -> tuple[str, bool]:
    """Issue the link and e-mail it to the account's own address when there
    is one, in the approval's transaction. Returns (secret, e-mailed)."""
    secret = set_password_link_issue(user=user, change=change)
    if not user.email:
        return secret, False
    link = SetPasswordLink.objects.get(secret_hash=_digest(secret))
    url = settings.VAF_SITE_URL + reverse("accounts:set_password", args=[secret])
    return secret, set_password_link_send(user=user, url=url, expires_at=link.expires_at)


def _apply_access(*, user, payload: dict, actor) -> None:
    ensure_role_groups()
    if "roles" in payload:
        roles = payload["roles"]["to"]
        problem = forbidden_role_combination(roles)
        if problem:
            raise ValidationFailed(problem, errors={"roles": [problem]})
        user.groups.set(Group.objects.filter(name__in=roles))
        user.__dict__.pop("_vaf_roles", None)
    if "organisation" in payload:
        user.organisation = organisation_get_or_create(name=payload["organisation"]["to"])
    if "is_active" in payload:
        user.is_active = True
    user.save(update_fields=["organisation", "is_active"])
    audit_record(action="user.updated", actor=actor, object_type="user", object_id=str(user.pk), payload=payload)


# --- Set-password links -------------------------------------------------------


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def set_password_link_issue(*, user, change: AccessChange | None) -> str:
    """Invalidate the user's earlier links and issue a new one; returns its
    secret (the only time it exists in clear)."""
    now = timezone.now()
    SetPasswordLink.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    secret = secrets.token_urlsafe(32)
    hours = settings.VAF_SET_PASSWORD_LINK_HOURS
    link = SetPasswordLink.objects.create(
        user=user, access_change=change, secret_hash=_digest(secret), expires_at=now + timedelta(hours=hours)
    )
    audit_record(
        action="auth.set_password_link_issued",
        object_type="user",
        object_id=str(user.pk),
        payload={"link_id": str(link.pk), "expires_in_hours": hours},
    )
    return secret


def set_password_link_get(*, secret: str) -> SetPasswordLink | None:
    """The usable link for this secret, or None (unknown, used or expired)."""
    return (
        SetPasswordLink.objects.select_related("user")
        .filter(secret_hash=_digest(secret), used_at__isnull=True, expires_at__gt=timezone.now(), user__is_active=True)
        .first()
    )


@transaction.atomic
def set_password_link_refused(*, secret: str) -> None:
    """An unknown, used or expired link was opened: recorded, without the secret."""
    link = SetPasswordLink.objects.filter(secret_hash=_digest(secret)).first()
    audit_record(
        action="auth.set_password_link_refused",
        object_type="user",
        object_id=str(link.user_id) if link else "",
        payload={"link_id": str(link.pk) if link else "", "known": link is not None},
    )


@transaction.atomic
def set_password_link_use(*, secret: str, password: str) -> object:
    """Set the password through the link, once. The password has been checked
    by the form's validators already."""
    link = (
        SetPasswordLink.objects.select_for_update().select_related("user").filter(secret_hash=_digest(secret)).first()
    )
    if link is None or link.used_at is not None or link.expires_at <= timezone.now() or not link.user.is_active:
        raise TransitionNotAllowed(_("This link is not valid any more. Ask an administrator for a new one."))
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    user = link.user
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(
        action="auth.password_set",
        actor=user,
        object_type="user",
        object_id=str(user.pk),
        payload={"link_id": str(link.pk)},
    )
    return user
