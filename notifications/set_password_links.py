"""E-mailing a set-password link to the account's own address.

Registered with accounts.hooks in NotificationsConfig.ready(): accounts calls
it inside the transaction that approves a new account or a password reset.
The e-mail names only the username; the link is a secret, so it is never
logged and its outbox body is overwritten once sent or expired
(`services.email_delivery_send`, `link_secrets_expire`).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications.models import DeliveryStatus, EmailDelivery
from notifications.services import REDACTED_BODY, _dispatch, preference_for


def set_password_link_email(*, user, url: str, expires_at) -> bool:
    """Queue one e-mail with the link to `user`'s own address, in their
    language. True when queued (always, given an address)."""
    if not user.email:
        return False
    language = preference_for(user).language
    expires = expires_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    with translation.override(language):
        subject = _("Choose your password for the tracker")
        body = "\n\n".join(
            [
                _("Choose a password for your account %(username)s with this one-time link:")
                % {"username": user.username},
                url,
                _("It works once and expires at %(expires)s.") % {"expires": expires},
                _("If you did not expect this e-mail, do not use the link and tell an administrator."),
            ]
        )
    # Issuing this link invalidated the earlier ones: their unsent e-mails go.
    EmailDelivery.objects.filter(account=user, status=DeliveryStatus.PENDING, secret_until__isnull=False).update(
        status=DeliveryStatus.FAILED, last_error="LinkReplaced", body=REDACTED_BODY
    )
    delivery = EmailDelivery.objects.create(
        notification=None, account=user, to=user.email, subject=subject, body=body, secret_until=expires_at
    )
    _dispatch([delivery.pk])
    return True


@transaction.atomic
def link_secrets_expire() -> int:
    """Overwrite the body of every link e-mail whose link has expired and
    give up sending it (the person asks for a new link). Returns how many."""
    now = timezone.now()
    expired = EmailDelivery.objects.filter(secret_until__lte=now).exclude(body=REDACTED_BODY)
    pending = expired.filter(status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.FAILED, last_error="LinkExpired", body=REDACTED_BODY
    )
    return pending + expired.update(body=REDACTED_BODY)
