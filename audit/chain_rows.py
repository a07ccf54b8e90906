"""The stored chain streamed as text, hashed without building objects.

Verification is bounded by hashing, not by the database driver or Python
string work: the database hands over each event's canonical document in three
pieces of text — everything before the payload (keys in sorted order, strings
JSON-quoted, the time in the canonical UTC form), the payload, everything
after it — in large batches, so Python only joins them and hashes. On
PostgreSQL each batch is its own query over a range of the key, and the
next is run by a helper thread while this one is hashed, so the server
formats rows on one core while Python hashes on the other. (A server-side
cursor would not do: outside a transaction Django declares it WITH HOLD, and
PostgreSQL then builds every row before handing over the first.) On SQLite
new events store their payload in its canonical text and it is hashed as
stored; on PostgreSQL (`jsonb` reorders keys) it is parsed and re-encoded
with the `json` module's C code.

The database's formatting is only ever a shortcut: any row whose fast hash
does not match is hashed again the exact way (`audit.chain.stored_event_hash`
over the ORM's values) before it is called bad.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import queue
import threading
from collections.abc import Iterator

from django.db import connection

from audit.chain import EVENT_FIELDS, canonical_json, stored_event_hash
from audit.models import AuditEvent

# The document before and after the payload, in the canonical key order:
# action, actor_id, actor_username, ip, object_id, object_type, occurred_at,
# payload, prev_hash, reason, seq. JSON string quoting in both databases
# escapes exactly what `json.dumps(..., ensure_ascii=False)` escapes.
_SELECT = {
    "postgresql": (
        "seq, "
        "'{\"action\":' || to_json(action)::text"
        " || ',\"actor_id\":' || coalesce(to_json(actor_id)::text, 'null')"
        " || ',\"actor_username\":' || to_json(actor_username)::text"
        " || ',\"ip\":' || coalesce(to_json(host(ip))::text, 'null')"
        " || ',\"object_id\":' || to_json(object_id)::text"
        " || ',\"object_type\":' || to_json(object_type)::text"
        " || ',\"occurred_at\":\"' || to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"
        ' || \'+00:00","payload":\', '
        "payload::text, "
        "',\"prev_hash\":' || to_json(prev_hash)::text || ',\"reason\":' || to_json(reason)::text"
        " || ',\"seq\":' || seq::text || '}', "
        "prev_hash, hash"
    ),
    # Django stores a UUID as 32 hex digits and the time as naive UTC text
    # ("YYYY-MM-DD HH:MM:SS[.ffffff]"); json_quote(NULL) is 'null'.
    "sqlite": (
        "seq, "
        "'{\"action\":' || json_quote(action)"
        " || ',\"actor_id\":' || CASE WHEN actor_id IS NULL OR actor_id = '' THEN 'null'"
        " WHEN length(actor_id) = 32 THEN '\"' || substr(actor_id, 1, 8) || '-' || substr(actor_id, 9, 4) || '-'"
        " || substr(actor_id, 13, 4) || '-' || substr(actor_id, 17, 4) || '-' || substr(actor_id, 21) || '\"'"
        " ELSE json_quote(actor_id) END"
        " || ',\"actor_username\":' || json_quote(actor_username)"
        " || ',\"ip\":' || json_quote(ip)"
        " || ',\"object_id\":' || json_quote(object_id)"
        " || ',\"object_type\":' || json_quote(object_type)"
        " || ',\"occurred_at\":\"' || replace(occurred_at, ' ', 'T')"
        " || CASE WHEN length(occurred_at) = 19 THEN '.000000' ELSE '' END || '+00:00\",\"payload\":', "
        "payload, "
        "',\"prev_hash\":' || json_quote(prev_hash) || ',\"reason\":' || json_quote(reason)"
        " || ',\"seq\":' || seq || '}', "
        "prev_hash, hash"
    ),
}


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
    sha = hashlib.sha256
    if vendor == "postgresql":
        sql = f"SELECT {columns} FROM {table} WHERE seq > %s AND seq <= %s ORDER BY seq"  # noqa: S608 (the model's own table)
        after = f"SELECT min(seq) FROM {table} WHERE seq > %s"  # noqa: S608 (the model's own table)
        with connection.cursor() as cursor:
            # Reading the head appends this transaction's buffered events first
            # (config.db.before_commit): on this thread's connection, before the helper starts.
            cursor.execute(f"SELECT max(seq) FROM {table}")  # noqa: S608 (the model's own table)
            head = cursor.fetchone()[0] or 0
            # Closed (the helper stopped) before the cursor is, also on an error.
            with contextlib.closing(_prefetched(_ranges(cursor, sql, after, after_seq, head, batch_size))) as batches:
                yield from _hashed(batches, _postgresql_hashes)
        return
    sql = f"SELECT {columns} FROM {table} WHERE seq > %s ORDER BY seq"  # noqa: S608 (the model's own table)

    def hashes(rows):
        return [sha(f"{head}{payload}{tail}".encode()).hexdigest() for _s, head, payload, tail, *_ in rows]

    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, [after_seq])
        yield from _hashed(_fetched(cursor, batch_size), hashes)


def _hashed(batches: Iterator[list], hashes) -> Iterator[tuple[list, list, list, list]]:
    for rows in batches:
        stored = [row[5] for row in rows]
        computed = hashes(rows)
        matches = [True] * len(rows)
        if computed != stored:
            for i, row in enumerate(rows):
                if computed[i] != stored[i]:
                    matches[i] = _row_matches(row)
        yield [row[0] for row in rows], [row[4] for row in rows], stored, matches


def _fetched(cursor, batch_size: int) -> Iterator[list]:
    while rows := cursor.fetchmany(batch_size):
        yield rows


def _ranges(cursor, sql: str, after: str, after_seq: int, head: int, batch_size: int) -> Iterator[list]:
    """The rows after `after_seq` up to `head`, `batch_size` numbers at a time,
    each range one query (`sql` takes its bounds): a range query on the key is
    an index scan whatever the table's statistics say. Events appended after
    `head` was read are left for the next verification. After a range that
    holds no event, the next range starts at the next event there is (`after`
    finds it), so a gap costs one query however wide it is; the batch that
    follows shows it."""
    low = after_seq
    while low < head:
        high = min(low + batch_size, head)
        cursor.execute(sql, [low, high])
        if rows := cursor.fetchall():
            yield rows
            low = high
            continue
        cursor.execute(after, [low])
        following = cursor.fetchone()[0]
        if following is None:
            return
        low = following - 1


def _prefetched(batches: Iterator[list]) -> Iterator[list]:
    """The batches, each next one fetched by a helper thread while the caller
    hashes the current one (the driver waits without holding the GIL). Only
    the helper touches the cursor until it ends."""
    ready: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()

    def fetch():
        try:
            for rows in batches:
                ready.put(rows)
                if stop.is_set():
                    return
        except BaseException as exc:  # handed to the reading thread
            ready.put(exc)
        else:
            ready.put([])

    helper = threading.Thread(target=fetch, name="audit-verify-fetch", daemon=True)
    helper.start()
    try:
        while True:
            rows = ready.get()
            if isinstance(rows, BaseException):
                raise rows
            if not rows:
                return
            yield rows
    finally:
        stop.set()
        while helper.is_alive():
            with contextlib.suppress(queue.Empty):
                ready.get(timeout=0.05)
        helper.join()


def stream_rows(*, after_seq: int, batch_size: int = 10000) -> Iterator[tuple]:
    """(seq, prev_hash, hash, whether the hash matches the content) in seq order."""
    for batch in stream_batches(after_seq=after_seq, batch_size=batch_size):
        yield from zip(*batch, strict=True)


def _postgresql_hashes(rows: list[tuple]) -> list[str]:
    sha, scan, encode = hashlib.sha256, _scan, canonical_json
    try:
        # jsonb's text is always one whole JSON value: parsed without a check per row
        return [
            sha(f"{head}{encode(scan(payload, 0)[0])}{tail}".encode()).hexdigest()
            for _s, head, payload, tail, *_ in rows
        ]
    except (StopIteration, TypeError, ValueError):
        return [sha(f"{head}{_canonical(payload)}{tail}".encode()).hexdigest() for _s, head, payload, tail, *_ in rows]


def _canonical(payload_text: str | None) -> str:
    """A stored payload's text re-encoded canonically ("" if it is not JSON:
    the hash then differs and the exact path decides)."""
    try:
        value, end = _scan(payload_text, 0)
    except (StopIteration, TypeError, ValueError):
        return ""
    return canonical_json(value) if end == len(payload_text) else ""


_scan = json.JSONDecoder().scan_once  # json.loads without its wrapper's whitespace handling


def _row_matches(row: tuple) -> bool:
    """A row whose fast hash differs: over its payload re-encoded canonically
    (SQLite rows stored before payloads were kept canonical), then the exact way."""
    seq, head, payload, tail, _prev, stored = row
    if head is not None and tail is not None:
        canonical = _canonical(payload)
        if canonical and hashlib.sha256(f"{head}{canonical}{tail}".encode()).hexdigest() == stored:
            return True
    return _exact_matches(seq)


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
