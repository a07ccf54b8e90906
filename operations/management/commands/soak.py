"""`manage.py soak`: mixed API traffic from several threads for a while, then
the money and audit invariants. Runs in a throw-away test database; meant for
PostgreSQL (`DATABASE_URL`), where the threads really run side by side.
Exits non-zero on any violation."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import setup_test_environment, teardown_test_environment


class Command(BaseCommand):
    help = "Soak: N threads of mixed API traffic, then the invariants (violations must be 0)."

    def add_arguments(self, parser):
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--seconds", type=float, default=180)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **options):
        from operations import soak

        if connection.vendor != "postgresql":
            self.stderr.write("Not PostgreSQL: SQLite serialises the writers; set DATABASE_URL for the real soak.")
        setup_test_environment(debug=False)
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            report = soak.run(threads=options["threads"], seconds=options["seconds"], seed=options["seed"])
        finally:
            connection.close()
            connection.creation.destroy_test_db(old_name, verbosity=0)
            teardown_test_environment()
        self.stdout.write(f"soak: {options['threads']} threads, {options['seconds']:.0f} s on {connection.vendor}")
        self.stdout.write(f"steps executed: {report.steps} (refused by the domain: {report.refused})")
        for action, n in sorted(report.by_action.items()):
            self.stdout.write(f"  {action}: {n}")
        self.stdout.write(f"invariant violations: {len(report.violations)}")
        for violation in report.violations[:20]:
            self.stdout.write(f"  {violation}")
        if report.violations:
            raise CommandError(f"{len(report.violations)} violations")
