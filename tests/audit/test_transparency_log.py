"""The audit log as a transparency log: the checkpoint API and proofs, the
checkpoint files outside the database, the rewrite an insider could attempt,
incremental verification and witnesses."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from rest_framework.test import APIClient

from audit import merkle, notes
from audit.chain import EVENT_FIELDS, event_hash
from audit.checkpoints import audit_checkpoint_create, public_key_text
from audit.log_verification import verify_log
from audit.models import AuditCheckpoint, AuditEvent, AuditVerification, TreeNode
from audit.services import audit_record
from tests.factories import make_user

APPEND_ONLY = (
    "audit_auditevent",
    "audit_auditcheckpoint",
    "audit_treenode",
    "audit_auditverification",
    "audit_auditcosignature",
)


def record(n: int, action: str = "test.event") -> None:
    for i in range(n):
        with transaction.atomic():
            audit_record(action=action, payload={"i": i})


@pytest.fixture
def auditor_api(db):
    api = APIClient()
    api.force_authenticate(make_user("auditor"))
    return api


def leaf(seq: int) -> bytes:
    return merkle.leaf_hash(AuditEvent.objects.get(seq=seq).hash)


def naive_root(size: int) -> bytes:
    hashes = AuditEvent.objects.filter(seq__lte=size).order_by("seq").values_list("hash", flat=True)
    return merkle.naive_root([merkle.leaf_hash(h) for h in hashes])


def check_note_by_hand(note: str, vkey: str) -> tuple[str, int, bytes]:
    """C2SP signed-note verification written out here, not through audit.notes."""
    name, id_hex, key_b64 = vkey.split("+", 2)
    key = base64.b64decode(key_b64)
    assert key[0] == 1 and hashlib.sha256(name.encode() + b"\n" + key).digest()[:4].hex() == id_hex
    text, signatures = note.split("\n\n", 1)
    text += "\n"
    line = signatures.splitlines()[0]
    assert line.startswith("\u2014 " + name + " ")
    blob = base64.b64decode(line.rsplit(" ", 1)[1])
    assert blob[:4].hex() == id_hex
    Ed25519PublicKey.from_public_bytes(key[1:]).verify(blob[4:], text.encode())
    origin, size, root = text.splitlines()
    return origin, int(size), base64.b64decode(root)


# --- The API ------------------------------------------------------------------


def test_the_key_and_the_newest_checkpoint_verify_with_the_public_key_alone(auditor_api):
    record(6)
    audit_checkpoint_create()
    key = auditor_api.get("/api/v1/audit/log/key/").json()
    assert key == {"origin": "vaf.test/audit", "vkey": public_key_text()}
    response = auditor_api.get("/api/v1/audit/log/checkpoint/")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    origin, size, root = check_note_by_hand(response.content.decode(), key["vkey"])
    assert origin == "vaf.test/audit" and size == AuditEvent.objects.count() == 8  # user.created, 6, checkpoint
    assert root == naive_root(size)


def test_there_is_no_checkpoint_to_serve_before_the_first_is_signed(auditor_api):
    response = auditor_api.get("/api/v1/audit/log/checkpoint/")
    assert response.status_code == 404 and b"not_found" in response.content


def test_inclusion_proofs_prove_every_event_in_every_tree_size(auditor_api):
    record(12)
    total = AuditEvent.objects.count()
    for size in (1, 2, 5, 8, total):
        root = naive_root(size)
        for seq in range(1, size + 1):
            body = auditor_api.get(f"/api/v1/audit/log/proof/inclusion/?seq={seq}&tree_size={size}").json()
            assert (body["leaf_index"], body["tree_size"]) == (seq - 1, size)
            proof = [base64.b64decode(h) for h in body["hashes"]]
            assert merkle.verify_inclusion(seq - 1, size, leaf(seq), proof, root)


def test_consistency_proofs_prove_the_log_only_grew(auditor_api):
    record(11)
    total = AuditEvent.objects.count()
    for first in range(1, total + 1):
        for second in (first, min(first + 3, total), total):
            body = auditor_api.get(f"/api/v1/audit/log/proof/consistency/?first={first}&second={second}").json()
            assert (body["first"], body["second"]) == (first, second)
            proof = [base64.b64decode(h) for h in body["hashes"]]
            assert merkle.verify_consistency(first, second, naive_root(first), naive_root(second), proof)


@pytest.mark.parametrize(
    "query",
    [
        "inclusion/?seq=0&tree_size=3",
        "inclusion/?seq=abc&tree_size=3",
        "inclusion/?seq=1",
        "inclusion/?seq=4&tree_size=3",
        "inclusion/?seq=1&tree_size=99",
        "inclusion/?seq=-1&tree_size=3",
        "consistency/?first=0&second=3",
        "consistency/?first=3&second=2",
        "consistency/?first=1&second=99",
        "consistency/?first=1.5&second=3",
        "consistency/?first=1&second=99999999999999999999999",
    ],
)
def test_impossible_proofs_answer_400_with_a_code(auditor_api, query):
    record(2)
    response = auditor_api.get(f"/api/v1/audit/log/proof/{query}")
    assert response.status_code == 400 and response.json()["code"] == "validation_error"


def test_only_auditors_reach_the_log_api(db):
    api = APIClient()
    api.force_authenticate(make_user("approver"))
    for path in ("key/", "checkpoint/", "proof/inclusion/?seq=1&tree_size=1", "proof/consistency/?first=1&second=1"):
        assert api.get(f"/api/v1/audit/log/{path}").status_code == 403
    assert APIClient().get("/api/v1/audit/log/key/").status_code == 401


def test_proofs_read_a_logarithmic_number_of_rows(auditor_api, django_assert_max_num_queries):
    record(300)
    with django_assert_max_num_queries(12):  # session, user and roles, tree size, one read of the nodes
        body = auditor_api.get("/api/v1/audit/log/proof/inclusion/?seq=77&tree_size=290").json()
    assert len(body["hashes"]) <= 10


# --- The stored tree ------------------------------------------------------------


def test_the_stored_tree_is_append_only(db):
    record(2)
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_treenode SET hash = 'x' WHERE level = 0")
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_treenode")
    assert TreeNode.objects.filter(level=0).count() == AuditEvent.objects.count()


# --- Checkpoint files outside the database -----------------------------------------


def _without_triggers(*statements: tuple[str, list]) -> None:
    with connection.cursor() as cursor:
        for table in APPEND_ONLY:
            if connection.vendor == "postgresql":
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        for sql, params in statements:
            cursor.execute(sql, params)


def rewrite_history(*, remove: set[int]) -> None:
    """The insider's rewrite: drop events, renumber and rehash the rest, rebuild
    the Merkle tree, and delete every checkpoint row and verification record."""
    from audit.tree import tree_append

    kept = [e for e in AuditEvent.objects.order_by("seq") if e.seq not in remove]
    tables = ("audit_auditcosignature", "audit_auditcheckpoint", "audit_treenode", "audit_auditverification")
    _without_triggers(*[(f"DELETE FROM {t}", []) for t in (*tables, "audit_auditevent")])
    previous = "0" * 64
    for seq, event in enumerate(kept, start=1):
        event.seq, event.prev_hash = seq, previous
        fields = {name: getattr(event, name) for name in EVENT_FIELDS if name != "hash"}
        event.hash = previous = event_hash(**fields)
        event._state.adding = True
        event.save()
    tree_append(AuditEvent.objects.order_by("seq"))


def test_the_insiders_rewrite_is_detected_from_the_checkpoint_files(db, _checkpoint_dir):
    """The review's scenario: a reveal event, the checkpoint row and its own
    event deleted, the rest renumbered and rehashed, the tree rebuilt."""
    record(3)
    record(1, action="case.pii_revealed")
    record(2)
    checkpoint = audit_checkpoint_create()
    record(2)
    assert verify_log(full=True).ok
    reveal = AuditEvent.objects.get(action="case.pii_revealed").seq
    rewrite_history(remove={reveal, checkpoint.head_seq})
    assert not AuditCheckpoint.objects.exists() and not AuditEvent.objects.filter(action="case.pii_revealed").exists()
    for full in (True, False):
        result = verify_log(full=full)
        assert (result.ok, result.problem) == (False, "checkpoint_mismatch"), full
        assert f"checkpoint-{checkpoint.head_seq:012d}" in result.detail
    with pytest.raises(CommandError, match="checkpoint_mismatch"):
        call_command("verify_audit_log")


def test_a_log_truncated_below_a_checkpoint_file_is_detected(db):
    record(4)
    checkpoint = audit_checkpoint_create()
    rewrite_history(remove={checkpoint.head_seq, checkpoint.head_seq - 1})
    result = verify_log(full=True)
    assert (result.ok, result.problem) == (False, "truncated")


def test_a_checkpoint_file_signed_with_another_key_is_named(db, _checkpoint_dir):
    record(2)
    audit_checkpoint_create()
    forger = notes.signer_generate("vaf.test/audit")
    body = notes.Checkpoint("vaf.test/audit", 2, naive_root(2))
    (_checkpoint_dir / "checkpoint-000000000002.checkpoint").write_text(notes.sign_note(body.text, [forger]))
    result = verify_log(full=True)
    assert (result.problem, result.first_bad_seq) == ("checkpoint_signature", 2)
    assert "checkpoint-000000000002" in result.detail


def test_two_checkpoints_of_one_size_with_different_roots_are_a_fork(db, settings, _checkpoint_dir):
    record(2)
    checkpoint = audit_checkpoint_create()
    signer = notes.signer_from_raw("vaf.test/audit", base64.b64decode(settings.VAF_AUDIT_SIGNING_KEY))
    forked = notes.Checkpoint("vaf.test/audit", checkpoint.head_seq, b"\x07" * 32)
    (_checkpoint_dir / f"checkpoint-{checkpoint.head_seq:012d}.other.checkpoint").write_text(
        notes.sign_note(forked.text, [signer])
    )
    result = verify_log(full=True)
    assert (result.ok, result.problem) == (False, "fork")


def test_a_malformed_file_in_the_checkpoint_directory_is_named(db, _checkpoint_dir):
    record(1)
    (_checkpoint_dir / "checkpoint-000000000001.checkpoint").write_text("not a note")
    result = verify_log(full=True)
    assert result.problem == "checkpoint_file" and "checkpoint-000000000001" in result.detail


def test_checkpoint_files_are_never_overwritten(db, _checkpoint_dir):
    record(1)
    checkpoint = audit_checkpoint_create()
    path = _checkpoint_dir / f"checkpoint-{checkpoint.head_seq:012d}.checkpoint"
    from audit.checkpoints import CheckpointKeyError, checkpoint_file_write

    with pytest.raises(CheckpointKeyError, match="never overwritten"):
        checkpoint_file_write(path.name, "something else\n")
    assert path.read_text() == checkpoint.note


def test_a_missing_checkpoint_directory_is_a_clear_error(db, settings, tmp_path):
    record(1)
    settings.PRODUCTION = True
    settings.VAF_AUDIT_CHECKPOINT_DIR = str(tmp_path / "absent")
    with pytest.raises(CommandError, match="does not exist"):
        call_command("audit_checkpoint")
    result = verify_log()
    assert (result.ok, result.problem) == (False, "configuration")
    with pytest.raises(CommandError, match="configuration"):
        call_command("verify_audit_log")


# --- Incremental verification ----------------------------------------------------------


def test_verification_starts_from_the_newest_verified_checkpoint(db):
    record(50)
    audit_checkpoint_create()
    assert verify_log(full=True).ok
    start = AuditVerification.objects.order_by("-tree_size").first()
    record(5)
    result = verify_log()
    assert result.ok and result.from_size == start.tree_size and result.checked == 5
    assert verify_log(full=True).checked == AuditEvent.objects.count()


def test_an_old_event_rewritten_below_the_verified_checkpoint_is_caught_by_the_tree(db):
    record(10)
    audit_checkpoint_create()
    record(3)
    assert verify_log().ok
    rewrite_history(remove={3})
    result = verify_log()
    assert (result.ok, result.problem) == (False, "checkpoint_mismatch")


# --- Witnesses ---------------------------------------------------------------------------


def test_a_witness_cosigns_and_verification_names_it(db, settings, tmp_path, auditor_api, capsys):
    record(3)
    audit_checkpoint_create()
    witness = notes.signer_generate("auditor-general.example")
    stranger = notes.signer_generate("someone.example")
    settings.VAF_AUDIT_WITNESS_KEYS = f"{witness.verifier.vkey},{stranger.verifier.vkey}"
    key_file = tmp_path / "witness.key"
    key_file.write_text(witness.skey)
    call_command("audit_cosign", "--key-file", str(key_file))
    assert "co-signed by auditor-general.example" in capsys.readouterr().out
    note = auditor_api.get("/api/v1/audit/log/checkpoint/").content.decode()
    parsed = notes.parse_note(note)
    assert parsed.signed_by(witness.verifier) and not parsed.signed_by(stranger.verifier)
    result = verify_log(full=True)
    assert result.ok and result.witnesses == ["auditor-general.example"]
    assert AuditEvent.objects.filter(action="audit.cosigned").count() == 1


def test_cosigning_a_forged_checkpoint_is_refused(db, tmp_path):
    record(1)
    checkpoint = audit_checkpoint_create()
    _without_triggers(("UPDATE audit_auditcheckpoint SET root_hash = %s WHERE id = %s", ["ab" * 32, checkpoint.pk]))
    key_file = tmp_path / "witness.key"
    key_file.write_text(notes.signer_generate("w.example").skey)
    with pytest.raises(CommandError, match="does not verify"):
        call_command("audit_cosign", "--key-file", str(key_file))


# --- Deployment checks -----------------------------------------------------------------------


def test_check_deploy_warns_when_the_web_process_holds_the_signing_key(settings):
    from audit.checks import check_signing_key_not_in_web_process

    assert [w.id for w in check_signing_key_not_in_web_process(None)] == ["audit.W001"]
    settings.VAF_AUDIT_SIGNING_KEY = ""
    assert check_signing_key_not_in_web_process(None) == []


def test_production_start_up_names_a_missing_directory_or_verifier_key(settings, tmp_path):
    from audit.checks import check_audit_log

    settings.PRODUCTION = True
    settings.VAF_AUDIT_CHECKPOINT_DIR = str(tmp_path / "absent")
    settings.VAF_AUDIT_VERIFIER_KEY = ""
    assert sorted(e.id for e in check_audit_log(None)) == ["audit.E001", "audit.E002"]
    settings.VAF_AUDIT_CHECKPOINT_DIR = str(tmp_path)
    settings.VAF_AUDIT_VERIFIER_KEY = notes.signer_generate("vaf.test/audit").verifier.vkey
    assert check_audit_log(None) == []


def _names(directory) -> list[str]:
    return sorted(path.name for path in directory.iterdir())


@pytest.mark.django_db(transaction=True)
def test_a_checkpoint_file_is_named_once_its_transaction_commits(_checkpoint_dir):
    record(2)
    checkpoint = audit_checkpoint_create()
    assert _names(_checkpoint_dir) == [f"checkpoint-{checkpoint.head_seq:012d}.checkpoint"]
    assert (_checkpoint_dir / _names(_checkpoint_dir)[0]).read_text() == checkpoint.note
    assert verify_log(full=True).checkpoint_files_checked == 1


@pytest.mark.django_db(transaction=True)
def test_a_checkpoint_rolled_back_leaves_no_file_vouching_for_it(_checkpoint_dir):
    """The signing transaction is part of a larger one that fails: no row, and
    no file for a tree the database never kept (only a pending file, which
    verification does not read)."""
    record(2)
    with pytest.raises(RuntimeError, match="after signing"), transaction.atomic():
        audit_checkpoint_create()
        raise RuntimeError("after signing")
    assert not AuditCheckpoint.objects.exists()
    assert [name for name in _names(_checkpoint_dir) if not name.startswith(".pending-")] == []
    record(1)
    checkpoint = audit_checkpoint_create()  # the same size is signed again, with other content
    assert checkpoint.head_seq == 4
    result = verify_log(full=True)
    assert (result.ok, result.checkpoint_files_checked) == (True, 1)


def test_a_failure_inside_the_signing_block_removes_the_pending_file(db, _checkpoint_dir):
    from audit.checkpoints import PendingCheckpointFile

    with pytest.raises(RuntimeError, match="later"), transaction.atomic(), PendingCheckpointFile() as file:
        file.write("checkpoint-000000000009.checkpoint", "a note\n")
        assert [name.startswith(".pending-") for name in _names(_checkpoint_dir)] == [True]
        raise RuntimeError("later")
    assert _names(_checkpoint_dir) == []


def test_a_filesystem_without_hard_links_still_gets_the_named_file(db, _checkpoint_dir, monkeypatch):
    import os

    def no_links(*args, **kwargs):
        raise PermissionError("no hard links here")

    monkeypatch.setattr(os, "link", no_links)
    record(1)
    checkpoint = audit_checkpoint_create()
    assert _names(_checkpoint_dir) == [f"checkpoint-{checkpoint.head_seq:012d}.checkpoint"]
    assert (_checkpoint_dir / _names(_checkpoint_dir)[0]).read_text() == checkpoint.note


def test_a_pending_file_is_kept_when_its_name_is_taken_by_other_content(db, _checkpoint_dir):
    from audit.checkpoints import CheckpointKeyError, PendingCheckpointFile

    file = PendingCheckpointFile()
    file.prepare("checkpoint-000000000009.checkpoint", "the signed note\n")
    (_checkpoint_dir / "checkpoint-000000000009.checkpoint").write_text("something else\n")
    with pytest.raises(CheckpointKeyError, match="never overwritten"):
        file.publish()
    pending = [name for name in _names(_checkpoint_dir) if name.startswith(".pending-")]
    assert len(pending) == 1 and (_checkpoint_dir / pending[0]).read_text() == "the signed note\n"


def test_a_committed_checkpoint_whose_file_was_left_pending_is_named_by_the_signer(db, _checkpoint_dir, capsys):
    """A crash between the commit and the naming leaves the row and a pending
    file: the next run of the signer names it; a pending file no committed
    row matches is left alone."""
    record(1)
    checkpoint = audit_checkpoint_create()
    named = _checkpoint_dir / f"checkpoint-{checkpoint.head_seq:012d}.checkpoint"
    named.rename(_checkpoint_dir / f".pending-{named.name}.0123456789abcdef")
    stray = _checkpoint_dir / ".pending-checkpoint-000000000099.checkpoint.fedcba9876543210"
    stray.write_text("a note no row holds\n")
    call_command("audit_checkpoint")
    assert "Named checkpoint-000000000002.checkpoint" in capsys.readouterr().out
    assert named.read_text() == checkpoint.note
    assert stray.exists()
    assert [n for n in _names(_checkpoint_dir) if n.startswith(".pending-")] == [stray.name]
    result = verify_log(full=True)
    assert (result.ok, result.checkpoint_files_checked) == (True, 2)


def test_a_committed_cosignature_whose_file_was_left_pending_is_named(db, _checkpoint_dir):
    from audit.checkpoints import audit_checkpoint_cosign, checkpoint_files_recover

    record(1)
    audit_checkpoint_create()
    cosignature = audit_checkpoint_cosign(signer=notes.signer_generate("auditor-general.example"))
    named = _checkpoint_dir / f"checkpoint-000000000002.{cosignature.key_id}.checkpoint"
    content = named.read_text()
    named.rename(_checkpoint_dir / f".pending-{named.name}.0123456789abcdef")
    forged = _checkpoint_dir / f".pending-{named.name}.fedcba9876543210"
    forged.write_text(content + "— a line no witness signed\n")
    assert checkpoint_files_recover() == [named]
    assert named.read_text() == content and forged.exists()
