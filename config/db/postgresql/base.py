"""PostgreSQL, with work run just before a transaction commits (config.db.before_commit),
and commits that release a serialising lock before waiting for the disk.

A transaction-scoped lock (the audit chain's advisory lock) is held until the
commit ends, and a commit ends only when its WAL is on disk: every writer
would queue behind one fsync at a time, and PostgreSQL could never group
their flushes. A transaction that takes such a lock commits with
`synchronous_commit = off` instead, so the lock is released as soon as the
commit record is written, and then, before control returns to the caller,
runs `WAIT_FOR_DISK`: a one-statement transaction that writes a WAL record
and commits as the session's `synchronous_commit` says (on by default), so
it waits until the WAL up to and past the first commit is flushed (and, with
synchronous standbys, replicated). The caller still gets control back only
once its work is durable; the WAL order keeps everything chained after it
behind it (a later writer's commit cannot reach the disk before this one);
and concurrent writers' flushes are grouped by PostgreSQL. Between its
commit and the flush (normally one flush's time) other sessions can already
read the work; a crash in that moment loses it like any commit that had not
reached the disk, and the caller, still waiting, gets an error, not a success.

Why a logical message: a transaction that only takes a transaction id
(`SELECT txid_current()`) writes no WAL before its commit record, and
PostgreSQL commits such a transaction without waiting for the flush; a
transactional `pg_logical_emit_message` writes a record, so its commit waits.
The message (prefix `vaf.durable`) is empty and carries nothing about the
work; logical-decoding consumers that ask for messages will see it. It is
PostgreSQL's to grant; by default every role may run it (`grant_web_role`
checks the web role can).

Two ways in:
- `commit_before_flush()`, called inside the transaction: `commit()` then
  runs the wait after Django's commit (one more round trip);
- `batch_commit_sql()`: SQL (and its parameters) a writer that commits in
  its own statement batch (config.db.before_commit, `flushing_at_commit`)
  puts after its last statement, so the relaxed commit and the wait cost
  no round trip. If that batch fails, `batch_committed()` tells whether
  its COMMIT went through (the batch also sets a session mark, which
  survives only a commit).

If the wait fails after the commit went through, the caller gets
`CommittedDespiteError` (config.db.before_commit): Django's commit completes
and its hooks run (on a new connection if the old one died); the error says
the work is in the database. One case cannot be told: a connection lost
during a batch, after its COMMIT was sent. The mark went with the session,
so the caller gets the database's error, as for any commit whose answer was
lost, and the work may or may not be in (an API retry with the same
Idempotency-Key is safe either way).
"""

import logging
import secrets

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus

from config.db.before_commit import BeforeCommitMixin, CommittedDespiteError

WAIT_FOR_DISK = "SELECT pg_logical_emit_message(true, 'vaf.durable', '')"
RELAX_THIS_COMMIT = "SELECT set_config('synchronous_commit', 'off', true)"
_MARK = "vaf.commit_mark"
logger = logging.getLogger(__name__)


class DatabaseWrapper(BeforeCommitMixin, base.DatabaseWrapper):
    relax_commit_sql = RELAX_THIS_COMMIT  # for writers that send it in a batch of their own
    durable_lsn = None  # the WAL position the last wait for the disk saw flushed
    _wait_for_flush = False
    _commit_mark = None

    def commit_before_flush(self, *, already_set: bool = False) -> None:
        """Call inside the transaction that holds the lock (`already_set`: the
        caller has set synchronous_commit off in this transaction itself)."""
        if not self._wait_for_flush and not already_set:
            with self.cursor() as cursor:
                cursor.execute(RELAX_THIS_COMMIT)
        self._wait_for_flush = True

    def batch_commit_sql(self) -> tuple[str, list[str]]:
        """Statements to end a batch with, and their parameters: relax this
        transaction's commit, mark it, COMMIT, then wait for the disk (its
        result is the batch's last). The mark is a parameter, so the text is
        the same on every call and psycopg parses it once (its cache is by text)."""
        self._commit_mark = secrets.token_hex(16)
        return f"; {RELAX_THIS_COMMIT}, set_config('{_MARK}', %s, false); COMMIT; {WAIT_FOR_DISK}", [self._commit_mark]

    def batch_committed(self) -> bool:
        """After a batch ending with `batch_commit_sql()` failed: did its COMMIT
        go through? (False when the connection cannot tell any more.)"""
        mark, self._commit_mark = self._commit_mark, None
        try:
            if self.connection.info.transaction_status != TransactionStatus.IDLE:
                return False  # the batch failed before its COMMIT: still in the failed transaction
            row = self._run_alone(f"SELECT current_setting('{_MARK}', true)")
        except Exception:  # the connection is gone: nobody can tell
            return False
        return mark is not None and row is not None and row[0] == mark

    def _run_alone(self, statement: str):
        """One statement in autocommit mode: one round trip, no BEGIN, no COMMIT."""
        raw = self.connection
        autocommit, raw.autocommit = raw.autocommit, True
        try:
            return raw.execute(statement).fetchone()
        finally:
            if not raw.broken:  # a lost connection takes no settings; close() drops it
                raw.autocommit = autocommit

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            wait, self._wait_for_flush = self._wait_for_flush, False
        if wait:
            try:
                with self.wrap_database_errors:
                    self.durable_lsn = self._run_alone(WAIT_FOR_DISK)[0]
            except Exception as failure:
                # Committed already: Django's commit has completed; say so.
                if self.connection is not None and self.connection.broken:
                    self._replace_lost_connection()
                raise CommittedDespiteError from failure

    def _replace_lost_connection(self) -> None:
        """The connection died after a commit: drop it, and run the commit's
        hooks on a new one (Django would otherwise run them on the dead one,
        or forget them when it closes it)."""
        hooks, self.run_on_commit = self.run_on_commit, []
        self.run_commit_hooks_on_set_autocommit_on = False
        self.close()
        try:
            self.ensure_connection()  # autocommit, as after any commit
        except Exception:
            logger.exception("The database connection was lost after a commit; its on_commit hooks did not run.")
            return
        self.run_on_commit = hooks
        self.run_and_clear_commit_hooks()

    def rollback(self) -> None:
        self._wait_for_flush = False
        super().rollback()

    def close(self) -> None:
        self._wait_for_flush = False
        super().close()
