"""The offline verifier: run as a third party would, with the public key alone,
on a real JSON Lines export and on tampered copies of it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import transaction
from django.urls import reverse

from audit import notes
from audit.checkpoints import audit_checkpoint_create, public_key_text
from audit.services import audit_record
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]
BACKEND = "django.contrib.auth.backends.ModelBackend"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "audit.offline_verify", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


@pytest.fixture
def exported(client, db, tmp_path, _checkpoint_dir):
    """A checkpoint file and the auditor's JSON Lines export of the whole log."""
    auditor = make_user("auditor")
    for i in range(7):
        with transaction.atomic():
            audit_record(action="test.event", payload={"i": i, "note": "café"}, reason=f"reason {i}")
    checkpoint = audit_checkpoint_create()
    client.force_login(auditor, backend=BACKEND)
    response = client.post(reverse("audit:event_export"), {"format": "jsonl"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/jsonl")
    export = tmp_path / "export.jsonl"
    export.write_bytes(b"".join(response.streaming_content))
    checkpoint_file = _checkpoint_dir / f"checkpoint-{checkpoint.head_seq:012d}.checkpoint"
    return checkpoint_file, export, public_key_text()


def test_a_real_export_verifies(exported):
    checkpoint_file, export, vkey = exported
    result = run("--vkey", vkey, str(checkpoint_file), str(export))
    assert result.returncode == 0, result.stderr
    assert "Merkle root matches" in result.stdout


def test_the_checkpoint_alone_verifies(exported):
    checkpoint_file, _export, vkey = exported
    assert run("--vkey", vkey, str(checkpoint_file)).returncode == 0


def _tampered(export: Path, tmp_path: Path, change) -> Path:
    events = [json.loads(line) for line in export.read_text().splitlines()]
    events = change(events)
    path = tmp_path / "tampered.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    return path


def _rehash_from(events: list[dict], start: int) -> list[dict]:
    import datetime as dt

    from audit.chain import event_hash

    previous = events[start - 1]["hash"] if start else "0" * 64
    for event in events[start:]:
        event["prev_hash"] = previous
        fields = {k: event[k] for k in event if k != "hash"}
        fields["occurred_at"] = dt.datetime.fromisoformat(fields["occurred_at"])
        event["hash"] = previous = event_hash(**fields)
    return events


def _edit(events):
    events[3]["reason"] = "rewritten"
    return events


def _drop(events):
    del events[2]
    return events


def _swap(events):
    events[2], events[3] = events[3], events[2]
    return events


def _truncate(events):
    return events[:4]


def _rewrite_consistently(events):
    """Delete an event, append another in its place, renumber and rehash:
    every hash and link holds, only the Merkle root can tell."""
    del events[2]
    events.append(dict(events[-1]))
    for seq, event in enumerate(events, start=1):
        event["seq"] = seq
    return _rehash_from(events, 2)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (_edit, "event 4 does not match its hash"),
        (_drop, "event 3 is missing"),
        (_swap, "event 3 is missing or out of order"),
        (_truncate, "fewer than the checkpoint's"),
        (_rewrite_consistently, "differs from the checkpoint's: the log was rewritten"),
    ],
)
def test_a_tampered_export_fails_naming_the_first_problem(exported, tmp_path, change, problem):
    checkpoint_file, export, vkey = exported
    result = run("--vkey", vkey, str(checkpoint_file), str(_tampered(export, tmp_path, change)))
    assert result.returncode == 1 and problem in result.stderr


def test_a_checkpoint_resigned_with_another_key_fails(exported, tmp_path):
    checkpoint_file, export, vkey = exported
    text = notes.parse_note(checkpoint_file.read_text()).text
    forged = tmp_path / "forged.checkpoint"
    forged.write_text(notes.sign_note(text, [notes.signer_generate("vaf.test/audit")]))
    result = run("--vkey", vkey, str(forged), str(export))
    assert result.returncode == 1 and "not signed by the log's key" in result.stderr


def test_a_checkpoint_with_an_edited_root_fails(exported, tmp_path):
    checkpoint_file, _export, vkey = exported
    lines = checkpoint_file.read_text().split("\n")
    lines[2] = "A" * 43 + "="
    forged = tmp_path / "forged.checkpoint"
    forged.write_text("\n".join(lines))
    assert run("--vkey", vkey, str(forged)).returncode == 1


def test_witnesses_are_named_and_a_missing_one_fails(exported, tmp_path):
    checkpoint_file, _export, vkey = exported
    witness, absent = notes.signer_generate("witness.example"), notes.signer_generate("absent.example")
    cosigned = tmp_path / "cosigned.checkpoint"
    cosigned.write_text(notes.add_signature(checkpoint_file.read_text(), witness))
    ok = run("--vkey", vkey, "--witness", witness.verifier.vkey, str(cosigned))
    assert ok.returncode == 0 and "Co-signed by: witness.example" in ok.stdout
    missing = run("--vkey", vkey, "--witness", absent.verifier.vkey, str(cosigned))
    assert missing.returncode == 1 and "absent.example" in missing.stderr


def test_bad_arguments_are_a_clear_error(exported, tmp_path):
    checkpoint_file, _export, vkey = exported
    assert run("--vkey", "not-a-key", str(checkpoint_file)).returncode == 2
    assert run("--vkey", vkey, str(tmp_path / "absent")).returncode == 2


def test_the_verifier_imports_nothing_from_django():
    code = (
        "import sys, audit.offline_verify; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'django', 'rest_framework', 'config'}); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout


def test_only_the_event_log_exports_as_json_lines(client, db):
    from audit.models import AuditEvent

    client.force_login(make_user("auditor"), backend=BACKEND)
    before = AuditEvent.objects.count()
    response = client.post(reverse("audit:access_export"), {"format": "jsonl"})
    assert response.status_code == 400 and "JSON Lines" in response.content.decode()
    assert AuditEvent.objects.count() == before  # nothing exported, nothing recorded
