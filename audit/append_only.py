"""Append-only tables: refused UPDATE and DELETE in the ORM and in the database.

Used by the audit log and the fund ledger. The database triggers are the real
protection (they hold against raw SQL and other clients); the model and
queryset refusals give a clear error earlier in Python.
"""

from __future__ import annotations

from django.db import migrations, models


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove a row of an append-only table."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model._meta.db_table} is append-only: rows cannot be updated.")

    def delete(self):
        raise AppendOnlyError(f"{self.model._meta.db_table} is append-only: rows cannot be deleted.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError(f"{self.model._meta.db_table} is append-only: rows cannot be updated.")

    def update_or_create(self, defaults=None, create_defaults=None, **kwargs):
        raise AppendOnlyError(f"{self.model._meta.db_table} is append-only: rows cannot be updated.")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{self._meta.db_table} is append-only: rows cannot be updated.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{self._meta.db_table} is append-only: rows cannot be deleted.")


def sqlite_trigger_sql(table: str) -> tuple[list[str], list[str]]:
    """(create statements, drop statements) for SQLite."""
    create = [
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: DELETE refused'); END",
    ]
    drop = [f"DROP TRIGGER IF EXISTS {table}_no_update", f"DROP TRIGGER IF EXISTS {table}_no_delete"]
    return create, drop


def postgresql_trigger_sql(table: str) -> tuple[list[str], list[str]]:
    """(create statements, drop statements) for PostgreSQL, TRUNCATE included."""
    create = [
        "CREATE OR REPLACE FUNCTION vaf_refuse_append_only_change() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP "
        "USING ERRCODE = 'insufficient_privilege'; END $$",
        f"CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION vaf_refuse_append_only_change()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION vaf_refuse_append_only_change()",
    ]
    drop = [
        f"DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table}",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
    ]
    return create, drop


def trigger_sql(vendor: str, table: str) -> tuple[list[str], list[str]]:
    if vendor == "sqlite":
        return sqlite_trigger_sql(table)
    if vendor == "postgresql":
        return postgresql_trigger_sql(table)
    raise NotImplementedError(f"Append-only triggers are not written for the {vendor} database.")


def append_only_tables() -> list[str]:
    """Tables of every installed append-only model (the test harness suspends
    their triggers for a flush alone, DESIGN.md §7)."""
    from django.apps import apps

    return [m._meta.db_table for m in apps.get_models() if issubclass(m, AppendOnlyModel)]


class InstallAppendOnlyTriggers(migrations.operations.base.Operation):
    """Migration operation: install the refusing triggers on a model's table."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str) -> None:
        self.model_name = model_name

    def state_forwards(self, app_label, state):
        pass

    def _table(self, app_label, state) -> str:
        return state.apps.get_model(app_label, self.model_name)._meta.db_table

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        create, _drop = trigger_sql(schema_editor.connection.vendor, self._table(app_label, to_state))
        for statement in create:
            schema_editor.execute(statement, params=None)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        _create, drop = trigger_sql(schema_editor.connection.vendor, self._table(app_label, from_state))
        for statement in drop:
            schema_editor.execute(statement, params=None)

    def describe(self):
        return f"Install append-only triggers on {self.model_name}"

    def deconstruct(self):
        return (self.__class__.__qualname__, [self.model_name], {})
