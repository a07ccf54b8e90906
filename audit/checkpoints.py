"""Signed checkpoints of the audit log: C2SP signed notes over the Merkle tree.

The log's key signs under the name `VAF_AUDIT_LOG_ORIGIN`. Its private half
(`VAF_AUDIT_SIGNING_KEY`, base64 of the 32-byte Ed25519 key) is read only by
`manage.py audit_checkpoint`, never by the web pages; the web process needs
only the verifier key (`VAF_AUDIT_VERIFIER_KEY`). Every checkpoint is also
written as a file to `VAF_AUDIT_CHECKPOINT_DIR`, never overwritten, so that a
copy of the log's history lives outside the database it vouches for. The
file is written inside the signing transaction under a pending name (so a
directory that cannot be written leaves no checkpoint row) and takes its
own name only once that transaction has committed, so a rollback or a crash
in between never leaves a file vouching for a tree the database did not
keep. Verification trusts only the configured verifier keys, never a key stored
beside a checkpoint.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import notes
from audit.chain import format_time
from audit.models import AuditCheckpoint, AuditCosignature
from audit.services import audit_flush, audit_record

CHECKPOINT_FILE_SUFFIX = ".checkpoint"


class CheckpointKeyError(Exception):
    """A key, origin or checkpoint directory that is missing or malformed."""


class ChainNotIntact(Exception):
    """The log does not verify: a checkpoint would vouch for a tampered log."""


def log_origin() -> str:
    origin = (getattr(settings, "VAF_AUDIT_LOG_ORIGIN", "") or "").strip()
    if not origin or "+" in origin or any(c.isspace() for c in origin):
        raise CheckpointKeyError(
            _("VAF_AUDIT_LOG_ORIGIN must name this log, e.g. the host name plus /audit (no spaces, no '+').")
        )
    return origin


def signing_key_raw() -> bytes:
    value = getattr(settings, "VAF_AUDIT_SIGNING_KEY", "") or ""
    if not value:
        raise CheckpointKeyError(_("VAF_AUDIT_SIGNING_KEY is not set: cannot sign audit checkpoints."))
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise CheckpointKeyError(_("VAF_AUDIT_SIGNING_KEY is not valid base64.")) from None
    if len(raw) != 32:
        raise CheckpointKeyError(_("VAF_AUDIT_SIGNING_KEY must be 32 bytes (an Ed25519 private key)."))
    return raw


def log_signer() -> notes.Signer:
    return notes.signer_from_raw(log_origin(), signing_key_raw())


def log_verifier() -> notes.Verifier:
    """The configured verifier key; outside production, derived from the
    signing key when none is set."""
    vkey = (getattr(settings, "VAF_AUDIT_VERIFIER_KEY", "") or "").strip()
    if vkey:
        try:
            verifier = notes.parse_verifier(vkey)
        except notes.NoteError as exc:
            raise CheckpointKeyError(_("VAF_AUDIT_VERIFIER_KEY is malformed: %(problem)s") % {"problem": exc}) from None
        if verifier.name != log_origin():
            raise CheckpointKeyError(_("VAF_AUDIT_VERIFIER_KEY is not a key for the origin VAF_AUDIT_LOG_ORIGIN."))
        return verifier
    if getattr(settings, "PRODUCTION", False):
        raise CheckpointKeyError(_("VAF_AUDIT_VERIFIER_KEY is not set: checkpoints cannot be verified."))
    return log_signer().verifier


def public_key_text() -> str:
    """The verifier key to publish, `<name>+<key id>+<base64 key>`."""
    return log_verifier().vkey


def _listed(setting: str) -> list[notes.Verifier]:
    verifiers = []
    for item in (getattr(settings, setting, "") or "").split(","):
        with contextlib.suppress(notes.NoteError):
            if item.strip():
                verifiers.append(notes.parse_verifier(item))
    return verifiers


def trusted_verifiers() -> list[notes.Verifier]:
    """The log's current key plus older log keys listed in VAF_AUDIT_TRUSTED_PUBLIC_KEYS."""
    verifiers = _listed("VAF_AUDIT_TRUSTED_PUBLIC_KEYS")
    with contextlib.suppress(CheckpointKeyError):
        verifiers.insert(0, log_verifier())
    return verifiers


def witness_verifiers() -> list[notes.Verifier]:
    return _listed("VAF_AUDIT_WITNESS_KEYS")


def checkpoint_dir() -> Path:
    value = getattr(settings, "VAF_AUDIT_CHECKPOINT_DIR", "") or ""
    if not value:
        raise CheckpointKeyError(_("VAF_AUDIT_CHECKPOINT_DIR is not set: checkpoints have nowhere to be kept."))
    path = Path(value)
    if not path.is_dir() and not getattr(settings, "PRODUCTION", False):
        path.mkdir(parents=True, exist_ok=True)  # development's default var/checkpoints
    if not path.is_dir():
        raise CheckpointKeyError(
            _("The checkpoint directory %(path)s does not exist (VAF_AUDIT_CHECKPOINT_DIR).") % {"path": path}
        )
    return path


def checkpoint_file_name(size: int, suffix: str = "") -> str:
    return f"checkpoint-{size:012d}{suffix}{CHECKPOINT_FILE_SUFFIX}"


def checkpoint_file_write(name: str, note: str) -> Path:
    """Write a file once; an existing file is never overwritten."""
    pending = PendingCheckpointFile()
    pending.prepare(name, note)
    return pending.publish()


class PendingCheckpointFile:
    """A checkpoint file written inside a transaction and named once it commits.

        with transaction.atomic(), PendingCheckpointFile() as file:
            ...
            file.write(name, note)

    `write` refuses a name that exists with other content and writes the note
    to disk under a pending name (`.pending-…`, never read by verification);
    the commit gives it its name (`on_commit`). An error inside the block
    (so before the commit: the transaction is rolled back) removes the
    pending file. An error at the commit itself leaves it: the transaction
    may have committed, and a pending file is harmless. Naming it never
    overwrites a file, and the pending file is removed only once the named
    one holds the note; a failure then is logged (the committed row keeps
    the note too). Inside a test's wrapping transaction, which never
    commits, the file is named when the block ends.
    """

    def __init__(self) -> None:
        self.pending: Path | None = None
        self.name = self.note = ""

    @classmethod
    def left_at(cls, pending: Path, name: str, note: str) -> PendingCheckpointFile:
        """A pending file an earlier process wrote and did not name."""
        file = cls()
        file.pending, file.name, file.note = pending, name, note
        return file

    def __enter__(self) -> PendingCheckpointFile:
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is not None:
            self.discard()
        elif self.pending is not None and getattr(connection, "enclosed_only_by_test", lambda: False)():
            self.publish()
        return False

    def write(self, name: str, note: str) -> None:
        self.prepare(name, note)
        transaction.on_commit(self.publish, robust=True)

    def prepare(self, name: str, note: str) -> None:
        if self.pending is not None:
            raise RuntimeError("A PendingCheckpointFile holds one file.")
        directory = checkpoint_dir()
        _refuse_other_content(directory / name, note)
        self.name, self.note = name, note
        self.pending = directory / f".pending-{name}.{secrets.token_hex(8)}"
        _write_new(self.pending, note)

    def publish(self) -> Path:
        """Give the pending file its name: a hard link, or where the filesystem
        has none a new file; never over another file."""
        pending = self.pending
        if pending is None:  # already named
            return checkpoint_dir() / self.name
        final = pending.parent / self.name
        try:
            os.link(pending, final)
        except FileExistsError:
            _refuse_other_content(final, self.note)
        except OSError:
            try:
                _write_new(final, self.note)
            except FileExistsError:
                _refuse_other_content(final, self.note)
        _sync_directory(final.parent)
        self.pending = None
        pending.unlink(missing_ok=True)
        return final

    def discard(self) -> None:
        pending, self.pending = self.pending, None
        if pending is not None:
            pending.unlink(missing_ok=True)


def checkpoint_files_recover() -> list[Path]:
    """Name the pending files whose checkpoint or cosignature is committed (a
    crash came between the commit and the naming). Safe at any time: a
    committed row stays, and naming never overwrites. A pending file that
    matches no committed row is left: its transaction may still be running,
    or it was rolled back (such a file can be deleted)."""
    named = []
    for pending in sorted(checkpoint_dir().glob(f".pending-checkpoint-*{CHECKPOINT_FILE_SUFFIX}.*")):
        name = pending.name.removeprefix(".pending-").rsplit(".", 1)[0]
        note = pending.read_text(encoding="utf-8")
        if _committed(name, note):
            named.append(PendingCheckpointFile.left_at(pending, name, note).publish())
    return named


def _committed(name: str, note: str) -> bool:
    """Whether `note` is what a committed row says the file `name` holds."""
    stem = name.removeprefix("checkpoint-").removesuffix(CHECKPOINT_FILE_SUFFIX)
    size, _dot, key_id = stem.partition(".")
    if not size.isdigit():
        return False
    if not key_id:
        return AuditCheckpoint.objects.filter(head_seq=int(size), note=note).exists()
    cosignatures = AuditCosignature.objects.filter(checkpoint__head_seq=int(size), key_id=key_id)
    return any(c.checkpoint.note + c.signature_line == note for c in cosignatures.select_related("checkpoint"))


def _write_new(path: Path, note: str) -> None:
    with path.open("x", encoding="utf-8", newline="") as handle:
        handle.write(note)
        handle.flush()
        os.fsync(handle.fileno())


def _sync_directory(directory: Path) -> None:
    """Make a new name in the directory durable (where the platform allows)."""
    with contextlib.suppress(OSError):
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _refuse_other_content(path: Path, note: str) -> None:
    if path.exists() and path.read_text(encoding="utf-8") != note:
        raise CheckpointKeyError(
            _("%(path)s already exists with other content: checkpoint files are never overwritten.") % {"path": path}
        )


def checkpoint_files() -> list[Path]:
    return sorted(checkpoint_dir().glob(f"checkpoint-*{CHECKPOINT_FILE_SUFFIX}"))


def checkpoint_note(checkpoint: AuditCheckpoint) -> str | None:
    """The checkpoint's signed note with every cosignature recorded for it."""
    if not checkpoint.note:
        return None
    lines = "".join(c.signature_line for c in checkpoint.cosignatures.all())
    return checkpoint.note + lines


def _legacy_message(head_seq: int, head_hash: str, signed_at) -> bytes:
    return f"vaf-audit-checkpoint|{head_seq}|{head_hash}|{format_time(signed_at)}".encode()


def _legacy_signature_valid(checkpoint: AuditCheckpoint, verifiers) -> bool:
    """Checkpoints signed before the log became a Merkle tree (no note)."""
    trusted = {base64.b64encode(notes.public_raw(v.public_key)).decode() for v in verifiers}
    if checkpoint.public_key not in trusted:
        return False
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(checkpoint.public_key))
        key.verify(
            base64.b64decode(checkpoint.signature),
            _legacy_message(checkpoint.head_seq, checkpoint.head_hash, checkpoint.signed_at),
        )
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True


def checkpoint_signature_valid(checkpoint: AuditCheckpoint) -> bool:
    """Signed by a trusted log key, and the row says what its note says."""
    verifiers = trusted_verifiers()
    if not checkpoint.note:
        return _legacy_signature_valid(checkpoint, verifiers)
    try:
        parsed = notes.parse_note(checkpoint.note)
        body = parsed.checkpoint()
    except notes.NoteError:
        return False
    signer = next((v for v in verifiers if parsed.signed_by(v)), None)
    if signer is None or body.size != checkpoint.head_seq or body.root.hex() != checkpoint.root_hash:
        return False
    own = [sig for name, kid, sig in parsed.signatures if (name, kid) == (signer.name, signer.key_id)]
    return base64.b64encode(own[0]).decode() == checkpoint.signature


def audit_checkpoint_create(*, actor=None, verification=None) -> AuditCheckpoint:
    """Sign the log at its current size, only if it verifies.

    The log is verified first without holding the append lock (incrementally,
    from the newest verified checkpoint); then, under the lock, the
    checkpoint's own event is appended, the events since are verified, and
    the tree of the new size is signed, stored and written to its file.
    """
    from audit.log_verification import verify_log

    signer = log_signer()
    checkpoint_dir()
    result = verification or verify_log()
    if not result.ok:
        raise ChainNotIntact(
            _("The audit log does not verify (%(problem)s at event %(seq)s): no checkpoint was signed.")
            % {"problem": result.problem, "seq": result.first_bad_seq}
        )
    with transaction.atomic(), PendingCheckpointFile() as file:
        audit_record(action="audit.checkpoint", actor=actor, object_type="audit")
        audit_flush()  # sequence it now: the tree signed below must include it
        tail = verify_log(extend=result)
        if not tail.ok:
            raise ChainNotIntact(
                _("Events appended since verification do not verify (%(problem)s at event %(seq)s).")
                % {"problem": tail.problem, "seq": tail.first_bad_seq}
            )
        body = notes.Checkpoint(signer.name, tail.tree_size, bytes.fromhex(tail.root))
        note = notes.sign_note(body.text, [signer])
        signature = notes.parse_note(note).signatures[0][2]
        checkpoint = AuditCheckpoint(
            head_seq=tail.head_seq,
            head_hash=tail.head_hash,
            signed_at=timezone.now(),
            public_key=base64.b64encode(notes.public_raw(signer.verifier.public_key)).decode(),
            signature=base64.b64encode(signature).decode(),
            root_hash=tail.root,
            note=note,
        )
        checkpoint.save()
        file.write(checkpoint_file_name(body.size), note)
    return checkpoint


def audit_checkpoint_cosign(*, signer: notes.Signer, checkpoint: AuditCheckpoint | None = None) -> AuditCosignature:
    """A witness (an auditor's own key) signs a checkpoint the log's key signed.

    The witness's line is recorded beside the checkpoint and the cosigned note
    written as a file of its own; the log's checkpoint file is left as it was.
    """
    checkpoint = checkpoint or AuditCheckpoint.objects.exclude(note=None).order_by("-head_seq", "-id").first()
    if checkpoint is None or not checkpoint.note:
        raise ChainNotIntact(_("There is no signed checkpoint to co-sign."))
    if not checkpoint_signature_valid(checkpoint):
        raise ChainNotIntact(_("The checkpoint's own signature does not verify: it will not be co-signed."))
    key_id = signer.verifier.key_id.hex()
    existing = checkpoint.cosignatures.filter(key_id=key_id).first()
    if existing is not None:
        return existing
    text = notes.parse_note(checkpoint.note).text
    with transaction.atomic(), PendingCheckpointFile() as file:
        cosignature = AuditCosignature(
            checkpoint=checkpoint,
            key_name=signer.name,
            key_id=key_id,
            signature_line=signer.signature_line(text),
            signed_at=timezone.now(),
        )
        cosignature.save()
        audit_record(
            action="audit.cosigned",
            object_type="audit",
            payload={"tree_size": checkpoint.head_seq, "witness": signer.name, "key_id": key_id},
        )
        size = checkpoint.head_seq
        file.write(checkpoint_file_name(size, f".{key_id}"), checkpoint.note + cosignature.signature_line)
    return cosignature
