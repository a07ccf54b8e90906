"""`manage.py bench`: what the protections cost, and what grows with the data.

Runs in a throw-away test database (never the configured one; on SQLite the
in-memory one tests use, so commits cost what the code costs, not the disk). Every row is measured
against a baseline taken in the same run and reported as a ratio, so the
figures mean the same on any machine; wall-clock times are for information.
`--json FILE` writes the rows, the machine and the database for
docs/performance.md; `--profile DIR` writes a cProfile of each section.
"""

from __future__ import annotations

import cProfile
import json
import os
import platform
import pstats
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import connection
from django.test.utils import setup_test_environment, teardown_test_environment

SECTIONS = ("cases", "audit", "verify", "vault", "appends", "intake")


class Command(BaseCommand):
    help = "Benchmark intake, the vault, audit appends and verification, and the lists at scale, as ratios."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=20000, help="target number of cases (100000: full target)")
        parser.add_argument("--events", type=int, default=200000, help="target number of audit events")
        parser.add_argument("--baseline-cases", type=int, default=500)
        parser.add_argument("--baseline-events", type=int, default=5000)
        parser.add_argument("--appends-per-writer", type=int, default=200)
        parser.add_argument("--repeat", type=int, default=5, help="timed runs per row (the median is kept)")
        parser.add_argument("--only", nargs="+", choices=SECTIONS, help="run only these sections")
        parser.add_argument("--json", dest="json_path", help="also write the rows as JSON to this file")
        parser.add_argument("--profile", dest="profile_dir", help="write a cProfile of each section here")

    def handle(self, *args, **options):
        sections = options["only"] or SECTIONS
        setup_test_environment(debug=False)
        if connection.vendor == "sqlite" and "appends" in sections:
            # Concurrent writers are a PostgreSQL measurement: SQLite has one writer at a time.
            sections = [section for section in sections if section != "appends"]
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            database = _database()
            rows = []
            for section in SECTIONS:
                if section in sections:
                    rows += self._run(section, options)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
            teardown_test_environment()
        self._print(rows)
        if options["json_path"]:
            report = {
                "machine": _machine(),
                "database": database,
                "options": _public(options),
                "rows": [row.as_dict() for row in rows],
            }
            Path(options["json_path"]).write_text(json.dumps(report, indent=2) + "\n")

    def _run(self, section: str, options) -> list:
        from operations.benchmarks import audit, cases, intake, vault

        repeat = options["repeat"]
        runners = {
            "cases": lambda: cases.bench_cases(
                _user("caseworker"),
                _user("caseworker", "Bench Org Large"),
                baseline=options["baseline_cases"],
                target=options["cases"],
                repeat=repeat,
            ),
            "audit": lambda: audit.bench_audit_pages(
                _user("auditor"), baseline=options["baseline_events"], target=options["events"], repeat=repeat
            ),
            "verify": lambda: audit.bench_verification(repeat=repeat),
            "vault": lambda: vault.bench_vault(repeat=repeat),
            "appends": lambda: audit.bench_appends(per_writer=options["appends_per_writer"]),
            "intake": lambda: intake.bench_intake(_user("caseworker"), repeat=repeat),
        }
        if section == "verify":
            audit.bulk_events(options["events"])
        if not options["profile_dir"]:
            return runners[section]()
        profiler = cProfile.Profile()
        rows = profiler.runcall(runners[section])
        directory = Path(options["profile_dir"])
        directory.mkdir(parents=True, exist_ok=True)
        with open(directory / f"{section}-{connection.vendor}.txt", "w") as out:
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
        return rows

    def _print(self, rows) -> None:
        header = ("benchmark", "unit", "baseline", "base", "value", "ratio", "target", "met", "queries", "peak MiB")
        line = "{:<52} {:>8} {:<34} {:>10} {:>10} {:>6} {:>7} {:>4} {:>7} {:>8}"
        self.stdout.write(line.format(*header))
        for r in rows:
            met = {True: "yes", False: "NO", None: ""}[r.met]
            self.stdout.write(
                line.format(
                    r.name,
                    r.unit,
                    r.baseline_label[:34],
                    f"{r.baseline:.2f}",
                    f"{r.value:.2f}",
                    f"{r.ratio:.2f}",
                    r.target,
                    met,
                    "" if r.queries is None else r.queries,
                    "" if r.peak_mib is None else f"{r.peak_mib:.1f}",
                )
            )
            if r.notes:
                self.stdout.write("    " + ", ".join(f"{key}: {value}" for key, value in r.notes.items()))


def _machine() -> dict:
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
    }


def _database() -> str:
    if connection.vendor == "sqlite":
        return f"SQLite {connection.Database.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def _public(options) -> dict:
    keys = ("cases", "events", "baseline_cases", "baseline_events", "appends_per_writer", "repeat", "only")
    return {key: options[key] for key in keys}


_users: dict = {}


def _user(role: str, organisation: str = "Bench Org"):
    from accounts.services import user_create

    if (role, organisation) not in _users:
        suffix = "" if organisation == "Bench Org" else "-" + organisation.lower().replace(" ", "-")
        _users[role, organisation] = user_create(
            username=f"bench-{role}{suffix}",
            roles=[role],
            organisation_name=organisation,
            password=None,
            validate=False,
        )
    return _users[role, organisation]
