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


def test_the_command_signs_the_head_including_its_own_event(db, capsys, _checkpoint_dir):
    record(3)
    call_command("audit_checkpoint")
    checkpoint = AuditCheckpoint.objects.get()
    head = AuditEvent.objects.order_by("-seq").first()
    assert (checkpoint.head_seq, checkpoint.head_hash) == (head.seq, head.hash)
    assert head.action == "audit.checkpoint"
    assert checkpoint_signature_valid(checkpoint)
    out = capsys.readouterr().out
    assert f"#{head.seq}" in out and checkpoint.note in out
    # The note names the origin, the tree size and the root; the file holds the same note.
    assert checkpoint.note.startswith(f"vaf.test/audit\n{head.seq}\n")
    assert (_checkpoint_dir / f"checkpoint-{head.seq:012d}.checkpoint").read_text() == checkpoint.note
    result = verify_chain()
    assert result.ok and result.checkpoints_checked == 1 and result.checkpoint_files_checked == 1


def test_the_verifier_key_is_printed_for_publication(db, capsys):
    call_command("audit_checkpoint", "--public-key")
    printed = capsys.readouterr().out.strip()
    name, key_id, key = printed.split("+", 2)
    assert printed == public_key_text() and name == "vaf.test/audit" and len(key_id) == 8
    assert base64.b64decode(key)[:1] == b"\x01" and len(base64.b64decode(key)) == 33
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
    audit_checkpoint_create()
    old_vkey = public_key_text()
    settings.VAF_AUDIT_SIGNING_KEY = fresh_key()
    assert verify_chain().problem == "checkpoint_signature"  # no longer trusted...
    settings.VAF_AUDIT_TRUSTED_PUBLIC_KEYS = old_vkey
    assert verify_chain().ok  # ...until its verifier key is listed as trusted


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
    assert public_key_text() in body  # the verifier key to publish
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


def test_the_page_cannot_sign_and_warns_when_the_web_process_holds_the_key(auditor_client, settings):
    record(2)
    page = auditor_client.get(reverse("audit:verify")).content.decode()
    assert "Sign a checkpoint" not in page
    assert "holds the checkpoint signing key" in page  # the test settings give this process the key
    assert auditor_client.post(reverse("audit:verify")).status_code == 405
    assert not AuditCheckpoint.objects.exists()
    settings.VAF_AUDIT_VERIFIER_KEY = public_key_text()
    settings.VAF_AUDIT_SIGNING_KEY = ""
    page = auditor_client.get(reverse("audit:verify")).content.decode()
    assert "holds the checkpoint signing key" not in page and settings.VAF_AUDIT_VERIFIER_KEY in page


def test_the_command_refuses_to_vouch_for_a_broken_chain(db):
    record(3)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_auditevent_no_update")
        cursor.execute("UPDATE audit_auditevent SET reason = 'forged' WHERE seq = 2")
    before = AuditEvent.objects.count()
    with pytest.raises(CommandError, match="does not verify"):
        call_command("audit_checkpoint")
    assert AuditEvent.objects.count() == before and not AuditCheckpoint.objects.exists()
