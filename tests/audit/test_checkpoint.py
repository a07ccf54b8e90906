"""Signed checkpoints: the command, the verification page and its button."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.urls import reverse

from audit.checkpoints import audit_checkpoint_create, checkpoint_signature_valid, public_key_text
from audit.models import AuditCheckpoint, AuditEvent
from audit.services import audit_record
from audit.verification import verify_chain
from tests.factories import make_user

BACKEND = "django.contrib.auth.backends.ModelBackend"


def record(n: int = 1) -> list[AuditEvent]:
    events = []
    for i in range(n):
        with transaction.atomic():
            events.append(audit_record(action="test.event", payload={"i": i}))
    return events


def fresh_key() -> str:
    raw = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return base64.b64encode(raw).decode()


@pytest.fixture
def auditor_client(client, db):
    client.force_login(make_user("auditor"), backend=BACKEND)
    return client


def test_the_command_signs_the_head_including_its_own_event(db, capsys):
    record(3)
    call_command("audit_checkpoint")
    checkpoint = AuditCheckpoint.objects.get()
    head = AuditEvent.objects.order_by("-seq").first()
    assert (checkpoint.head_seq, checkpoint.head_hash) == (head.seq, head.hash)
    assert head.action == "audit.checkpoint"
    assert checkpoint.public_key == public_key_text()
    assert checkpoint_signature_valid(checkpoint)
    assert f"#{head.seq}" in capsys.readouterr().out
    result = verify_chain()
    assert result.ok and result.checkpoints_checked == 1


def test_the_public_key_is_printed_for_publication(db, capsys):
    call_command("audit_checkpoint", "--public-key")
    printed = capsys.readouterr().out.strip()
    assert printed == public_key_text() and len(base64.b64decode(printed)) == 32
    assert not AuditEvent.objects.exists() and not AuditCheckpoint.objects.exists()


@pytest.mark.parametrize(
    ("key", "message"),
    [("", "not set"), ("not base64!", "not valid base64"), (base64.b64encode(b"short").decode(), "32 bytes")],
)
def test_a_missing_or_malformed_key_is_refused_and_writes_nothing(db, settings, key, message):
    record(2)
    settings.VAF_AUDIT_SIGNING_KEY = key
    with pytest.raises(CommandError, match=message):
        call_command("audit_checkpoint")
    assert AuditEvent.objects.count() == 2
    assert not AuditCheckpoint.objects.exists()


def test_the_private_key_is_never_stored(db, settings):
    record(1)
    checkpoint = audit_checkpoint_create()
    values = " ".join(str(v) for v in AuditCheckpoint.objects.values_list().get())
    assert settings.VAF_AUDIT_SIGNING_KEY not in values
    assert checkpoint.public_key in values


def test_a_checkpoint_from_an_older_key_stays_trusted_when_listed(db, settings):
    record(1)
    old = audit_checkpoint_create()
    settings.VAF_AUDIT_SIGNING_KEY = fresh_key()
    assert verify_chain().problem == "checkpoint_signature"  # no longer trusted...
    settings.VAF_AUDIT_TRUSTED_PUBLIC_KEYS = old.public_key
    assert verify_chain().ok  # ...until its public key is listed as trusted


def test_the_page_shows_the_result_head_and_latest_checkpoint(auditor_client):
    record(2)
    checkpoint = audit_checkpoint_create()
    response = auditor_client.get(reverse("audit:verify"))
    body = response.content.decode()
    result = response.context["result"]
    assert response.status_code == 200 and result.ok
    assert result.head_seq == checkpoint.head_seq and result.head_hash in body
    assert "The audit log is intact." in body
    assert checkpoint.signature in body and "Valid, by a trusted key" in body
    assert public_key_text() in body  # the key to publish
    assert "Sign a checkpoint" in body
    assert body.count("<h1") == 1


def test_the_page_names_the_first_bad_sequence(auditor_client):
    record(4)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_auditevent_no_delete")
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = 3")
    response = auditor_client.get(reverse("audit:verify"))
    body = response.content.decode()
    assert (response.context["result"].first_bad_seq, response.context["result"].problem) == (3, "missing")
    assert "Verification FAILED at event 3." in body and "missing" in body


def test_the_button_signs_a_checkpoint_as_the_auditor(auditor_client):
    record(2)
    response = auditor_client.post(reverse("audit:verify"))
    assert response.status_code == 302
    checkpoint = AuditCheckpoint.objects.get()
    event = AuditEvent.objects.get(seq=checkpoint.head_seq)
    assert event.action == "audit.checkpoint" and event.actor_username.startswith("auditor")
    assert checkpoint_signature_valid(checkpoint)
    assert "Checkpoint signed at event" in auditor_client.get(reverse("audit:verify")).content.decode()


@pytest.mark.parametrize(
    ("key", "message"),
    [("", "VAF_AUDIT_SIGNING_KEY is not set"), ("%%%", "not valid base64")],
)
def test_the_button_refuses_a_missing_or_malformed_key(auditor_client, settings, key, message):
    record(1)
    settings.VAF_AUDIT_SIGNING_KEY = key
    before = AuditEvent.objects.count()
    page = auditor_client.get(reverse("audit:verify")).content.decode()
    assert ("Sign a checkpoint" in page) is bool(key)  # offered only when a key is configured
    response = auditor_client.post(reverse("audit:verify"))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert AuditEvent.objects.count() == before and not AuditCheckpoint.objects.exists()


def test_the_button_refuses_to_vouch_for_a_broken_chain(auditor_client):
    record(3)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_auditevent_no_update")
        cursor.execute("UPDATE audit_auditevent SET reason = 'forged' WHERE seq = 2")
    before = AuditEvent.objects.count()
    response = auditor_client.post(reverse("audit:verify"))
    assert response.status_code == 400
    assert "does not verify" in response.content.decode()
    assert AuditEvent.objects.count() == before and not AuditCheckpoint.objects.exists()
