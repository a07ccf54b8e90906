"""The canonical encoding and hash of an audit event.

Written here rather than taken from a library: the chain's format is part of
the evidence an auditor checks, so it must be small, fixed and documented:
SHA-256 over UTF-8 JSON with sorted keys, no whitespace, times in UTC ISO-8601
with microseconds, and `prev_hash` included so each event commits to the one
before it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from json.encoder import c_make_encoder, encode_basestring
from typing import Any

# The fields of an audit event, in the order exports and the API show them:
# the evidence format, defined once. `hash` covers all the others.
EVENT_FIELDS = (
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
    "hash",
)


def canonical_value(value: Any) -> Any:
    """Normalise a payload value to the JSON types that survive a database round trip."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): canonical_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [canonical_value(v) for v in value]
    if hasattr(value, "hex") and type(value).__name__ == "UUID":
        return str(value)
    raise TypeError(f"Audit payload values must be JSON text, numbers or lists, not {type(value).__name__}.")


# One encoder, built once: json.dumps with options builds a new one per call.
CANONICAL_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
# The same encoder's C core, called directly (the Python wrapper costs a quarter
# of the time on an event); identical output, checked by the tests.
_c_encode = (
    c_make_encoder(None, CANONICAL_JSON.default, encode_basestring, None, ":", ",", True, False, True)
    if c_make_encoder
    else None
)


def canonical_json(value: Any) -> str:
    if _c_encode is None or isinstance(value, str):
        return CANONICAL_JSON.encode(value)
    return "".join(_c_encode(value, 0))


def format_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def event_hash(
    *,
    seq: int,
    occurred_at: dt.datetime,
    actor_id: str | None,
    actor_username: str,
    action: str,
    object_type: str,
    object_id: str,
    payload: dict,
    reason: str,
    ip: str | None,
    prev_hash: str,
) -> str:
    document = _unnumbered_document(occurred_at, actor_id, actor_username, action, object_type, object_id, payload, ip)
    document.update(seq=seq, reason=reason, prev_hash=prev_hash)
    return hashlib.sha256(canonical_json(document).encode("utf-8")).hexdigest()


def hash_pieces(
    *,
    occurred_at: dt.datetime,
    actor_id: str | None,
    actor_username: str,
    action: str,
    object_type: str,
    object_id: str,
    payload: dict,
    reason: str,
    ip: str | None,
) -> tuple[str, str]:
    """The canonical document of `event_hash` without the two values known
    only once the event is numbered, as (head, middle): the document is
    `head + prev_hash + middle + str(seq) + "}"`. `prev_hash`, `reason` and
    `seq` sort after every other key, and a hash is hex (nothing to quote), so
    the database can finish the document under the append lock."""
    before = _unnumbered_document(occurred_at, actor_id, actor_username, action, object_type, object_id, payload, ip)
    return canonical_json(before)[:-1] + ',"prev_hash":"', '","reason":' + canonical_json(reason) + ',"seq":'


def _unnumbered_document(occurred_at, actor_id, actor_username, action, object_type, object_id, payload, ip) -> dict:
    """The hashed fields an event has before it is numbered (all but `seq`,
    `prev_hash` and `reason`, which sort after them), in canonical form."""
    return {
        "occurred_at": format_time(occurred_at),
        "actor_id": str(actor_id) if actor_id else None,
        "actor_username": actor_username,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "payload": payload,
        "ip": ip,
    }


def stored_event_hash(event) -> str:
    """Recompute the hash of a stored AuditEvent from its fields."""
    return event_hash(
        seq=event.seq,
        occurred_at=event.occurred_at,
        actor_id=event.actor_id,
        actor_username=event.actor_username,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        payload=event.payload,
        reason=event.reason,
        ip=event.ip,
        prev_hash=event.prev_hash,
    )
