"""PostgreSQL, with work run just before a transaction commits (config.db.before_commit)."""

from django.db.backends.postgresql import base

from config.db.before_commit import BeforeCommitMixin


class DatabaseWrapper(BeforeCommitMixin, base.DatabaseWrapper):
    pass
