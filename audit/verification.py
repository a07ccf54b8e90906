"""Verifying the audit chain: streaming, in constant memory.

Reports the first bad sequence number and what is wrong with it:
- `edited`: the event's content no longer matches its hash;
- `missing`: a sequence number is absent (events deleted);
- `inserted`: an event that does not link to its predecessor, while the next
  event links past it;
- `out_of_order`: an event links to an event other than its predecessor;
- `broken_link`: the link is broken in another way (predecessor rewritten);
- `truncated` / `checkpoint_mismatch` / `checkpoint_signature`: the chain no
  longer contains a head that a signed checkpoint vouches for.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from audit.chain import stored_event_hash
from audit.models import GENESIS_HASH, AuditCheckpoint, AuditEvent


@dataclass
class VerificationResult:
    ok: bool
    checked: int
    head_seq: int | None
    head_hash: str | None
    first_bad_seq: int | None = None
    problem: str | None = None
    detail: str = ""
    checkpoints_checked: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def _link_problem(event: AuditEvent, expected_prev: str, previous_seq: int) -> tuple[str, str]:
    linked = AuditEvent.objects.filter(hash=event.prev_hash).values_list("seq", flat=True).first()
    if linked is not None and linked != previous_seq:
        return "out_of_order", f"event {event.seq} links to event {linked}, not to {previous_seq}"
    follower = AuditEvent.objects.filter(seq__gt=event.seq).order_by("seq").values_list("prev_hash", flat=True).first()
    if follower == expected_prev:
        return "inserted", f"event {event.seq} is not part of the chain: the next event links past it"
    return "broken_link", f"event {event.seq} does not link to event {previous_seq}"


def verify_chain(*, chunk_size: int = 2000) -> VerificationResult:
    expected_seq = 1
    expected_prev = GENESIS_HASH
    checked = 0
    events = AuditEvent.objects.order_by("seq").iterator(chunk_size=chunk_size)
    for event in events:
        if event.seq != expected_seq:
            return VerificationResult(
                False,
                checked,
                expected_seq - 1 or None,
                expected_prev if checked else None,
                first_bad_seq=expected_seq,
                problem="missing",
                detail=f"event {expected_seq} is missing (next present is {event.seq})",
            )
        if stored_event_hash(event) != event.hash:
            return VerificationResult(
                False,
                checked,
                event.seq - 1 or None,
                expected_prev if checked else None,
                first_bad_seq=event.seq,
                problem="edited",
                detail=f"event {event.seq} does not match its hash",
            )
        if event.prev_hash != expected_prev:
            problem, detail = _link_problem(event, expected_prev, event.seq - 1)
            return VerificationResult(
                False,
                checked,
                event.seq - 1 or None,
                expected_prev if checked else None,
                first_bad_seq=event.seq,
                problem=problem,
                detail=detail,
            )
        checked += 1
        expected_seq += 1
        expected_prev = event.hash
    head_seq = expected_seq - 1 if checked else None
    head_hash = expected_prev if checked else None
    result = VerificationResult(True, checked, head_seq, head_hash)
    return _verify_checkpoints(result)


def _verify_checkpoints(result: VerificationResult) -> VerificationResult:
    from audit.checkpoints import checkpoint_signature_valid

    for checkpoint in AuditCheckpoint.objects.order_by("head_seq").iterator():
        result.checkpoints_checked += 1
        if not checkpoint_signature_valid(checkpoint):
            result.ok, result.problem = False, "checkpoint_signature"
            result.first_bad_seq = checkpoint.head_seq
            result.detail = f"the checkpoint at event {checkpoint.head_seq} has an invalid or untrusted signature"
            return result
        if result.head_seq is None or checkpoint.head_seq > result.head_seq:
            result.ok, result.problem = False, "truncated"
            result.first_bad_seq = (result.head_seq or 0) + 1
            result.detail = (
                f"a signed checkpoint vouches for event {checkpoint.head_seq}, "
                f"but the chain ends at {result.head_seq or 0}"
            )
            return result
        stored = AuditEvent.objects.filter(seq=checkpoint.head_seq).values_list("hash", flat=True).first()
        if stored != checkpoint.head_hash:
            result.ok, result.problem = False, "checkpoint_mismatch"
            result.first_bad_seq = checkpoint.head_seq
            result.detail = f"event {checkpoint.head_seq} differs from the signed checkpoint: the chain was rewritten"
            return result
    return result
