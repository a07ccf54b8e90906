"""Verifying the audit chain: streaming, in constant memory.

Reports the first bad sequence number and what is wrong with it:
- `edited`: the event's content no longer matches its hash (the detail says
  when it is another event's content, i.e. events were reordered);
- `missing`: a sequence number is absent (events deleted);
- `inserted`: an event that does not link to its predecessor, while the next
  event links past it; or an event renumbered one up (something was slipped
  in before it);
- `out_of_order`: an event links to an event other than its predecessor;
- `broken_link`: the link is broken in another way (predecessor rewritten);
- `truncated` / `checkpoint_mismatch` / `checkpoint_signature`: the log no
  longer contains a tree that a signed checkpoint (a row, or a file in the
  checkpoint directory) vouches for, or a checkpoint's signature is not by a
  trusted log key;
- `fork`: two checkpoint files of the same size with different roots;
- `checkpoint_file`: a file in the checkpoint directory is not a checkpoint;
- `tree_mismatch`: the stored Merkle tree does not match the events.

The replay of the events and the tree checks live in `audit.log_verification`.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _

from audit import merkle
from audit.chain import EVENT_FIELDS, stored_event_hash
from audit.chain_rows import stream_batches
from audit.models import GENESIS_HASH, AuditEvent


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
    checkpoint_files_checked: int = 0
    tree_size: int = 0
    root: str | None = None
    from_size: int = 0
    witnesses: list[str] = field(default_factory=list)
    compact: object = field(default=None, repr=False, compare=False)

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k != "compact"}

    def fail(self, problem: str, seq: int | None, detail: str) -> VerificationResult:
        self.ok, self.problem, self.first_bad_seq, self.detail = False, problem, seq, detail
        return self


class _StoredEvent:
    """The stored fields of one event: plain tuples from the database, without
    building model instances (a third faster over a million events)."""

    __slots__ = EVENT_FIELDS

    def __init__(self, values: tuple) -> None:
        for name, value in zip(self.__slots__, values, strict=True):
            setattr(self, name, value)


def _link_problem(event: _StoredEvent, expected_prev: str, previous_seq: int) -> tuple[str, str]:
    linked = AuditEvent.objects.filter(hash=event.prev_hash).values_list("seq", flat=True).first()
    if linked is not None and linked != previous_seq:
        return "out_of_order", _("event %(seq)s links to event %(linked)s, not to %(previous)s") % {
            "seq": event.seq,
            "linked": linked,
            "previous": previous_seq,
        }
    follower = AuditEvent.objects.filter(seq__gt=event.seq).order_by("seq").values_list("prev_hash", flat=True).first()
    if follower == expected_prev:
        return "inserted", _("event %(seq)s is not part of the chain: the next event links past it") % {
            "seq": event.seq
        }
    return "broken_link", _("event %(seq)s does not link to event %(previous)s") % {
        "seq": event.seq,
        "previous": previous_seq,
    }


def _edit_problem(event: _StoredEvent) -> tuple[str, str]:
    """An event that no longer matches its hash. The sequence number is inside
    the hash, so an event that was renumbered (an event inserted before it, or
    events reordered) is told apart from one whose content changed."""
    original_seq = event.seq
    try:
        for other in (event.seq - 1, event.seq + 1):
            event.seq = other
            if other > 0 and stored_event_hash(event) == event.hash:
                if other == original_seq - 1:
                    return "inserted", (
                        _(
                            "event %(seq)s was recorded as event %(other)s: "
                            "an event was inserted before it and the events after renumbered"
                        )
                        % {"seq": original_seq, "other": other}
                    )
                return "edited", (
                    _("event %(seq)s holds the content of event %(other)s: events were reordered or renumbered")
                    % {"seq": original_seq, "other": other}
                )
    finally:
        event.seq = original_seq
    return "edited", _("event %(seq)s does not match its hash: its content was changed") % {"seq": original_seq}


def stored_event(seq: int) -> _StoredEvent | None:
    values = AuditEvent.objects.filter(seq=seq).values_list(*_StoredEvent.__slots__).first()
    return None if values is None else _StoredEvent(values)


def _grow(compact: merkle.CompactRange, leaves: list[bytes], capture: frozenset[int], roots: dict) -> None:
    """Add a batch's leaves to the tree, keeping its root at the captured sizes."""
    start = compact.size
    stops = sorted(size for size in capture if start < size <= start + len(leaves))
    for size in stops:
        compact.extend(leaves[compact.size - start : size - start])
        roots[size] = compact.root()
    compact.extend(leaves[compact.size - start :])


def replay_events(
    *,
    start_seq: int = 0,
    expected_prev: str = GENESIS_HASH,
    compact: merkle.CompactRange | None = None,
    capture: frozenset[int] = frozenset(),
    chunk_size: int = 10000,
) -> tuple[VerificationResult, dict[int, bytes]]:
    """Replay the events after `start_seq`: each event's hash, its link to its
    predecessor, and (with `compact`, the tree of size `start_seq`) each leaf
    added to the tree, keeping its root at every size in `capture`."""
    expected_seq = start_seq + 1
    checked = 0
    roots: dict[int, bytes] = {}

    def failed(seq: int, problem: str, detail: str) -> tuple[VerificationResult, dict]:
        result = VerificationResult(False, checked, seq - 1 or None, expected_prev if seq - 1 else None)
        return result.fail(problem, seq, detail), roots

    # Rows come as text tuples hashed a batch at a time without building objects
    # (audit.chain_rows); a batch whose sequence numbers, hashes and links all
    # hold is checked with list comparisons, any other is walked row by row to
    # name the first problem, and a row is read through the ORM only to
    # describe what is wrong with it.
    for seqs, prevs, hashes, matches in stream_batches(after_seq=start_seq, batch_size=chunk_size):
        count = len(seqs)
        intact = (
            seqs[0] == expected_seq
            and seqs[-1] == expected_seq + count - 1  # seq is the key: increasing, so contiguous
            and all(matches)
            and prevs[0] == expected_prev
            and prevs[1:] == hashes[:-1]
        )
        if not intact:
            for seq, prev_hash, stored_hash, hash_matches in zip(seqs, prevs, hashes, matches, strict=True):
                if seq != expected_seq:
                    detail = _("event %(seq)s is missing (next present is %(next)s)") % {
                        "seq": expected_seq,
                        "next": seq,
                    }
                    return failed(expected_seq, "missing", detail)
                if not hash_matches:
                    return failed(seq, *_edit_problem(stored_event(seq)))
                if prev_hash != expected_prev:
                    return failed(seq, *_link_problem(stored_event(seq), expected_prev, seq - 1))
                checked += 1
                expected_seq += 1
                expected_prev = stored_hash
            raise AssertionError("a batch that is not intact has a first problem")  # pragma: no cover
        if compact is not None:
            sha, fromhex = hashlib.sha256, bytes.fromhex
            _grow(compact, [sha(b"\x00" + fromhex(h)).digest() for h in hashes], capture, roots)
        checked += count
        expected_seq += count
        expected_prev = hashes[-1]
    head = expected_seq - 1
    result = VerificationResult(True, checked, head or None, expected_prev if head else None)
    result.tree_size = head
    if compact is not None:
        result.root = compact.root().hex()
        result.compact = compact
    return result, roots


def verify_chain(*, chunk_size: int = 5000) -> VerificationResult:
    """Verify everything from the first event: the chain, the tree, every
    checkpoint row and every checkpoint file."""
    from audit.log_verification import verify_log

    return verify_log(full=True, chunk_size=chunk_size)
