"""The second factor (DESIGN §15): TOTP through django-otp, with one-time
recovery codes stored only hashed.

Who must pass it is read from `VAF_MFA_REQUIRED_ROLES` at request time; an
account that has enrolled a device is asked for it whatever its roles.
Codes and secrets never reach the audit log.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import RecoveryCode, RecoveryCodeDevice, recovery_code_digest
from accounts.roles import user_roles
from audit.services import audit_record
from config.errors import TransitionNotAllowed, ValidationFailed

RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


def mfa_required_roles() -> set[str]:
    value = settings.VAF_MFA_REQUIRED_ROLES
    if isinstance(value, str):
        value = value.split(",")
    # "none" lets production switch the requirement off explicitly (an empty
    # variable means "use the default").
    return {role.strip() for role in value if role and role.strip() and role.strip().lower() != "none"}


def has_confirmed_device(user) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


def second_factor_required(user) -> bool:
    """Must this signed-in account pass a second factor before anything else?"""
    if not getattr(user, "is_authenticated", False):
        return False
    if user_roles(user) & mfa_required_roles():
        return True
    return has_confirmed_device(user)


_SESSION_HAS_DEVICE = "vaf_has_device"


def second_factor_pending(request) -> bool:
    """Has this signed-in session still to pass a second factor? Whether the
    account had a device is remembered in the session (a device added later
    is added by a session that passed it), so pages cost no extra query."""
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return False
    is_verified = getattr(user, "is_verified", None)
    if is_verified and is_verified():
        return False
    if user_roles(user) & mfa_required_roles():
        return True
    session = getattr(request, "session", None)
    if session is None:
        return has_confirmed_device(user)
    if session.get(_SESSION_HAS_DEVICE) is None:
        session[_SESSION_HAS_DEVICE] = has_confirmed_device(user)
    return session[_SESSION_HAS_DEVICE]


def _audit(action: str, user, **payload) -> None:
    audit_record(action=action, actor=user, object_type="user", object_id=str(user.pk), payload=payload)


def totp_device_start(*, user) -> TOTPDevice:
    """An unconfirmed TOTP device for the enrolment page (replacing an earlier
    unconfirmed one). It counts only once a code from it is confirmed."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)


@transaction.atomic
def totp_device_confirm(*, user, device_id: int, token: str) -> list[str]:
    """Confirm enrolment with a first code; returns fresh recovery codes, to be
    shown once."""
    device = TOTPDevice.objects.select_for_update().filter(pk=device_id, user=user, confirmed=False).first()
    if device is None:
        raise TransitionNotAllowed(_("Start the enrolment again."))
    if not device.verify_token(_clean(token)):
        _audit("auth.mfa_failed", user, stage="enrolment")
        raise ValidationFailed(_("That code is not right. Check the time on your phone and try again."))
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    _audit("auth.mfa_enrolled", user, device="totp", device_id=device.pk)
    codes = _recovery_codes_replace(user=user)
    return codes


def _clean(token: str) -> str:
    return "".join(ch for ch in str(token) if not ch.isspace())[:32]


def _recovery_codes_replace(*, user) -> list[str]:
    RecoveryCodeDevice.objects.filter(user=user).delete()
    device = RecoveryCodeDevice.objects.create(user=user, name=_("Recovery codes"), confirmed=True)
    codes = ["".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(device=device, code_hash=recovery_code_digest(code)) for code in codes]
    )
    return [f"{code[:5]}-{code[5:]}" for code in codes]


@transaction.atomic
def recovery_codes_regenerate(*, user) -> list[str]:
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise TransitionNotAllowed(_("Enrol an authenticator app first."))
    codes = _recovery_codes_replace(user=user)
    _audit("auth.recovery_codes_regenerated", user, count=len(codes))
    return codes


@transaction.atomic
def second_factor_verify(*, user, token: str):
    """The device that accepts this code (TOTP, within one step of clock drift,
    never twice; or an unused recovery code), or None. Audited either way."""
    token = _clean(token)
    if token:
        for device in TOTPDevice.objects.filter(user=user, confirmed=True):
            if device.verify_is_allowed()[0] and device.verify_token(token):
                _audit("auth.mfa_verified", user, device="totp")
                return device
        for device in RecoveryCodeDevice.objects.filter(user=user, confirmed=True):
            if device.verify_token(token):
                left = device.codes.filter(used_at__isnull=True).count()
                _audit("auth.recovery_code_used", user, codes_left=left)
                return device
    _audit("auth.mfa_failed", user, stage="sign_in")
    return None


@transaction.atomic
def totp_device_remove(*, user, device_id: int) -> None:
    """Remove one's own authenticator. Allowed only while another confirmed
    authenticator remains when the second factor is required: a lost phone
    goes through the four-eyes reset instead."""
    device = TOTPDevice.objects.filter(pk=device_id, user=user).first()
    if device is None:
        raise TransitionNotAllowed(_("No such device."))
    others = TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).exists()
    if not others and user_roles(user) & mfa_required_roles():
        raise TransitionNotAllowed(_("Your role requires a second factor: enrol another device first."))
    device.delete()
    if not others:
        RecoveryCodeDevice.objects.filter(user=user).delete()
    _audit("auth.mfa_device_removed", user, device="totp", device_id=device_id)


def second_factor_reset(*, user, actor) -> None:
    """Remove every device of `user` (after a four-eyes approval). Runs in the
    approval's transaction."""
    totp = TOTPDevice.objects.filter(user=user).delete()[0]
    RecoveryCodeDevice.objects.filter(user=user).delete()
    audit_record(
        action="auth.mfa_reset",
        actor=actor,
        object_type="user",
        object_id=str(user.pk),
        payload={"devices_removed": totp},
    )
