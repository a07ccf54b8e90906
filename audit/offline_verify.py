"""Verify an audit checkpoint, and optionally an export of the log, offline.

    python -m audit.offline_verify --vkey VKEY [--witness VKEY ...] CHECKPOINT_FILE [EXPORT_FILE]

For third parties: needs only the log's verifier key, `cryptography` and the
standard library (no Django, no database, no network). It checks that the
checkpoint is a signed note by the log's key (and reports which given
witnesses co-signed it); with an export (the auditor's JSON Lines export of
the events, from the first event), it recomputes every event's hash, the
links of the chain and the Merkle root of the checkpoint's size. Exit 0 when
everything matches; otherwise exit 1 naming the first problem (2 for bad
arguments or unreadable files).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from audit import merkle, notes
from audit.chain import event_hash

GENESIS_HASH = "0" * 64
HASHED_FIELDS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor_username",
    "action",
    "object_type",
    "object_id",
    "payload",
    "reason",
    "ip",
    "prev_hash",
)


class Problem(Exception):
    """The first thing that does not match."""


def verify_note(text: str, vkey: str, witness_vkeys: list[str]) -> tuple[notes.Checkpoint, list[str]]:
    log_key = notes.parse_verifier(vkey)
    witnesses = [notes.parse_verifier(w) for w in witness_vkeys]
    try:
        parsed = notes.parse_note(text)
        body = parsed.checkpoint()
    except notes.NoteError as exc:
        raise Problem(f"the checkpoint is malformed: {exc}") from None
    if body.origin != log_key.name:
        raise Problem(f"the checkpoint is for the log {body.origin!r}, not {log_key.name!r}")
    if not parsed.signed_by(log_key):
        raise Problem("the checkpoint is not signed by the log's key (forged, or re-signed with another key)")
    return body, [w.name for w in witnesses if parsed.signed_by(w)]


def _events(lines: Iterator[str]) -> Iterator[dict]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            raise Problem(f"line {number} of the export is not JSON") from None
        if not isinstance(event, dict) or any(k not in event for k in (*HASHED_FIELDS, "hash")):
            raise Problem(f"line {number} of the export is not an audit event")
        yield event


def _recomputed_hash(event: dict) -> str:
    fields = {name: event[name] for name in HASHED_FIELDS}
    fields["occurred_at"] = dt.datetime.fromisoformat(fields["occurred_at"])
    return event_hash(**fields)


def verify_export(lines: Iterator[str], checkpoint: notes.Checkpoint) -> int:
    """Replay the export; returns the number of events checked."""
    compact = merkle.CompactRange()
    expected_prev, expected_seq, root_checked = GENESIS_HASH, 1, False
    for event in _events(lines):
        seq = event["seq"]
        if seq != expected_seq:
            raise Problem(f"event {expected_seq} is missing or out of order (found event {seq})")
        try:
            recomputed = _recomputed_hash(event)
        except (TypeError, ValueError):
            raise Problem(f"event {seq} has malformed fields") from None
        if recomputed != event["hash"]:
            raise Problem(f"event {seq} does not match its hash: its content was changed")
        if event["prev_hash"] != expected_prev:
            raise Problem(f"event {seq} does not link to event {seq - 1}")
        compact.append(merkle.leaf_hash(event["hash"]))
        if seq == checkpoint.size:
            if compact.root() != checkpoint.root:
                raise Problem(
                    f"the Merkle root of the first {seq} events differs from the checkpoint's: the log was rewritten"
                )
            root_checked = True
        expected_prev, expected_seq = event["hash"], seq + 1
    if not root_checked:
        raise Problem(f"the export holds {expected_seq - 1} events, fewer than the checkpoint's {checkpoint.size}")
    return expected_seq - 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m audit.offline_verify", description=__doc__.split("\n\n")[0])
    parser.add_argument("--vkey", required=True, help="the log's verifier key (name+keyid+base64)")
    parser.add_argument("--witness", action="append", default=[], help="a witness's verifier key (repeatable)")
    parser.add_argument("checkpoint", type=Path, help="a checkpoint file (a signed note)")
    parser.add_argument("export", type=Path, nargs="?", help="the JSON Lines export of the log, from event 1")
    args = parser.parse_args(argv)
    try:
        text = args.checkpoint.read_text(encoding="utf-8")
        checkpoint, cosigned = verify_note(text, args.vkey, args.witness)
        checked = None
        if args.export:
            with args.export.open(encoding="utf-8") as handle:
                checked = verify_export(handle, checkpoint)
    except notes.NoteError as exc:
        print(f"FAILED: a key given is malformed: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"FAILED: cannot read {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    except Problem as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    print(f"OK: checkpoint of {checkpoint.origin} at tree size {checkpoint.size} is signed by the log's key.")
    missing = sorted({notes.parse_verifier(w).name for w in args.witness} - set(cosigned))
    if args.witness:
        print(f"Co-signed by: {', '.join(cosigned) or 'none of the given witnesses'}.")
    if checked is not None:
        print(f"OK: {checked} exported events recomputed and linked; the Merkle root matches the checkpoint.")
    if missing:
        print(f"FAILED: not co-signed by the witness(es): {', '.join(missing)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
