"""Demo users: one per role, in the demo organisation. Names are fake and the
password is published, so `seed_demo` refuses to run in production."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model

from accounts.roles import Role, ensure_role_groups
from accounts.services import user_create

DEMO_PASSWORD = "demo-password-change-me"
DEMO_ORGANISATION = "Demo Shelter Network"
# A demo approver enrolled in two-step sign-in, to show the flow in `make run`.
DEMO_MFA_USER = "approver-2fa"


def demo_users() -> dict[str, object]:
    """username -> user; created if missing."""
    ensure_role_groups()
    User = get_user_model()
    specs = [
        ("caseworker", [Role.CASEWORKER], DEMO_ORGANISATION),
        ("caseworker2", [Role.CASEWORKER], DEMO_ORGANISATION),
        ("coordinator", [Role.CASEWORKER], settings.VAF_INTAKE_ORGANISATION),
        ("approver", [Role.APPROVER], DEMO_ORGANISATION),
        ("approver2", [Role.APPROVER], DEMO_ORGANISATION),
        (DEMO_MFA_USER, [Role.APPROVER], DEMO_ORGANISATION),
        ("finance", [Role.FINANCE], DEMO_ORGANISATION),
        ("finance2", [Role.FINANCE], DEMO_ORGANISATION),
        ("auditor", [Role.AUDITOR], DEMO_ORGANISATION),
        ("admin", [Role.ADMIN], DEMO_ORGANISATION),
        ("admin2", [Role.ADMIN], DEMO_ORGANISATION),  # four eyes: a second administrator approves
        ("intake", [Role.INTAKE_PARTNER], "Demo Labour Office"),
    ]
    users = {}
    for username, roles, organisation in specs:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                username=username,
                roles=[str(r) for r in roles],
                organisation_name=organisation,
                password=DEMO_PASSWORD,
                validate=False,
            )
        users[username] = user
    return users


def demo_totp_secret(user) -> str:
    """Enrol `user` with a TOTP device (once) and return its key in base32,
    the form authenticator apps accept when typed in. Demo only: the key is
    printed, which is exactly what production must never do."""
    from base64 import b32encode

    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Demo authenticator", confirmed=True)
    return b32encode(device.bin_key).decode("ascii")
