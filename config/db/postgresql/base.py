"""PostgreSQL, with work run just before a transaction commits (config.db.before_commit),
and commits that release a serialising lock before waiting for the disk.

A transaction-scoped lock (the audit chain's advisory lock) is held until the
commit ends, and a commit ends only when its WAL is on disk: every writer
queues behind one fsync at a time. A transaction that takes such a lock calls
`commit_before_flush()`: it then commits with `synchronous_commit = off`
(the lock is released as soon as the commit record is written, not flushed)
and, before `commit()` returns, runs a one-statement transaction that takes a
transaction id and the usual synchronous commit, which waits until the WAL up
to and past the first commit is flushed. So the caller still gets control back
only once its work is durable, the WAL order keeps everything chained after
it behind it, and concurrent writers' flushes are grouped by PostgreSQL.
"""

from django.db.backends.postgresql import base

from config.db.before_commit import BeforeCommitMixin


class DatabaseWrapper(BeforeCommitMixin, base.DatabaseWrapper):
    _wait_for_flush = False

    def commit_before_flush(self, *, already_set: bool = False) -> None:
        """Call inside the transaction that holds the lock (`already_set`: the
        caller has set synchronous_commit off in this transaction itself)."""
        if not self._wait_for_flush and not already_set:
            with self.cursor() as cursor:
                cursor.execute("SELECT set_config('synchronous_commit', 'off', true)")
        self._wait_for_flush = True

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            wait, self._wait_for_flush = self._wait_for_flush, False
        if wait:
            # One statement in autocommit mode is one round trip (no BEGIN, no COMMIT).
            with self.wrap_database_errors:
                autocommit, self.connection.autocommit = self.connection.autocommit, True
                try:
                    self.connection.execute("SELECT txid_current()")
                finally:
                    self.connection.autocommit = autocommit

    def rollback(self) -> None:
        self._wait_for_flush = False
        super().rollback()

    def close(self) -> None:
        self._wait_for_flush = False
        super().close()
