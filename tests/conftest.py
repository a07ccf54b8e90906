"""Test harness.

- Fresh vault and checkpoint keys for each run (never the developer's keys).
- Transactional tests reset the database with DELETE (SQLite) or TRUNCATE
  (PostgreSQL), which the append-only triggers refuse. The flush alone runs
  with those triggers suspended: on PostgreSQL through
  `session_replication_role = replica` for that transaction, on SQLite by
  dropping and recreating them around the flush. The application's
  protection is never weakened: every other statement meets the triggers.
"""

from __future__ import annotations

import base64
import os

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import settings as hypothesis_settings

# `make soak` runs the state machines with `--hypothesis-profile=soak`.
SOAK_EXAMPLES, SOAK_STEPS = 1000, 50
hypothesis_settings.register_profile("soak", max_examples=SOAK_EXAMPLES, stateful_step_count=SOAK_STEPS)


def state_machine_budget(examples: int, steps: int) -> dict:
    """The routine budget of a state-machine test, or the soak's under `make soak`."""
    if hypothesis_settings.default.max_examples >= SOAK_EXAMPLES:
        return {"max_examples": SOAK_EXAMPLES, "stateful_step_count": SOAK_STEPS}
    return {"max_examples": examples, "stateful_step_count": steps}


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


TEST_MASTER_KEYS = f"test-mk1:{_b64(os.urandom(32))}"
TEST_BLIND_INDEX_KEY = _b64(os.urandom(32))
TEST_SIGNING_KEY = _b64(
    Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
)


def _suspend_append_only_triggers_during_flush() -> None:
    from django.db import connections

    from audit.append_only import append_only_tables, trigger_sql

    def wrap(ops_class):
        original = ops_class.sql_flush

        def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
            statements = original(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
            protected = [t for t in append_only_tables() if t in tables]
            if not protected or not statements:
                return statements
            if self.connection.vendor == "postgresql":
                return ["SET LOCAL session_replication_role = replica", *statements]
            drops, creates = [], []
            for table in protected:
                create, drop = trigger_sql(self.connection.vendor, table)
                drops += drop
                creates += create
            return [*drops, *statements, *creates]

        ops_class.sql_flush = sql_flush

    for ops_class in {type(connection.ops) for connection in connections.all()}:
        wrap(ops_class)


def pytest_configure(config):
    from django.conf import settings

    settings.VAF_MASTER_KEYS = TEST_MASTER_KEYS
    settings.VAF_BLIND_INDEX_KEY = TEST_BLIND_INDEX_KEY
    settings.VAF_AUDIT_SIGNING_KEY = TEST_SIGNING_KEY
    settings.VAF_AUDIT_TRUSTED_PUBLIC_KEYS = ""
    settings.AXES_ENABLED = True
    # Argon2 with Django's production cost takes ~0.25 s a password and the
    # suite creates hundreds of users: same algorithm, test-sized cost.
    settings.PASSWORD_HASHERS = ["tests.hashers.TestArgon2PasswordHasher"]
    _suspend_append_only_triggers_during_flush()


@pytest.fixture(autouse=True)
def _checkpoint_dir(settings, tmp_path):
    """Each test keeps its checkpoint files in a directory of its own."""
    path = tmp_path / "checkpoints"
    path.mkdir()
    settings.VAF_AUDIT_CHECKPOINT_DIR = str(path)
    settings.VAF_AUDIT_LOG_ORIGIN = "vaf.test/audit"
    settings.VAF_AUDIT_VERIFIER_KEY = ""
    settings.VAF_AUDIT_WITNESS_KEYS = ""
    return path


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fresh_rate_limit_counters():
    """Rate-limit and throttle counters live in the cache; each test starts at zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path_factory):
    """Documents stored by a test go to a folder of its own, never var/media."""
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))


def postgresql_only():
    from django.db import connection

    return pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL (row locks and real-thread races); set DATABASE_URL to run it",
    )
