"""Reading a person's own notifications; nobody reads another's."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F

from config.errors import NotFound
from notifications.kinds import link, message
from notifications.models import Notification
from vault.errors import VaultError


def notifications_for_user(*, user):
    """Unread first, newest first within each."""
    return (
        Notification.objects.filter(recipient=user)
        .select_related("case__data_key")  # a note opens under its case's key without a query per row
        .order_by(F("read_at").desc(nulls_first=True), "-created_at")
    )


BELL_LIMIT = 99


def unread_count(*, user) -> int:
    """Up to BELL_LIMIT + 1 (shown as "99+"): one bounded query on every page,
    whatever the size of the inbox."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    return len(unread.values_list("pk", flat=True)[: BELL_LIMIT + 1])


def notification_get_for_user(*, user, notification_id) -> Notification:
    """The same not-found whether it does not exist or is someone else's."""
    try:
        return Notification.objects.get(pk=notification_id, recipient=user)
    except (Notification.DoesNotExist, ValueError, TypeError, DjangoValidationError):
        raise NotFound() from None


def notification_message(notification: Notification) -> str:
    return message(notification.kind, notification.reference, notification.outcome)


def notification_url(notification: Notification) -> str:
    return link(notification.kind, notification.object_type, notification.object_id, str(notification.case_id or ""))


def notification_note(notification: Notification) -> str:
    """The approver's reason, if any; empty once the case was erased."""
    if notification.note is None and not notification.case_id:
        return ""
    try:
        return notification.note or ""
    except VaultError:
        return ""
