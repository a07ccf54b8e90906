"""SQLite, with work run just before a transaction commits (config.db.before_commit)."""

from django.db.backends.sqlite3 import base

from config.db.before_commit import BeforeCommitMixin


class DatabaseWrapper(BeforeCommitMixin, base.DatabaseWrapper):
    pass
