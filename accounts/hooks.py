"""Registries that higher apps fill in their AppConfig.ready().

accounts sits below notifications and must not import it; instead the
notifications app registers here how a set-password link is e-mailed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

# fn(*, user, url, expires_at) -> bool: True when an e-mail was queued.
SetPasswordLinkSender = Callable[..., bool]

_set_password_link_senders: list[SetPasswordLinkSender] = []


def register_set_password_link_sender(fn: SetPasswordLinkSender) -> SetPasswordLinkSender:
    """Register a function that e-mails a set-password link to its account.
    It runs inside the approval's transaction; it must never log the url."""
    if fn not in _set_password_link_senders:
        _set_password_link_senders.append(fn)
    return fn


def set_password_link_send(*, user, url: str, expires_at: datetime) -> bool:
    """Offer the link to every registered sender; True when one queued an
    e-mail. Nothing is sent to an account without an address."""
    if not user.email:
        return False
    sent = False
    for sender in _set_password_link_senders:
        sent = bool(sender(user=user, url=url, expires_at=expires_at)) or sent
    return sent
