"""The e-mail outbox: written with the change, sent later, retried with
backoff, recorded when it fails for good, and never lost when the broker is
down."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.core import mail
from django.utils import timezone
from kombu.exceptions import OperationalError

from fund import services
from notifications import services as notification_services
from notifications.models import DeliveryStatus, EmailDelivery, Notification
from notifications.tasks import deliver_email, outbox_flush
from tests.fund.conftest import request_payment


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def submit(people, case):
    disbursement = request_payment(case, people.caseworker)
    return services.disbursement_transition(disbursement=disbursement, actor=people.caseworker, name="submit")


def test_a_failed_email_is_kept_and_retried_with_backoff(people, case, funded, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_outbox.BrokenBackend"
    submit(people, case)
    deliveries = list(EmailDelivery.objects.all())
    assert len(deliveries) == 2
    for delivery in deliveries:
        assert delivery.status == DeliveryStatus.PENDING
        assert delivery.attempts == 1
        assert delivery.last_error == "ConnectionRefusedError"
        assert delivery.next_attempt_at > timezone.now()
    # Not due yet: the flush leaves them alone.
    assert outbox_flush() == 0
    assert EmailDelivery.objects.filter(attempts=1).count() == 2
    # The mail server is back and the attempt is due: the flush sends them.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    EmailDelivery.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    mail.outbox.clear()
    assert outbox_flush() == 2
    assert len(mail.outbox) == 2
    assert set(EmailDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_backoff_grows_between_attempts():
    waits = [notification_services._backoff(n) for n in range(1, 6)]
    assert waits == sorted(waits)
    assert waits[0] < waits[-1]


def test_an_email_that_keeps_failing_is_recorded_as_failed_for_good(people, case, funded, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_outbox.BrokenBackend"
    submit(people, case)
    delivery = EmailDelivery.objects.first()
    for _ in range(notification_services.MAX_ATTEMPTS):
        EmailDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=None)
        outbox_flush()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == notification_services.MAX_ATTEMPTS
    # Idempotent: a failed or sent e-mail is never sent again.
    assert deliver_email.apply(args=[str(delivery.pk)]).get() == DeliveryStatus.FAILED


def test_sending_twice_sends_once(people, case, funded):
    submit(people, case)
    delivery = EmailDelivery.objects.first()
    mail.outbox.clear()
    assert deliver_email.apply(args=[str(delivery.pk)]).get() == DeliveryStatus.SENT
    assert mail.outbox == []


def test_with_the_broker_down_the_request_succeeds_and_the_outbox_keeps_the_email(
    people, case, funded, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    mail.outbox.clear()
    with (
        mock.patch.object(deliver_email, "delay", side_effect=OperationalError("broker down")) as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        disbursement = submit(people, case)
    assert delay.call_count == 2
    assert disbursement.status == "submitted"
    assert Notification.objects.filter(kind="payment_submitted").count() == 2
    assert mail.outbox == []
    assert EmailDelivery.objects.filter(status=DeliveryStatus.PENDING).count() == 2
    # Later, beat's flush sends what the broker never got.
    assert outbox_flush() == 2
    assert len(mail.outbox) == 2


def test_with_a_broker_the_email_is_queued_after_commit(
    people, case, funded, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with mock.patch.object(deliver_email, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            submit(people, case)
        assert delay.call_count == 0  # nothing leaves before the transaction commits
        for callback in callbacks:
            callback()
    queued = {call.args[0] for call in delay.call_args_list}
    assert queued == {str(pk) for pk in EmailDelivery.objects.values_list("pk", flat=True)}


def test_people_without_an_address_are_told_in_the_app_only(people, case, funded):
    type(people.approver).objects.filter(pk=people.approver.pk).update(email="")
    submit(people, case)
    assert Notification.objects.filter(recipient=people.approver).exists()
    assert not EmailDelivery.objects.filter(notification__recipient=people.approver).exists()
