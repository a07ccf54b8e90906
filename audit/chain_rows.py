"""The stored chain streamed as text, hashed without building objects.

Verification is bounded by hashing, not by the database driver: rows come as
plain tuples in large batches (a server-side cursor on PostgreSQL), already
in the text the canonical form needs (PostgreSQL formats the time and the
ids; on SQLite they are stored as text and only reshaped), and the canonical
document is assembled directly in its sorted key order with the same string
encoder `json` uses. Any row whose fast hash does not match is hashed again
the exact way (`audit.chain.stored_event_hash` over the ORM's values) before
it is called bad, so the fast path can only ever be a shortcut.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from json.encoder import encode_basestring as _text  # the encoder json.dumps uses with ensure_ascii=False

from django.db import connection

from audit.chain import EVENT_FIELDS, canonical_json, stored_event_hash
from audit.models import AuditEvent

_SELECT = {
    # Plain text columns: the cheapest for the server to send and the driver to
    # hand over; Python reshapes the time (the session runs in UTC).
    "postgresql": (
        "seq, occurred_at::text, actor_id::text, actor_username, action, object_type, object_id, payload::text, "
        "reason, host(ip), prev_hash, hash"
    ),
    # CAST: the column's declared type would make the driver parse the time.
    "sqlite": (
        "seq, CAST(occurred_at AS TEXT), actor_id, actor_username, action, object_type, object_id, payload, "
        "reason, ip, prev_hash, hash"
    ),
}


def _postgresql_time(stored: str) -> str:
    # "YYYY-MM-DD HH:MM:SS[.f…]+00": trailing zeros of the fraction are dropped.
    moment, _sep, offset = stored.partition("+")
    if offset != "00":
        return stored  # not UTC: the fast hash will not match and the exact path decides
    moment, _dot, fraction = moment.partition(".")
    return f"{moment.replace(' ', 'T', 1)}.{fraction:0<6}+00:00"


def _sqlite_time(stored: str) -> str:
    # Django stores naive UTC as "YYYY-MM-DD HH:MM:SS[.ffffff]".
    text = stored.replace(" ", "T", 1)
    return (text + ".000000+00:00") if len(text) == 19 else (text + "+00:00")


def _sqlite_uuid(stored: str | None) -> str | None:
    if not stored or len(stored) != 32:
        return stored
    return f"{stored[:8]}-{stored[8:12]}-{stored[12:16]}-{stored[16:20]}-{stored[20:]}"


def fast_hash(row: tuple, payload_text: str) -> str:
    """SHA-256 of the canonical document of a streamed row, keys in sorted order."""
    seq, occurred_at, actor_id, username, action, object_type, object_id, _p, reason, ip, prev_hash, _h = row
    document = "".join(
        (
            '{"action":',
            _text(action),
            ',"actor_id":',
            _text(actor_id) if actor_id else "null",
            ',"actor_username":',
            _text(username),
            ',"ip":',
            _text(ip) if ip is not None else "null",
            ',"object_id":',
            _text(object_id),
            ',"object_type":',
            _text(object_type),
            ',"occurred_at":',
            _text(occurred_at),
            ',"payload":',
            payload_text,
            ',"prev_hash":',
            _text(prev_hash),
            ',"reason":',
            _text(reason),
            ',"seq":',
            str(seq),
            "}",
        )
    )
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


def stream_rows(*, after_seq: int, batch_size: int = 10000) -> Iterator[tuple]:
    """(seq, prev_hash, hash, whether the hash matches the content) in seq order."""
    vendor = connection.vendor
    columns = _SELECT.get(vendor)
    if columns is None:
        yield from _exact_rows(after_seq)
        return
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    sql = f"SELECT {columns} FROM {table} WHERE seq > %s ORDER BY seq"  # noqa: S608 (the model's own table)
    sqlite = vendor == "sqlite"
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, [after_seq])
        while rows := cursor.fetchmany(batch_size):
            if sqlite:
                yield from map(_sqlite_row, rows)
            else:
                yield from map(_postgresql_row, rows)


def _sqlite_row(row: tuple) -> tuple:
    row = (row[0], _sqlite_time(row[1]), _sqlite_uuid(row[2]), *row[3:])
    # New rows store the canonical payload text: no parsing needed.
    matches = fast_hash(row, row[7]) == row[11] or _canonical_payload_matches(row) or _exact_matches(row[0])
    return row[0], row[10], row[11], matches


def _postgresql_row(row: tuple) -> tuple:
    row = (row[0], _postgresql_time(row[1]), *row[2:])
    payload = _parse(row[7])
    matches = payload is not None and fast_hash(row, canonical_json(payload[0])) == row[11]
    return row[0], row[10], row[11], matches or _exact_matches(row[0])


def _parse(text: str):
    try:
        value, end = _scan(text, 0)
    except (StopIteration, TypeError, ValueError):
        return None
    return (value,) if end == len(text) else None


_scan = json.JSONDecoder().scan_once  # json.loads without its wrapper's whitespace handling


def _canonical_payload_matches(row: tuple) -> bool:
    """Hash the row over its payload parsed and re-encoded canonically."""
    payload = _parse(row[7])
    return payload is not None and fast_hash(row, canonical_json(payload[0])) == row[11]


def _exact_matches(seq: int) -> bool:
    """The reference path, for a row the fast path could not confirm."""
    from audit.verification import stored_event

    event = stored_event(seq)
    return event is not None and stored_event_hash(event) == event.hash


def _exact_rows(after_seq: int) -> Iterator[tuple]:
    rows = AuditEvent.objects.filter(seq__gt=after_seq).order_by("seq").values_list(*EVENT_FIELDS)
    for values in rows.iterator(chunk_size=2000):
        from audit.verification import _StoredEvent

        event = _StoredEvent(values)
        yield event.seq, event.prev_hash, event.hash, stored_event_hash(event) == event.hash
