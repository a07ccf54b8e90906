"""Celery tasks that send the e-mail outbox. Both are idempotent: a sent or
finally failed e-mail is never sent again."""

from __future__ import annotations

from celery import shared_task

from notifications.models import DeliveryStatus
from notifications.services import _backoff, email_delivery_send, email_outbox_due
from notifications.set_password_links import link_secrets_expire


@shared_task(bind=True, max_retries=5, acks_late=True)
def deliver_email(self, delivery_id: str) -> str:
    status = email_delivery_send(delivery_id=delivery_id)
    if status == DeliveryStatus.PENDING and not self.request.is_eager:
        # Retried with backoff; the outbox flush catches it too if this retry is lost.
        raise self.retry(countdown=_backoff(self.request.retries + 1).total_seconds())
    return status


@shared_task(acks_late=True)
def outbox_flush() -> int:
    """Send every e-mail that is due (queued while the broker was down, or
    waiting for its next attempt), after removing expired set-password links
    from the outbox. Runs every minute from beat."""
    link_secrets_expire()
    sent = 0
    for pk in email_outbox_due():
        if email_delivery_send(delivery_id=pk) == DeliveryStatus.SENT:
            sent += 1
    return sent
