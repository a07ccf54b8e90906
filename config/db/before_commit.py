"""Work that must run inside a transaction at its last moment, just before it commits.

The database backends in `config.db.sqlite3` and `config.db.postgresql` mix
this into Django's connection. A caller keeps pending rows in a per-connection
buffer (`transaction_buffer(name)`) and registers one callback per buffer
(`run_before_commit(name, fn)`); the connection calls it:

- just before the outermost transaction commits; and
- when the outermost atomic block *of the code under test* releases its
  savepoint inside a test case's wrapping transaction (pytest-django and
  Django's TestCase wrap each test in a transaction that is rolled back, so a
  real commit never comes; Django marks those blocks `_from_testcase`).

So the work is done by the time a service's own atomic block returns, in
production and in tests alike, and never depends on `on_commit` (which runs
after the commit, outside the transaction). A savepoint rolled back drops what
was buffered after it; a transaction rolled back drops everything.

The audit log uses this to take its serialising lock only for the last
milliseconds of a transaction (see `audit.services`).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction


class BeforeCommitMixin:
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._reset_before_commit()

    def _reset_before_commit(self) -> None:
        self._buffers: dict[str, list] = {}
        self._before_commit: dict[str, Callable[[], None]] = {}
        self._savepoint_marks: dict[str, dict[str, int]] = {}
        self._released_after_rollback: str | None = None

    # --- the API -----------------------------------------------------------
    def transaction_buffer(self, name: str) -> list:
        return self._buffers.setdefault(name, [])

    def run_before_commit(self, name: str, callback: Callable[[], None]) -> None:
        self._before_commit.setdefault(name, callback)

    def in_outermost_block_under_test(self) -> bool:
        """True when every open atomic block is a test case's wrapper: code
        running here has no transaction of its own to wait for."""
        return bool(self.atomic_blocks) and all(block._from_testcase for block in self.atomic_blocks)

    def flush_before_commit(self) -> None:
        """Run the registered callbacks now (inside the current transaction)."""
        while self._before_commit:
            name = next(iter(self._before_commit))
            callback = self._before_commit.pop(name)
            callback()
        # Whatever is buffered from now on was recorded after every open savepoint.
        for marks in self._savepoint_marks.values():
            for name in marks:
                marks[name] = 0

    # --- Django's transaction primitives ----------------------------------
    def commit(self) -> None:
        if self._before_commit:
            # Atomic.__exit__ has already left the block: re-enter one (no
            # savepoint) so the callbacks may use the ORM.
            try:
                with transaction.atomic(using=self.alias, savepoint=False):
                    self.flush_before_commit()
            except BaseException:
                self._reset_before_commit()
                raise
        super().commit()
        self._reset_before_commit()

    def rollback(self) -> None:
        self._reset_before_commit()
        super().rollback()

    def close(self) -> None:
        self._reset_before_commit()
        super().close()

    def savepoint(self):
        sid = super().savepoint()
        if sid is not None:
            self._savepoint_marks[sid] = {name: len(items) for name, items in self._buffers.items()}
        return sid

    def savepoint_rollback(self, sid) -> None:
        super().savepoint_rollback(sid)
        for name, mark in self._savepoint_marks.get(sid, {}).items():
            del self._buffers[name][mark:]
        for name, items in self._buffers.items():
            if name not in self._savepoint_marks.get(sid, {}):
                items.clear()  # the buffer was started after the savepoint
        for name in [n for n, items in self._buffers.items() if not items]:
            self._before_commit.pop(name, None)
        self._released_after_rollback = sid

    def savepoint_commit(self, sid) -> None:
        rolled_back = self._released_after_rollback == sid
        self._released_after_rollback = None
        if not rolled_back and self._before_commit and self.in_outermost_block_under_test():
            self.flush_before_commit()
        super().savepoint_commit(sid)
        self._savepoint_marks.pop(sid, None)
