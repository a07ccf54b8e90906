"""Grant the web process's PostgreSQL role what it needs, and nothing more.

Migrations run as the owner role (it owns every table, sequence and
function); the web role owns nothing. It may read and write the
ordinary tables, but on the append-only tables (the audit log, its Merkle
tree and checkpoints, the fund's ledger) only SELECT and INSERT: not owning
them, it cannot ALTER, DISABLE or DROP their triggers, nor TRUNCATE them.
Run it as the owner after every `migrate`: `manage.py grant_web_role ROLE`.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from psycopg import sql

from audit.append_only import append_only_tables


class Command(BaseCommand):
    help = "Grant a PostgreSQL role the web process's rights: no ownership, insert-only on append-only tables."

    def add_arguments(self, parser):
        parser.add_argument("role", help="the web process's role (it must exist and own nothing)")

    def handle(self, *args, role, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Roles are a PostgreSQL matter: DATABASE_URL does not point at PostgreSQL.")
        protected = set(append_only_tables())
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                raise CommandError(f"The role {role} does not exist.")
            cursor.execute(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND pg_get_userbyid(c.relowner) = %s",
                [role],
            )
            if cursor.fetchone()[0]:
                raise CommandError(f"The role {role} owns tables: migrations must run as a separate owner role.")
            # A commit that carries audit events waits for the disk with
            # pg_logical_emit_message (config/db/postgresql): PostgreSQL grants
            # it to every role by default, and only a superuser can give it back.
            # Checked before anything is granted; every form of it (PostgreSQL 17
            # adds an argument).
            cursor.execute(
                "SELECT count(*) > 0 AND bool_and(has_function_privilege(%s, p.oid, 'EXECUTE')) FROM pg_proc p "
                "WHERE p.proname = 'pg_logical_emit_message' AND p.pronamespace = 'pg_catalog'::regnamespace",
                [role],
            )
            if not cursor.fetchone()[0]:
                raise CommandError(
                    f"The role {role} may not execute pg_catalog.pg_logical_emit_message, which commits wait for "
                    f"the disk with: a superuser must grant EXECUTE on every form of it to {role} (or to PUBLIC, "
                    "as PostgreSQL does by default)."
                )
            tables = connection.introspection.table_names(cursor)
            ident = sql.Identifier(role)
            cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(ident))
            for table in tables:
                rights = "SELECT, INSERT" if table in protected else "SELECT, INSERT, UPDATE, DELETE"
                cursor.execute(sql.SQL("REVOKE ALL ON {} FROM {}").format(sql.Identifier(table), ident))
                cursor.execute(sql.SQL(f"GRANT {rights} ON {{}} TO {{}}").format(sql.Identifier(table), ident))
            cursor.execute(sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(ident))
            # The audit append function runs with the caller's rights (SELECT
            # and INSERT on the log); the role may call it, not replace it.
            cursor.execute("SELECT to_regprocedure('vaf_audit_append(jsonb)') IS NOT NULL")
            if cursor.fetchone()[0]:
                cursor.execute(sql.SQL("GRANT EXECUTE ON FUNCTION vaf_audit_append(jsonb) TO {}").format(ident))
        self.stdout.write(
            f"Granted {role}: read and write on {len(tables) - len(protected & set(tables))} tables, "
            f"select and insert only on the append-only {', '.join(sorted(protected & set(tables)))}."
        )
