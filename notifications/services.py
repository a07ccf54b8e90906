"""Writing notifications and their e-mails, marking them read, sending the outbox.

`notify` runs inside the caller's transaction: the notice and its outbox
e-mail commit with the change they report. The e-mail is sent afterwards by
a Celery task (`notifications.tasks.deliver_email`); without a broker (make
run, tests) it is sent at once, in the process.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications.kinds import Kind, link, message
from notifications.models import DeliveryStatus, EmailDelivery, Notification, NotificationPreference

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6

# What the body of a set-password link's e-mail becomes once it must not hold
# the link any more (sent, failed for good, or the link expired).
REDACTED_BODY = "[one-time set-password link removed from the outbox]"


def preference_for(user) -> NotificationPreference:
    try:
        return user.notification_preference
    except NotificationPreference.DoesNotExist:
        return NotificationPreference(user=user, language=settings.LANGUAGE_CODE)


def _email_for(notification: Notification, preference: NotificationPreference) -> EmailDelivery:
    url = settings.VAF_SITE_URL + link(
        notification.kind, notification.object_type, notification.object_id, str(notification.case_id or "")
    )
    with translation.override(preference.language):
        subject = str(Kind(notification.kind).label)
        body = "\n\n".join(
            [
                message(notification.kind, notification.reference, notification.outcome),
                _("Open it in the tracker: %(url)s") % {"url": url},
                _("You can choose which notices reach you by e-mail on your notifications page."),
            ]
        )
    return EmailDelivery(notification=notification, to=notification.recipient.email, subject=subject, body=body)


def notify(
    *,
    recipients,
    kind: str,
    event=None,
    case=None,
    object_type: str = "",
    object_id: str = "",
    reference: str = "",
    outcome: str = "",
    note: str = "",
) -> list[Notification]:
    """Tell each recipient (but the actor of `event`) once; queue their e-mail
    unless they turned this kind off or have no address."""
    if event is not None:
        object_type, object_id = event.object_type, event.object_id
    actor_id = event.actor_id if event is not None else None
    reference = reference or (case.reference if case is not None else "")
    created, deliveries = [], []
    seen = set()
    for user in recipients:
        if user.pk == actor_id or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        notification = Notification(
            recipient=user,
            kind=kind,
            object_type=object_type,
            object_id=str(object_id),
            reference=reference,
            outcome=outcome,
            case=case,
        )
        if note and case is not None:
            notification.note = note
        notification.save()
        created.append(notification)
        preference = preference_for(user)
        if user.email and kind not in preference.email_off:
            deliveries.append(_email_for(notification, preference))
    EmailDelivery.objects.bulk_create(deliveries)
    if deliveries:
        _dispatch([d.pk for d in deliveries])
    return created


def _dispatch(delivery_ids: list) -> None:
    from notifications.tasks import deliver_email

    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        # No broker: send now, in the process, so make run and the tests see it.
        for pk in delivery_ids:
            email_delivery_send(delivery_id=pk)
        return

    def enqueue():
        for pk in delivery_ids:
            try:
                deliver_email.delay(str(pk))
            except Exception as exc:  # broker down: the outbox flush sends it later
                log.warning("email queued in the outbox only", extra={"delivery": str(pk), "error": type(exc).__name__})

    transaction.on_commit(enqueue)


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(60 * 2 ** (attempts - 1), 6 * 3600))


@transaction.atomic
def email_delivery_send(*, delivery_id) -> str:
    """Send one outbox e-mail once. Safe to call again: a sent or finally
    failed e-mail is left alone. Returns the delivery's status."""
    delivery = EmailDelivery.objects.select_for_update().filter(pk=delivery_id).first()
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return delivery.status if delivery else "missing"
    if delivery.secret_until is not None and delivery.secret_until <= timezone.now():
        # Its set-password link expired before it went out: never send it.
        delivery.status, delivery.last_error, delivery.body = DeliveryStatus.FAILED, "LinkExpired", REDACTED_BODY
        delivery.save()
        return delivery.status
    delivery.attempts += 1
    try:
        EmailMessage(subject=delivery.subject, body=delivery.body, to=[delivery.to]).send(fail_silently=False)
    except Exception as exc:
        delivery.last_error = type(exc).__name__
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
            log.error("email failed for good", extra={"delivery": str(delivery.pk), "error": delivery.last_error})
        else:
            delivery.next_attempt_at = timezone.now() + _backoff(delivery.attempts)
            log.warning("email failed, will retry", extra={"delivery": str(delivery.pk), "error": delivery.last_error})
    else:
        delivery.status = DeliveryStatus.SENT
        delivery.sent_at = timezone.now()
        delivery.last_error = ""
    if delivery.secret_until is not None and delivery.status != DeliveryStatus.PENDING:
        delivery.body = REDACTED_BODY
    delivery.save()
    return delivery.status


def email_outbox_due(limit: int = 200) -> list:
    """Ids of pending e-mails whose (next) attempt is due."""
    now = timezone.now()
    return list(
        EmailDelivery.objects.filter(status=DeliveryStatus.PENDING)
        .exclude(next_attempt_at__gt=now)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )


@transaction.atomic
def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def preference_update(*, user, language: str, email_off: list[str]) -> NotificationPreference:
    preference, _created = NotificationPreference.objects.get_or_create(user=user)
    preference.language = language
    preference.email_off = sorted(set(email_off) & set(Kind.values))
    preference.save()
    return preference
