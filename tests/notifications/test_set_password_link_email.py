"""A set-password link is e-mailed to the account's own address when it has
one (else handed over by the approving administrator), and the outbox does
not keep it once it is sent, failed for good or expired."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.access_changes import access_change_approve, access_change_reject, access_change_request_reset
from accounts.models import AccessChange
from audit.models import AuditEvent
from notifications import services as notification_services
from notifications.models import DeliveryStatus, EmailDelivery, Notification
from notifications.services import REDACTED_BODY
from notifications.tasks import outbox_flush
from tests.factories import make_user

NEW_PASSWORD = "a-brand-new-passphrase-77"
ADDRESS = "new-finance@example.test"
ORG = "Link Test Shelter"
LINK = re.compile(r"https?://\S+/accounts/password/set/[^/\s]+/")


@pytest.fixture
def admins(db):
    return make_user("admin", username="admin-one"), make_user("admin", username="admin-two")


def _request(client, requester, *, username: str, email: str) -> AccessChange:
    """An administrator asks for a finance account (four eyes: it waits for another)."""
    client.force_login(requester)
    client.post(
        reverse("accounts:user_new"),
        {"username": username, "email": email, "organisation": ORG, "roles": ["finance"]},
    )
    change = AccessChange.objects.get(subject_username=username)
    assert change.status == "pending" and not mail.outbox
    return change


def _request_and_approve(client, admins, *, email: str):
    first, second = admins
    change = _request(client, first, username="new-finance", email=email)
    client.force_login(second)
    response = client.post(reverse("accounts:access_change_approve", args=[change.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _all_audit_text() -> str:
    return str(list(AuditEvent.objects.values()))


def test_an_approved_account_with_an_address_gets_one_working_link_by_email(client, admins):
    page = _request_and_approve(client, admins, email=ADDRESS)
    assert EmailDelivery.objects.count() == 1 and len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [ADDRESS]
    url = LINK.search(message.body).group(0)
    # The e-mail names the username only: no organisation, roles or address.
    assert "new-finance" in message.body
    assert ORG not in message.body and ADDRESS not in message.body
    # The approver is told it went by e-mail and never sees the link.
    assert 'id="set-password-link-emailed"' in page and 'id="set-password-link"' not in page
    path = url.split("://", 1)[1].split("/", 1)[1]
    assert url.split("/accounts/", 1)[1] not in page
    # Nor is it in the audit log, nor in the outbox now that it was sent.
    assert url.split("/set/", 1)[1].strip("/") not in _all_audit_text()
    delivery = EmailDelivery.objects.get()
    assert delivery.status == DeliveryStatus.SENT and delivery.notification is None
    assert delivery.body == REDACTED_BODY and "/password/set/" not in delivery.body
    assert AuditEvent.objects.get(action="access_change.approved").payload["link_emailed"] is True
    # The person follows it and chooses their password.
    client.logout()
    assert client.get("/" + path).status_code == 200
    done = client.post("/" + path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert get_user_model().objects.get(username="new-finance").check_password(NEW_PASSWORD)
    assert client.get("/" + path).status_code == 410


def test_without_an_address_nothing_is_sent_and_the_page_says_to_hand_it_over(client, admins):
    page = _request_and_approve(client, admins, email="")
    assert not EmailDelivery.objects.exists() and not mail.outbox
    assert 'id="set-password-link-handover"' in page
    link = re.search(r'id="set-password-link">([^<]+)<', page).group(1)
    assert "/accounts/password/set/" in link
    assert link.split("/set/", 1)[1].strip("/") not in _all_audit_text()
    assert AuditEvent.objects.get(action="access_change.approved").payload["link_emailed"] is False


def test_a_rejected_request_sends_nothing(client, admins):
    first, second = admins
    change = _request(client, first, username="refused-one", email=ADDRESS)
    access_change_reject(change=change, actor=second)
    assert not EmailDelivery.objects.exists() and not mail.outbox
    assert not get_user_model().objects.filter(username="refused-one").exists()


def test_an_approved_password_reset_is_emailed_too(admins):
    first, second = admins
    person = make_user("caseworker", username="forgetful-one")
    person.email = "forgetful-one@example.test"
    person.save(update_fields=["email"])
    outcome = access_change_approve(
        change=access_change_request_reset(actor=first, user=person, kind="reset_password"), actor=second
    )
    assert outcome.emailed
    assert [m.to for m in mail.outbox] == [[person.email]]
    assert outcome.set_password_secret in mail.outbox[0].body
    assert outcome.set_password_secret not in _all_audit_text()
    assert not Notification.objects.exists()


def test_a_link_waiting_in_the_outbox_is_removed_once_sent(client, admins, settings, caplog):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # a broker: sent later by the worker
    caplog.set_level(logging.DEBUG)
    _request_and_approve(client, admins, email=ADDRESS)
    delivery = EmailDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and LINK.search(delivery.body)
    secret = LINK.search(delivery.body).group(0).split("/set/", 1)[1].strip("/")
    assert outbox_flush() == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.body == REDACTED_BODY
    assert secret in mail.outbox[0].body
    assert secret not in caplog.text and secret not in _all_audit_text()


def test_an_expired_link_is_never_sent_and_leaves_the_outbox(client, admins, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    _request_and_approve(client, admins, email=ADDRESS)
    EmailDelivery.objects.update(secret_until=timezone.now() - dt.timedelta(minutes=1))
    assert outbox_flush() == 0
    delivery = EmailDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.last_error == "LinkExpired"
    assert delivery.body == REDACTED_BODY and not mail.outbox


def test_a_link_that_fails_for_good_leaves_the_outbox_and_the_logs_clean(client, admins, settings, caplog):
    settings.EMAIL_BACKEND = "tests.notifications.test_outbox.BrokenBackend"
    caplog.set_level(logging.DEBUG)
    _request_and_approve(client, admins, email=ADDRESS)
    delivery = EmailDelivery.objects.get()
    secret = LINK.search(delivery.body).group(0).split("/set/", 1)[1].strip("/")
    assert delivery.status == DeliveryStatus.PENDING
    for _ in range(notification_services.MAX_ATTEMPTS):
        EmailDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=None)
        outbox_flush()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.body == REDACTED_BODY
    assert secret not in caplog.text


def test_a_newer_link_replaces_the_unsent_email_of_the_earlier_one(client, admins, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    first, second = admins
    person = make_user("caseworker", username="twice-reset")
    person.email = "twice-reset@example.test"
    person.save(update_fields=["email"])
    for _ in range(2):
        outcome = access_change_approve(
            change=access_change_request_reset(actor=first, user=person, kind="reset_password"), actor=second
        )
    earlier, newer = EmailDelivery.objects.order_by("created_at")
    assert earlier.status == DeliveryStatus.FAILED and earlier.last_error == "LinkReplaced"
    assert earlier.body == REDACTED_BODY
    assert outbox_flush() == 1
    assert len(mail.outbox) == 1 and outcome.set_password_secret in mail.outbox[0].body
    newer.refresh_from_db()
    assert newer.status == DeliveryStatus.SENT and newer.body == REDACTED_BODY
    path = reverse("accounts:set_password", args=[outcome.set_password_secret])
    client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
