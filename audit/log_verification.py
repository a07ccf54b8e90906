"""Verifying the log as a transparency log, in full or incrementally.

Incremental verification starts from the newest checkpoint already verified
(an `AuditVerification` row), but trusts that row only as far as the signed
checkpoint file of that size agrees: the stored tree's root at that size must
equal the file's root, and a consistency proof from the stored tree must show
that today's tree extends it. Only the events after it are replayed.

Every checkpoint file (the copy kept outside the database) and every
checkpoint row newer than the starting point is then checked against the
roots recomputed from the events, so rewriting history inside the database
(checkpoint rows included) is detected as long as the files survive.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from audit import merkle, notes, tree
from audit.checkpoints import (
    CheckpointKeyError,
    checkpoint_files,
    checkpoint_signature_valid,
    log_origin,
    trusted_verifiers,
    witness_verifiers,
)
from audit.models import GENESIS_HASH, AuditCheckpoint, AuditEvent, AuditVerification
from audit.verification import VerificationResult, replay_events


@dataclass
class _FileCheckpoint:
    path: Path
    note: notes.SignedNote
    body: notes.Checkpoint


def _read_files(result: VerificationResult, since: int) -> list[_FileCheckpoint] | None:
    """Parse and check the signatures of the checkpoint files of size >= since."""
    verifiers = trusted_verifiers()
    origin = log_origin()
    found = []
    for path in checkpoint_files():
        size_text = path.name.split("-", 1)[1].split(".", 1)[0]
        if size_text.isdigit() and int(size_text) < since:
            continue
        try:
            parsed = notes.parse_note(path.read_text(encoding="utf-8"))
            body = parsed.checkpoint()
        except (notes.NoteError, UnicodeDecodeError, OSError) as exc:
            result.fail(
                "checkpoint_file",
                None,
                _("%(file)s is not a checkpoint: %(problem)s")
                % {
                    "file": path.name,
                    "problem": exc,
                },
            )
            return None
        if body.origin != origin or not any(parsed.signed_by(v) for v in verifiers):
            result.fail(
                "checkpoint_signature",
                body.size,
                _("the checkpoint file %(file)s is not signed by a trusted key of this log") % {"file": path.name},
            )
            return None
        found.append(_FileCheckpoint(path, parsed, body))
    return found


def _start(full: bool) -> tuple[AuditVerification | None, list[_FileCheckpoint]]:
    """The newest verified checkpoint that a checkpoint file still vouches for."""
    if full:
        return None, []
    previous = AuditVerification.objects.order_by("-tree_size", "-id").first()
    if previous is None:
        return None, []
    scratch = VerificationResult(True, 0, None, None)
    files = _read_files(scratch, previous.tree_size) or []
    if any(f.body.size == previous.tree_size and f.body.root.hex() == previous.root_hash for f in files):
        return previous, files
    return None, []


def _check_start(result: VerificationResult, start: AuditVerification) -> merkle.CompactRange | None:
    size = start.tree_size
    log_size = tree.log_size()
    if log_size < size:
        result.fail(
            "truncated",
            log_size + 1,
            _("a verified checkpoint covers %(size)s events, the log ends at %(head)s")
            % {
                "size": size,
                "head": log_size,
            },
        )
        return None
    try:
        compact = tree.compact_range_at(size)
    except tree.TreeIncomplete as exc:
        result.fail("tree_mismatch", None, str(exc))
        return None
    if compact.root().hex() != start.root_hash:
        result.fail(
            "checkpoint_mismatch",
            size,
            _("the tree of the first %(size)s events differs from the signed checkpoint: history was rewritten")
            % {"size": size},
        )
        return None
    return compact


def _check_tree(result: VerificationResult, start_size: int, start_root: bytes) -> bool:
    """The stored tree matches the events replayed, and extends the start."""
    size = result.tree_size
    if size == 0:
        return True
    try:
        stored_size, stored_root = tree.tree_size(), tree.root_at(size)
        proof = tree.consistency_proof(start_size, size) if start_size else []
    except tree.TreeIncomplete as exc:
        result.fail("tree_mismatch", None, str(exc))
        return False
    if stored_size != size or stored_root.hex() != result.root:
        result.fail(
            "tree_mismatch",
            None,
            _("the stored Merkle tree does not match the events (size %(size)s)") % {"size": size},
        )
        return False
    if start_size and not merkle.verify_consistency(start_size, size, start_root, stored_root, proof):
        result.fail(
            "checkpoint_mismatch",
            start_size,
            _("the tree of size %(size)s is not an extension of the verified checkpoint of size %(start)s")
            % {"size": size, "start": start_size},
        )
        return False
    return True


def _check_against(result: VerificationResult, size: int, root: bytes, roots: dict[int, bytes], what: str) -> bool:
    if size > result.tree_size:
        result.fail(
            "truncated",
            result.tree_size + 1,
            _("%(what)s vouches for %(size)s events, but the log ends at %(head)s")
            % {"what": what, "size": size, "head": result.tree_size},
        )
        return False
    if roots.get(size) != root:
        result.fail(
            "checkpoint_mismatch",
            size,
            _("the log's first %(size)s events differ from %(what)s: the log was rewritten")
            % {"size": size, "what": what},
        )
        return False
    return True


def _check_rows(result: VerificationResult, since: int, roots: dict[int, bytes]) -> bool:
    for checkpoint in AuditCheckpoint.objects.filter(head_seq__gte=since).order_by("head_seq").iterator():
        result.checkpoints_checked += 1
        what = _("the signed checkpoint at event %(seq)s") % {"seq": checkpoint.head_seq}
        if not checkpoint_signature_valid(checkpoint):
            result.fail(
                "checkpoint_signature",
                checkpoint.head_seq,
                _("the checkpoint at event %(seq)s has an invalid or untrusted signature")
                % {"seq": checkpoint.head_seq},
            )
            return False
        if checkpoint.note is None:  # signed before the tree existed: its head hash only
            if checkpoint.head_seq > result.tree_size:
                return _check_against(result, checkpoint.head_seq, b"", roots, what)
            stored = AuditEvent.objects.filter(seq=checkpoint.head_seq).values_list("hash", flat=True).first()
            if stored != checkpoint.head_hash:
                result.fail(
                    "checkpoint_mismatch",
                    checkpoint.head_seq,
                    _("event %(seq)s differs from the signed checkpoint: the chain was rewritten")
                    % {"seq": checkpoint.head_seq},
                )
                return False
            continue
        if not _check_against(result, checkpoint.head_seq, bytes.fromhex(checkpoint.root_hash), roots, what):
            return False
    return True


def _check_files(result: VerificationResult, files: list[_FileCheckpoint], roots: dict[int, bytes]) -> bool:
    by_size: dict[int, bytes] = {}
    for item in files:
        size, root = item.body.size, item.body.root
        if by_size.setdefault(size, root) != root:
            result.fail(
                "fork",
                size,
                _("two checkpoint files of size %(size)s have different roots: the log was forked") % {"size": size},
            )
            return False
        result.checkpoint_files_checked += 1
        what = _("the checkpoint file %(file)s") % {"file": item.path.name}
        if not _check_against(result, size, root, roots, what):
            return False
    return True


def _witnesses(files: list[_FileCheckpoint]) -> list[str]:
    if not files:
        return []
    newest = max(f.body.size for f in files)
    signed = set()
    for item in (f for f in files if f.body.size == newest):
        signed |= {w.vkey for w in witness_verifiers() if item.note.signed_by(w)}
    return sorted(v.split("+", 1)[0] for v in signed)


def _record(result: VerificationResult, files: list[_FileCheckpoint], start_size: int, full: bool) -> None:
    verified = [f.body for f in files if f.body.size <= result.tree_size]
    if not verified:
        return
    newest = max(verified, key=lambda b: b.size)
    if newest.size > start_size or full:
        AuditVerification(
            tree_size=newest.size, root_hash=newest.root.hex(), verified_at=timezone.now(), full=full
        ).save()


def verify_log(
    *, full: bool = False, extend: VerificationResult | None = None, record: bool = True, chunk_size: int = 2000
) -> VerificationResult:
    """Verify the log; `full` replays every event, otherwise from the newest
    verified checkpoint. `extend` continues an earlier successful result over
    the events appended since (used under the append lock before signing)."""
    if extend is not None:
        compact = copy.deepcopy(extend.compact) or merkle.CompactRange()
        result, _roots = replay_events(
            start_seq=extend.tree_size, expected_prev=extend.head_hash or GENESIS_HASH, compact=compact
        )
        result.checked += extend.checked
        if result.ok:
            _check_tree(result, 0, b"")
        return result
    try:
        start, _files = _start(full)
        start_size = start.tree_size if start else 0
        probe = VerificationResult(True, 0, None, None)
        compact = _check_start(probe, start) if start else merkle.CompactRange()
        if compact is None:
            return probe
        start_root = compact.root()
        head_hash = (
            AuditEvent.objects.filter(seq=start_size).values_list("hash", flat=True).first() if start_size else None
        )
        if start_size and (
            head_hash is None
            or merkle.leaf_hash(head_hash) != tree.read_nodes([(0, start_size - 1)])[(0, start_size - 1)]
        ):
            return probe.fail(
                "checkpoint_mismatch",
                start_size,
                _("event %(seq)s differs from the verified tree") % {"seq": start_size},
            )
        files = _read_files(probe, start_size)
        if files is None:
            return probe
        sizes = {f.body.size for f in files}
        sizes |= set(AuditCheckpoint.objects.filter(head_seq__gte=start_size).values_list("head_seq", flat=True))
        result, roots = replay_events(
            start_seq=start_size,
            expected_prev=head_hash or GENESIS_HASH,
            compact=compact,
            capture=frozenset(sizes),
            chunk_size=chunk_size,
        )
        if start_size:
            roots[start_size] = start_root
        result.from_size = start_size
        if not result.ok:
            return result
        # Signed checkpoints first: they name what was rewritten; then the stored tree.
        if not (_check_rows(result, start_size, roots) and _check_files(result, files, roots)):
            return result
        if not _check_tree(result, start_size, start_root):
            return result
        result.witnesses = _witnesses(files)
        if record:
            _record(result, files, start_size, full)
        return result
    except CheckpointKeyError as exc:
        return VerificationResult(False, 0, None, None).fail("configuration", None, str(exc))
