"""Rows buffered in a transaction and written at its last moment, just before it commits.

The database backends in `config.db.sqlite3` and `config.db.postgresql` mix
this into Django's connection. A caller appends items to a named buffer with
the function that writes them (`buffer_append(name, item, write, reads=...)`);
the connection calls `write(items)` with the items not yet written:

- just before the outermost transaction commits;
- when the outermost atomic block *of the code under test* releases its
  savepoint inside a test case's wrapping transaction (pytest-django and
  Django's TestCase wrap each test in a transaction that is rolled back, so a
  real commit never comes; Django marks those blocks `_from_testcase`);
- before any statement of this connection that mentions one of the tables
  named in `reads` (so code in the same transaction — a caller wrapping
  several services in one atomic block, a verification — reads the rows as
  if they had been written at once; other connections cannot see
  uncommitted rows anyway); and
- at an explicit `flush_buffer(name)`.

While the commit's own flush writes the last pending buffer,
`flushing_at_commit` is true: that writer may end its statement batch with
COMMIT (the audit log does on PostgreSQL) and then sets `committed_in_flush`
(also when its batch failed after the COMMIT went through); the
connection's commit then finds the transaction already committed, and
finishes Django's side of it even if something failed after the COMMIT. The
failure is then reported as `CommittedDespiteError`, which is not a database
error: Django's atomic block does not answer it with a rollback (which would
forget the `on_commit` hooks of a transaction that did commit), and the
caller learns that the work is committed, so it must not simply retry it.

It never depends on `on_commit` (which runs after the commit, outside the
transaction). Savepoints are honoured: rolling one back forgets the items
recorded after it, and items recorded before it but written after it (their
rows are gone with the savepoint) are written again later.

The audit log uses this to take its serialising lock only for the last
milliseconds of a transaction (see `audit.services`).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction


class CommittedDespiteError(RuntimeError):
    """The transaction committed, but something after its COMMIT failed (for
    instance the wait for the disk, config.db.postgresql): the work is in the
    database and Django's commit, hooks included, has completed. Raise it
    `from` the failure (its text stays in the cause, out of this message)."""

    default_message = "The transaction committed; what followed its COMMIT failed (see the cause)."

    def __init__(self, message: str = default_message) -> None:
        super().__init__(message)


class BeforeCommitMixin:
    flushing_at_commit = False  # set while the commit's own flush writes the last buffer
    committed_in_flush = False  # set by a writer whose batch ended with COMMIT

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._reset_buffers()

    def _reset_buffers(self) -> None:
        self._buffers: dict[str, list] = {}  # every item recorded in this transaction
        self._written: dict[str, int] = {}  # how many of them are written
        self._writers: dict[str, tuple[Callable[[list], None], tuple[str, ...]]] = {}
        self._pending: set[str] = set()
        self._savepoint_marks: dict[str, dict[str, tuple[int, int]]] = {}
        self._released_after_rollback: str | None = None

    # --- the API -----------------------------------------------------------
    def buffer_append(self, name: str, item, write: Callable[[list], None], *, reads: tuple[str, ...] = ()) -> None:
        self._buffers.setdefault(name, []).append(item)
        self._written.setdefault(name, 0)
        self._writers[name] = (write, reads)
        self._pending.add(name)

    def flush_buffer(self, name: str) -> None:
        """Write the buffer's pending items now, inside the current transaction."""
        if name not in self._pending:
            return
        items = self._buffers[name]
        start, self._written[name] = self._written[name], len(items)
        self._pending.discard(name)
        self._writers[name][0](items[start:])

    def flush_buffers(self, *, at_commit: bool = False) -> None:
        while self._pending:
            name = next(iter(self._pending))
            # The last write before the commit may end the transaction in its
            # own statement batch (one round trip less for a lock held to the end).
            self.flushing_at_commit = at_commit and len(self._pending) == 1
            try:
                self.flush_buffer(name)
            finally:
                self.flushing_at_commit = False

    def in_outermost_block_under_test(self) -> bool:
        """True when every open atomic block is a test case's wrapper: code
        running here has no transaction of its own to wait for."""
        return bool(self.atomic_blocks) and all(block._from_testcase for block in self.atomic_blocks)

    def enclosed_only_by_test(self) -> bool:
        """True inside an atomic block whose enclosing blocks are all a test
        case's wrappers: when this block ends, nothing is left to commit."""
        return len(self.atomic_blocks) > 1 and all(block._from_testcase for block in self.atomic_blocks[:-1])

    def flush_before_reading(self, sql: str) -> None:
        for name in [n for n in self._pending if any(table in sql for table in self._writers[n][1])]:
            self.flush_buffer(name)

    # --- Django's cursors and transaction primitives ------------------------
    def _prepare_cursor(self, cursor):
        wrapped = super()._prepare_cursor(cursor)
        wrapped.__class__ = _flushing_class(type(wrapped))
        return wrapped

    def commit(self) -> None:
        # Django refuses a commit inside an atomic block; refuse it before the
        # buffers are written, since their writer may commit in its own batch.
        self.validate_thread_sharing()
        self.validate_no_atomic_block()
        if self._pending:
            # Atomic.__exit__ has already left the block: re-enter one (no
            # savepoint) so the writers may use the ORM.
            self.committed_in_flush = False
            try:
                with transaction.atomic(using=self.alias, savepoint=False):
                    self.flush_buffers(at_commit=True)
            except BaseException as failure:
                self._reset_buffers()
                if self.committed_in_flush:
                    # The server committed in the writer's batch and something
                    # failed after it: finish Django's commit too (its state
                    # follows the server, its on_commit hooks run), then report.
                    self.committed_in_flush = self.needs_rollback = False
                    super().commit()
                    raise CommittedDespiteError from failure
                raise
            self.committed_in_flush = False
        super().commit()
        self._reset_buffers()

    def rollback(self) -> None:
        self._reset_buffers()
        super().rollback()

    def close(self) -> None:
        self._reset_buffers()
        super().close()

    def savepoint(self):
        sid = super().savepoint()
        if sid is not None:
            self._savepoint_marks[sid] = {
                name: (len(items), self._written[name]) for name, items in self._buffers.items()
            }
        return sid

    def savepoint_rollback(self, sid) -> None:
        super().savepoint_rollback(sid)
        marks = self._savepoint_marks.get(sid, {})
        for name, items in self._buffers.items():
            recorded, written = marks.get(name, (0, 0))
            del items[recorded:]
            self._written[name] = min(self._written[name], written, len(items))
            if self._written[name] < len(items):
                self._pending.add(name)
            else:
                self._pending.discard(name)
        self._released_after_rollback = sid

    def savepoint_commit(self, sid) -> None:
        rolled_back = self._released_after_rollback == sid
        self._released_after_rollback = None
        if not rolled_back and self._pending and self.in_outermost_block_under_test():
            self.flush_buffers()
        super().savepoint_commit(sid)
        self._savepoint_marks.pop(sid, None)


class _FlushBeforeRead:
    """Mixed into Django's cursor wrappers: buffered rows whose tables a
    statement mentions are written before the statement runs."""

    def execute(self, sql, params=None):
        if self.db._pending:
            self.db.flush_before_reading(str(sql))
        return super().execute(sql, params)

    def executemany(self, sql, param_list):
        if self.db._pending:
            self.db.flush_before_reading(str(sql))
        return super().executemany(sql, param_list)


_flushing_classes: dict[type, type] = {}


def _flushing_class(wrapper: type) -> type:
    if issubclass(wrapper, _FlushBeforeRead):
        return wrapper
    if wrapper not in _flushing_classes:
        _flushing_classes[wrapper] = type(f"Flushing{wrapper.__name__}", (_FlushBeforeRead, wrapper), {})
    return _flushing_classes[wrapper]
