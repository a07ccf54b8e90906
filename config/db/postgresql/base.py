"""PostgreSQL, with work run just before a transaction commits (config.db.before_commit),
and commits that release a serialising lock before waiting for the disk.

A transaction-scoped lock (the audit chain's advisory lock) is held until the
commit ends, and a commit ends only when its WAL is on disk: every writer
would queue behind one fsync at a time, and PostgreSQL could never group
their flushes. A transaction that takes such a lock commits with
`synchronous_commit = off` instead, so the lock is released as soon as the
commit record is written, and then, before control returns to the caller,
runs `WAIT_FOR_DISK`: a one-statement transaction that writes a WAL record
and commits synchronously, so it waits until the WAL up to and past the
first commit is flushed. The caller still gets control back only once its
work is durable; the WAL order keeps everything chained after it behind it
(a later writer's commit cannot reach the disk before this one); and
concurrent writers' flushes are grouped by PostgreSQL.

Why a logical message: a transaction that only takes a transaction id
(`SELECT txid_current()`) writes no WAL before its commit record, and
PostgreSQL commits such a transaction without waiting for the flush; a
transactional `pg_logical_emit_message` writes a record, so its commit waits.
The message is empty and carries nothing about the work.

Two ways in:
- `commit_before_flush()`, called inside the transaction: `commit()` then
  runs the wait after Django's commit (one more round trip);
- `COMMIT_THEN_WAIT_FOR_DISK`: SQL a writer that commits in its own
  statement batch (config.db.before_commit, `flushing_at_commit`) puts after
  its last statement, so the relaxed commit and the wait cost no round trip.
"""

from django.db.backends.postgresql import base

from config.db.before_commit import BeforeCommitMixin

WAIT_FOR_DISK = "SELECT pg_logical_emit_message(true, 'vaf.durable', '')"
RELAX_THIS_COMMIT = "SELECT set_config('synchronous_commit', 'off', true)"


class DatabaseWrapper(BeforeCommitMixin, base.DatabaseWrapper):
    COMMIT_THEN_WAIT_FOR_DISK = f"{RELAX_THIS_COMMIT}; COMMIT; {WAIT_FOR_DISK}"
    _wait_for_flush = False

    def commit_before_flush(self, *, already_set: bool = False) -> None:
        """Call inside the transaction that holds the lock (`already_set`: the
        caller has set synchronous_commit off in this transaction itself)."""
        if not self._wait_for_flush and not already_set:
            with self.cursor() as cursor:
                cursor.execute(RELAX_THIS_COMMIT)
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
                    self.connection.execute(WAIT_FOR_DISK)
                finally:
                    self.connection.autocommit = autocommit

    def rollback(self) -> None:
        self._wait_for_flush = False
        super().rollback()

    def close(self) -> None:
        self._wait_for_flush = False
        super().close()
