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


def stream_batches(*, after_seq: int, batch_size: int = 10000) -> Iterator[tuple[list, list, list, list]]:
    """Batches of (seqs, prev_hashes, hashes, whether each hash matches its
    content), in seq order. Each batch is hashed in one pass over plain
    tuples; only rows whose fast hash differs are looked at one by one."""
    vendor = connection.vendor
    columns = _SELECT.get(vendor)
    if columns is None:
        yield from _exact_batches(after_seq, batch_size)
        return
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    sql = f"SELECT {columns} FROM {table} WHERE seq > %s ORDER BY seq"  # noqa: S608 (the model's own table)
    documents = _sqlite_documents if vendor == "sqlite" else _postgresql_documents
    sha = hashlib.sha256
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, [after_seq])
        while rows := cursor.fetchmany(batch_size):
            stored = [row[11] for row in rows]
            computed = [sha(document.encode()).hexdigest() for document in documents(rows)]
            matches = [True] * len(rows)
            if computed != stored:
                for i, row in enumerate(rows):
                    if computed[i] != stored[i]:
                        matches[i] = _row_matches(vendor, row)
            yield [row[0] for row in rows], [row[10] for row in rows], stored, matches


def stream_rows(*, after_seq: int, batch_size: int = 10000) -> Iterator[tuple]:
    """(seq, prev_hash, hash, whether the hash matches the content) in seq order."""
    for batch in stream_batches(after_seq=after_seq, batch_size=batch_size):
        yield from zip(*batch, strict=True)


def _document(seq, occurred_at, actor, username, action, object_type, object_id, payload, reason, ip, prev) -> str:
    # The canonical document (json.dumps with sorted keys, no spaces, no ASCII
    # escaping) written out in its key order; `actor`, `ip` and `payload` are
    # already JSON text.
    return (
        f'{{"action":{_text(action)},"actor_id":{actor},"actor_username":{_text(username)},"ip":{ip},'
        f'"object_id":{_text(object_id)},"object_type":{_text(object_type)},"occurred_at":{_text(occurred_at)},'
        f'"payload":{payload},"prev_hash":{_text(prev)},"reason":{_text(reason)},"seq":{seq}}}'
    )


def _sqlite_documents(rows: list[tuple]) -> Iterator[str]:
    # New rows store the canonical payload text: hashed as stored.
    for seq, at, actor, username, action, object_type, object_id, payload, reason, ip, prev, _h in rows:
        yield _document(
            seq,
            _sqlite_time(at),
            _text(_sqlite_uuid(actor)) if actor else "null",
            username,
            action,
            object_type,
            object_id,
            payload,
            reason,
            "null" if ip is None else _text(ip),
            prev,
        )


def _postgresql_documents(rows: list[tuple]) -> Iterator[str]:
    # jsonb reorders keys: the payload is parsed and re-encoded canonically.
    for seq, at, actor, username, action, object_type, object_id, payload, reason, ip, prev, _h in rows:
        parsed = _parse(payload)
        yield _document(
            seq,
            _postgresql_time(at),
            _text(actor) if actor else "null",
            username,
            action,
            object_type,
            object_id,
            "" if parsed is None else canonical_json(parsed[0]),
            reason,
            "null" if ip is None else _text(ip),
            prev,
        )


def _row_matches(vendor: str, row: tuple) -> bool:
    """A row whose fast hash differs: the canonical payload (SQLite rows
    stored before payloads were kept canonical), then the exact path."""
    if vendor == "sqlite":
        row = (row[0], _sqlite_time(row[1]), _sqlite_uuid(row[2]), *row[3:])
        if _canonical_payload_matches(row):
            return True
    return _exact_matches(row[0])


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


def _exact_batches(after_seq: int, batch_size: int) -> Iterator[tuple[list, list, list, list]]:
    from audit.verification import _StoredEvent

    rows = AuditEvent.objects.filter(seq__gt=after_seq).order_by("seq").values_list(*EVENT_FIELDS)
    batch: list[_StoredEvent] = []
    for values in rows.iterator(chunk_size=2000):
        batch.append(_StoredEvent(values))
        if len(batch) == batch_size:
            yield _exact_batch(batch)
            batch = []
    if batch:
        yield _exact_batch(batch)


def _exact_batch(events: list) -> tuple[list, list, list, list]:
    return (
        [e.seq for e in events],
        [e.prev_hash for e in events],
        [e.hash for e in events],
        [stored_event_hash(e) == e.hash for e in events],
    )
