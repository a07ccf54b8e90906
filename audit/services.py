"""Recording audit events.

`audit_record` is called explicitly by every service, inside the service's own
transaction, so the change and its event commit together or not at all.

The chain must stay linear, so appends are serialised; but the lock is taken
only at the last moment of the transaction. `audit_record` prepares the event
(its canonical payload, time, actor and address) and buffers it on the
database connection; the buffer is appended — lock, read the head, hash,
insert — just before the outermost atomic block commits (the connection runs
it, see `config/db/before_commit.py`), or when the service's own outermost
block returns inside a test's wrapping transaction, or when code in the same
transaction reads the audit table, or at an explicit `audit_flush()`. So a
transaction that records an event early and then works for seconds does not
hold up anyone else's appends, and every event is sequenced and readable by
the time the service that recorded it returns.
"""

from __future__ import annotations

import ipaddress
import json
import time

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone

from audit.chain import canonical_json, canonical_value, format_time, hash_pieces, stored_event_hash
from audit.context import client_ip
from audit.listeners import run_event_listeners
from audit.models import GENESIS_HASH, AuditEvent, TreeNode
from audit.offline_verify import HASHED_FIELDS
from audit.sealed_reasons import reason_sealer
from audit.tree import edge_nodes, new_nodes, right_edge_sql

# Any constant: the key of the PostgreSQL advisory lock that serialises appends.
_CHAIN_LOCK_KEY = 0x5641465F4155  # "VAF_AU"
_BUFFER = "audit.events"
_BUFFER_READS = (AuditEvent._meta.db_table, TreeNode._meta.db_table)  # reading these writes the buffer first
# The hashed fields an event has before it is numbered (hash_pieces' arguments).
_PIECE_FIELDS = tuple(name for name in HASHED_FIELDS if name not in ("seq", "prev_hash"))


class AuditOutsideTransaction(RuntimeError):
    pass


def _lock_chain_and_read_head(table: str) -> tuple[tuple[int, str] | None, dict]:
    """Serialise appends until the end of the transaction; read the head and
    the tree's right edge (the nodes the new leaves need).

    PostgreSQL: a transaction-scoped advisory lock, released as soon as the
    commit is written (the caller still waits for the disk), taken and
    followed by both reads in one round trip, so the serialised part of an
    append is that statement, one statement batch of inserts and the commit.
    SQLite: every transaction starts with BEGIN IMMEDIATE (config.settings),
    which already holds the database's single write lock.
    """
    head_sql = f"SELECT seq, hash FROM {table} ORDER BY seq DESC LIMIT 1"  # noqa: S608 (the model's own table)
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(head_sql)
            head = cursor.fetchone()
            cursor.execute(right_edge_sql())
            return head, edge_nodes(cursor.fetchall())
    early_release = hasattr(connection, "commit_before_flush")
    with connection.cursor() as cursor:
        # Check the deferred foreign keys now, before the lock: at COMMIT they
        # take row locks (KEY SHARE) that a writer waiting for this lock may
        # hold, and that would be a deadlock. Then release the lock when the
        # commit is written, not when it is on disk: commit() still waits for
        # the disk (config/db/postgresql). No parameters (the key is this
        # module's constant), so the statements go in one round trip.
        sync_off = f"{connection.relax_commit_sql}; " if early_release else ""
        lock = f"SELECT pg_advisory_xact_lock({int(_CHAIN_LOCK_KEY)}); SET CONSTRAINTS ALL DEFERRED; "
        cursor.execute(f"SET CONSTRAINTS ALL IMMEDIATE; {sync_off}{lock}{head_sql}; {right_edge_sql()}")
        results = [cursor.fetchall() if cursor.description else None]
        while cursor.nextset():
            results.append(cursor.fetchall() if cursor.description else None)
    if early_release:
        connection.commit_before_flush(already_set=True)
    head_rows, edge_rows = results[-2], results[-1]
    return (head_rows[0] if head_rows else None), edge_nodes(edge_rows)


def _normalised_ip(ip: str | None) -> str | None:
    """The client address as PostgreSQL's `inet` gives it back, so the hash
    stays verifiable: IPv6 compressed (RFC 5952), except that an address with
    its first 96 bits zero (and more than the last 16 set) or an IPv4-mapped
    one ends in dotted IPv4, as `inet_ntop` writes them. Anything that is not
    an address (a misconfigured proxy's header) is recorded as no address: it
    must not make the change it came with fail."""
    if not ip:
        return None
    try:
        address = ipaddress.ip_address(ip.strip().split("%", 1)[0])
    except ValueError:
        return None
    if address.version == 4:
        return str(address)
    words = [int.from_bytes(address.packed[i : i + 2], "big") for i in range(0, 16, 2)]
    dotted = str(ipaddress.IPv4Address(address.packed[12:]))
    if words[:6] == [0] * 6 and words[6]:
        return "::" + dotted
    if words[:5] == [0] * 5 and words[5] == 0xFFFF:
        return "::ffff:" + dotted
    return address.compressed


def _insert_statements() -> tuple[str, str, list]:
    """The INSERTs of audit rows and tree nodes, and the audit fields in
    column order (built once per vendor: the ORM's query compiler costs more
    than the insert). Each ends with its VALUES keyword: rows are appended."""
    fields = [f for f in AuditEvent._meta.concrete_fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    # Only the models' own table and column names go into the text; values are parameters.
    events = f"INSERT INTO {quote(AuditEvent._meta.db_table)} ({columns}) VALUES "  # noqa: S608
    nodes = f"INSERT INTO {quote(TreeNode._meta.db_table)} (level, {quote('index')}, hash) VALUES "  # noqa: S608
    return events, nodes, fields


_statements: dict[str, tuple[str, str, list]] = {}
_APPEND_SQL = "SELECT seq, prev_hash, hash FROM vaf_audit_append(%s::jsonb)"
_ROWS_PER_STATEMENT = 500


def _db_value(field, event: AuditEvent):
    if field.attname == "payload" and connection.vendor == "sqlite":
        # Stored as its canonical text, so verification can hash it as stored.
        return canonical_json(event.payload)
    if field.attname == "ip":
        # Already in the form that is hashed (_normalised_ip); the field's own
        # preparation would rewrite some IPv6 forms on SQLite.
        return event.ip
    return field.get_db_prep_save(getattr(event, field.attname), connection)


def _values(insert: str, rows: list[list]) -> tuple[str, list]:
    width = len(rows[0])
    row = "(" + ", ".join(["%s"] * width) + ")"
    return insert + ", ".join([row] * len(rows)), [value for r in rows for value in r]


def _server_side_binding() -> bool:
    return bool(connection.settings_dict["OPTIONS"].get("server_side_binding"))


def _insert(events: list[AuditEvent], nodes: list[tuple]) -> None:
    """Insert the events and their tree nodes: on PostgreSQL in one round trip
    (Django's client-side binding lets one execute carry several statements)."""
    if connection.vendor not in _statements:
        _statements[connection.vendor] = _insert_statements()
    events_sql, nodes_sql, fields = _statements[connection.vendor]
    rows = [[_db_value(f, event) for f in fields] for event in events]
    step = _ROWS_PER_STATEMENT
    batches = [_values(events_sql, rows[i : i + step]) for i in range(0, len(rows), step)]
    batches += [_values(nodes_sql, nodes[i : i + step]) for i in range(0, len(nodes), step)]
    together = connection.vendor == "postgresql" and not _server_side_binding()
    with connection.cursor() as cursor:
        if together and len(batches) <= 4:
            cursor.execute("; ".join(sql for sql, _ in batches), [v for _, params in batches for v in params])
        else:
            for sql, params in batches:
                cursor.execute(sql, params)


def _database():
    """The connection itself, looked up once per call: every use of Django's
    `connection` proxy looks it up again (a thread-local lookup), and writer
    threads share one interpreter lock."""
    return connections[DEFAULT_DB_ALIAS]


def _append_in_database(events: list[AuditEvent], db) -> None:
    """PostgreSQL: the whole serialised part is one statement. The events go
    to `vaf_audit_append` (audit/migrations/0004) with their canonical
    documents prepared here, before the lock; the function takes the lock,
    numbers, hashes and inserts them with their tree nodes, and returns the
    numbers and hashes. When this is the commit's flush, COMMIT goes in the
    same round trip: the lock is then held for the time the server takes to
    run the function and write its commit record: the commit is relaxed
    (`synchronous_commit = off`, released before the disk) and followed in the
    same batch by a statement that waits until it is on disk (the backend's
    `batch_commit_sql`, config/db/postgresql), so concurrent writers' flushes
    are grouped and none is flushed under the lock. If the batch fails after
    its COMMIT went through, the connection's commit completes Django's side
    and reports `CommittedDespiteError`."""
    rows = []
    for event in events:
        fields = {name: getattr(event, name) for name in _PIECE_FIELDS}
        head, middle = hash_pieces(**fields)
        fields["occurred_at"] = format_time(event.occurred_at)
        fields["actor_id"] = str(event.actor_id) if event.actor_id else None
        rows.append({**fields, "head": head, "middle": middle})
    # Several statements in one execute need Django's client-side binding.
    commit = (
        getattr(db, "flushing_at_commit", False)
        and hasattr(db, "batch_commit_sql")
        and not db.settings_dict["OPTIONS"].get("server_side_binding")
    )
    statements, params = _APPEND_SQL, [json.dumps(rows, ensure_ascii=False)]
    if commit:
        tail, tail_params = db.batch_commit_sql()  # the backend's own SQL; the same text every time
        statements, params = statements + tail, params + tail_params
    # psycopg's own cursor: Django's wrapper around it costs a fifth of this
    # function's CPU, which writer threads share under one interpreter lock.
    # Django's error translation, broken-transaction check and query log are kept.
    # Where code watches every statement through `connection.execute_wrapper`
    # (instrumentation, guards), Django's cursor runs it, so they see it too.
    db.validate_no_broken_transaction()
    watched = bool(db.execute_wrappers)
    log = db.queries_logged and not watched  # Django's cursor logs its own
    started = time.monotonic()
    cursor = db.cursor() if watched else db.connection.cursor()
    with db.wrap_database_errors, cursor:
        try:
            cursor.execute(statements, params)
        except Exception:
            if commit and db.batch_committed():
                db.committed_in_flush = True  # what failed came after the COMMIT
            raise
        finally:
            if log:
                db.queries_log.append({"sql": statements, "time": f"{time.monotonic() - started:.3f}"})
        if commit:
            db.committed_in_flush = True
        numbered = cursor.fetchall()
        while cursor.nextset():
            pass
        if commit:
            db.durable_lsn = cursor.fetchone()[0]  # the batch's last result: the wait for the disk
    if len(numbered) != len(events):
        raise RuntimeError(f"{len(events)} audit events sent, {len(numbered)} appended")
    for event, (seq, prev_hash, hash_) in zip(events, sorted(numbered), strict=True):
        event.seq, event.prev_hash, event.hash = seq, prev_hash, hash_


def _append_events(events: list[AuditEvent]) -> None:
    """The one place audit rows are inserted: under the chain lock, number the
    events after the current head, hash each over its predecessor, insert them
    with the Merkle tree nodes they add. On PostgreSQL the database does it in
    one statement, unless a reason must be sealed (its ciphertext depends on
    the number, and the key never goes to the database)."""
    if not events:
        return
    db = _database()
    if db.vendor == "postgresql" and not any(hasattr(e, "_reason_sealer") for e in events):
        _append_in_database(events, db)
        _mark_saved(events, db.alias)
        return
    head, edge = _lock_chain_and_read_head(connection.ops.quote_name(AuditEvent._meta.db_table))
    seq, prev_hash = head if head else (0, GENESIS_HASH)
    for event in events:
        seq += 1
        event.seq, event.prev_hash = seq, prev_hash
        sealer = getattr(event, "_reason_sealer", None)
        if sealer is not None:
            event.reason = sealer(seq)
            del event._reason_sealer
        event.hash = prev_hash = stored_event_hash(event)
    _insert(events, new_nodes(events, edge))
    _mark_saved(events, db.alias)


def _mark_saved(events: list[AuditEvent], alias: str) -> None:
    for event in events:
        event._state.adding = False
        event._state.db = alias


def audit_flush() -> None:
    """Append the events this transaction has recorded so far, now (taking the
    chain lock until the transaction ends). For code that must sign the head,
    or hand out sequence numbers, before its transaction ends."""
    if hasattr(connection, "flush_buffer"):
        connection.flush_buffer(_BUFFER)


def audit_record(
    *,
    action: str,
    actor=None,
    object_type: str = "",
    object_id: str = "",
    payload: dict | None = None,
    reason: str = "",
    reason_key=None,
) -> AuditEvent:
    """Record one event in the caller's transaction. Must run inside it.

    `payload` holds ids, states and amounts, and the names (never the values)
    of changed personal fields. A reason about a case is sealed under the
    case's data key: pass it as `reason_key` (audit.sealed_reasons); it is
    encrypted when the event gets its sequence number, never stored in clear.
    The event returned gets its `seq` and `hash` when it is appended, at the
    latest when the caller's transaction commits.
    """
    db = _database()
    if not db.in_atomic_block:
        raise AuditOutsideTransaction("audit_record must be called inside transaction.atomic().")
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    event = AuditEvent(
        occurred_at=timezone.now(),
        actor_id=actor.pk if is_user else None,
        actor_username=actor.get_username() if is_user else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id else "",
        payload=canonical_value(payload or {}),
        reason=reason or "",
        ip=_normalised_ip(client_ip.get()),
    )
    if reason and reason_key is not None:
        # Unwrap the key now: an erased case's key fails here, in the service,
        # not at commit. The text is sealed once `seq` is known (_append_events).
        event._reason_sealer = reason_sealer(reason, data_key=reason_key)
        event.reason = ""
    run_event_listeners(event, reason=reason or "")
    if not hasattr(db, "buffer_append"):
        _append_events([event])  # a backend without the before-commit buffer
        return event
    # Reading the log or its tree in this transaction appends the buffer first.
    db.buffer_append(_BUFFER, event, _append_events, reads=_BUFFER_READS)
    if db.in_outermost_block_under_test():
        audit_flush()  # a test recording directly: no transaction of its own to wait for
    return event


@transaction.atomic
def audit_record_now(**kwargs) -> AuditEvent:
    """audit_record in a transaction of its own, for events that change nothing
    else (a failed login, a page that revealed data)."""
    return audit_record(**kwargs)
